"""The SSH transport: reads a node over one paramiko connection and one ``sh -s`` exec.

Why it looks the way it does:
- One exec per node: the collection script (transport/script.py) goes to ``sh -s`` on stdin,
  so no remote file, no quoting of a long command line, one round trip.
- paramiko is used directly at the Transport level (not SSHClient) so that private keys and
  known_hosts are read once per run instead of once per node, host keys are checked by
  bondcheck (unknown and changed keys get different, actionable messages), and the cheapest
  modern algorithms are asked for first (curve25519 key exchange, AES-GCM): the key exchange
  dominates the controller's CPU per node.
- ProxyJump chains are followed with ``direct-tcpip`` channels through a jump host's own
  connection, which is opened once and shared by every node behind it; no ssh subprocess.
- Idle connections are kept (a few, most recent first) so a node read twice in one run, as
  verify -> failover -> verify does, is not dialled twice.

paramiko is imported inside functions only; this module itself is imported only for
``--via ssh``.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bondcheck.errors import CollectError
from bondcheck.model import Evidence, NodeTarget
from bondcheck.transport.base import Transport
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.script import build_collect_script, new_nonce, parse_collect_output
from bondcheck.transport.ssh_auth import KeyRing
from bondcheck.transport.ssh_config import HostSpec, SshConfigResolver
from bondcheck.transport.ssh_hostkeys import KnownHosts
from bondcheck.transport.ssh_session import SshSession, close_transport

if TYPE_CHECKING:
    import paramiko

__all__ = ["SshSession", "SshTransport"]

log = logging.getLogger(__name__)
# paramiko's reader thread logs a handshake bondcheck gave up on (timeout, closed socket) as
# ERROR records carrying a traceback; with no logging configured, Python's last-resort handler
# prints them on stderr. bondcheck already reports those nodes as one-line errors, so paramiko
# gets a NullHandler: its records still reach any handler the application configures.
logging.getLogger("paramiko").addHandler(logging.NullHandler())

# Cheapest first; everything paramiko supports stays allowed after these.
FAST_KEX = ("curve25519-sha256@libssh.org", "ecdh-sha2-nistp256")
FAST_CIPHERS = ("aes128-gcm@openssh.com", "aes128-ctr", "aes256-gcm@openssh.com")
FAST_DIGESTS = ("hmac-sha2-256-etm@openssh.com", "hmac-sha2-256")
# paramiko's reader thread wakes every 0.1 s to look for a close; with dozens of connections
# waiting on slow nodes those wake-ups were a fifth of the controller's CPU. Closing shuts the
# socket down first (see SshSession.close), which wakes the reader at once instead.
READER_POLL = 1.0


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())[:300]


def _ordered(preferred: Sequence[str], supported: Sequence[str]) -> list[str]:
    first = [name for name in preferred if name in supported]
    return first + [name for name in supported if name not in first]


class SshTransport(Transport):
    """Collects evidence over SSH; thread-safe, one connection per node in flight."""

    name = "ssh"
    default_concurrency = 32
    max_idle_connections = 16

    def __init__(self, opts: TransportOptions | None = None) -> None:
        self._opts = opts or TransportOptions()
        self._resolver = SshConfigResolver(self._opts)
        self._keys = KeyRing()
        self._known: dict[tuple[str, ...], KnownHosts] = {}
        self._lock = threading.Lock()
        self._idle: OrderedDict[int, SshSession] = OrderedDict()
        self._jumps: dict[tuple[Any, ...], paramiko.Transport] = {}
        self._jump_locks: dict[tuple[Any, ...], threading.Lock] = {}
        self._live: set[paramiko.Transport] = set()
        self._closed = False

    # -- public ---------------------------------------------------------------------------

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        """Read ``target`` within ``timeout`` seconds, connection included."""
        deadline = time.monotonic() + timeout
        nonce = new_nonce()
        try:
            script = build_collect_script(bonds, nonce, use_sudo=not self._opts.no_sudo)
        except ValueError as exc:
            raise CollectError(f"{target.name}: {exc}") from None
        session = self._checkout(target, deadline, timeout)
        ok = False
        try:
            try:
                rc, out, err = session.run_until("sh -s", deadline, stdin=script, budget=timeout)
            except CollectError:
                if not session.reused or time.monotonic() >= deadline:
                    raise
                # An idle pooled connection the node dropped meanwhile: dial once more.
                session.close()
                session = self._checkout(target, deadline, timeout, fresh=True)
                rc, out, err = session.run_until("sh -s", deadline, stdin=script, budget=timeout)
            try:
                evidence = parse_collect_output(
                    out, nonce, node=target.name, transport=self.name, bonds=bonds
                )
            except CollectError as exc:
                if rc != 0:
                    first = next((ln.strip() for ln in err.splitlines() if ln.strip()), "")
                    why = f"; stderr: {first[:200]}" if first else ""
                    raise CollectError(f"{exc} (remote exit status {rc}{why})") from None
                raise
            ok = True
            return evidence
        finally:
            if ok:
                self._checkin(session)
            else:
                session.close()

    def session(self, target: NodeTarget, timeout: float | None = None) -> SshSession:
        """A connection to ``target`` that the caller owns and closes (failover keeps one open
        while it takes a link down). ``close()`` of the transport closes it too."""
        budget = timeout if timeout is not None else self._opts.connect_timeout
        return self._checkout(target, time.monotonic() + budget, budget)

    def close(self) -> None:
        """Close every connection this transport opened, including those still in use."""
        with self._lock:
            self._closed = True
            live = list(self._live)
            self._live.clear()
            self._idle.clear()
            self._jumps.clear()
        for transport in live:
            close_transport(transport)

    # -- connection pool ------------------------------------------------------------------

    def _checkout(
        self, target: NodeTarget, deadline: float, budget: float, *, fresh: bool = False
    ) -> SshSession:
        spec = self._resolver.resolve(target)
        key = self._pool_key(spec)
        stale: SshSession | None = None
        with self._lock:
            for ident, session in list(self._idle.items()):
                if fresh or session.key != key:
                    continue
                del self._idle[ident]
                if session.alive:
                    session.label = target.name
                    session.reused = True
                    return session
                stale = session
                break
        if stale is not None:
            stale.close()
        transport = self._open(spec, target.name, deadline, budget)
        return SshSession(transport, target.name, key, on_close=self._forget)

    def _checkin(self, session: SshSession) -> None:
        evicted: list[SshSession] = []
        with self._lock:
            if self._closed or not session.alive:
                evicted.append(session)
            else:
                self._idle[id(session)] = session
                while len(self._idle) > self.max_idle_connections:
                    evicted.append(self._idle.popitem(last=False)[1])
        for old in evicted:
            old.close()

    def _forget(self, transport: paramiko.Transport) -> None:
        with self._lock:
            self._live.discard(transport)

    @staticmethod
    def _pool_key(spec: HostSpec) -> tuple[Any, ...]:
        hops = tuple((j.hostname, j.port, j.user) for j in spec.jumps)
        return (hops, spec.hostname, spec.port, spec.user)

    def _known_hosts(self, files: tuple[str, ...]) -> KnownHosts:
        with self._lock:
            known = self._known.get(files)
            if known is None:
                known = self._known[files] = KnownHosts(files)
            return known

    # -- connecting -----------------------------------------------------------------------

    def _open(
        self, spec: HostSpec, label: str, deadline: float, budget: float
    ) -> paramiko.Transport:
        via: paramiko.Transport | None = None
        for depth in range(len(spec.jumps)):
            via = self._jump(spec.jumps[: depth + 1], via, label, deadline, budget)
        return self._handshake(spec, label, deadline, budget, via)

    def _jump(
        self,
        chain: tuple[HostSpec, ...],
        via: paramiko.Transport | None,
        label: str,
        deadline: float,
        budget: float,
    ) -> paramiko.Transport:
        """The shared connection to the last hop of ``chain`` (reached through ``via``),
        opened once per run however many nodes sit behind it."""
        key = tuple((h.hostname, h.port, h.user) for h in chain)
        with self._lock:
            lock = self._jump_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                existing = self._jumps.get(key)
            if existing is not None:
                if existing.is_active():
                    return existing
                self._drop(existing)
            hop = chain[-1]
            transport = self._handshake(
                hop, f"{label}: jump host {hop.alias}", deadline, budget, via
            )
            with self._lock:
                self._jumps[key] = transport
            return transport

    def _handshake(
        self,
        spec: HostSpec,
        label: str,
        deadline: float,
        budget: float,
        via: paramiko.Transport | None,
    ) -> paramiko.Transport:
        """Dial, exchange keys, verify the host key, authenticate; CollectError on failure."""
        import paramiko

        with self._lock:
            if self._closed:
                raise CollectError(f"{label}: cancelled")
        sock = self._dial(spec, label, deadline, budget, via)
        transport = paramiko.Transport(sock)
        transport.sock.settimeout(READER_POLL)
        with self._lock:
            self._live.add(transport)
        try:
            options = transport.get_security_options()
            options.kex = _ordered(FAST_KEX, options.kex)
            options.ciphers = _ordered(FAST_CIPHERS, options.ciphers)
            options.digests = _ordered(FAST_DIGESTS, options.digests)
            known = self._known_hosts(spec.known_hosts_files)
            options.key_types = known.preferred_algorithms(spec.host_key_names, options.key_types)
            transport.banner_timeout = max(0.1, deadline - time.monotonic())
            transport.start_client(timeout=max(0.1, deadline - time.monotonic()))
            server_key = transport.get_remote_server_key()
            known.verify(
                label,
                spec.host_key_names,
                server_key.get_name(),
                server_key.get_base64(),
                accept_new=spec.accept_new,
            )
            self._keys.authenticate(transport, spec, label, lambda: deadline - time.monotonic())
            log.debug(
                "ssh %s: logged in to %s as %s (%s, %s)",
                label,
                spec.endpoint,
                spec.user,
                server_key.get_name(),
                transport.local_cipher,
            )
        except CollectError:
            self._drop(transport)
            raise
        except (paramiko.SSHException, EOFError, OSError) as exc:
            self._drop(transport)
            if time.monotonic() >= deadline:
                raise CollectError(f"{label}: timed out after {budget:g}s") from None
            raise CollectError(
                f"{label}: SSH handshake with {spec.endpoint} failed: {_one_line(exc)}"
            ) from None
        return transport

    def _drop(self, transport: paramiko.Transport) -> None:
        with self._lock:
            self._live.discard(transport)
        close_transport(transport)

    @staticmethod
    def _dial(
        spec: HostSpec,
        label: str,
        deadline: float,
        budget: float,
        via: paramiko.Transport | None,
    ) -> Any:
        """A TCP socket to the host, or a ``direct-tcpip`` channel through the jump host."""
        import paramiko

        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise CollectError(f"{label}: timed out after {budget:g}s")
        wait = min(spec.connect_timeout, remaining)
        if via is not None:
            try:
                return via.open_channel(
                    "direct-tcpip", (spec.hostname, spec.port), ("127.0.0.1", 0), timeout=wait
                )
            except paramiko.ChannelException as exc:
                raise CollectError(
                    f"{label}: the jump host could not connect to {spec.endpoint}: "
                    f"{exc.text or exc.code}"
                ) from None
            except (paramiko.SSHException, EOFError, OSError) as exc:
                if time.monotonic() >= deadline:
                    raise CollectError(f"{label}: timed out after {budget:g}s") from None
                raise CollectError(
                    f"{label}: could not open a tunnel to {spec.endpoint}: {_one_line(exc)}"
                ) from None
        try:
            sock = socket.create_connection((spec.hostname, spec.port), timeout=wait)
        except socket.gaierror as exc:
            raise CollectError(f"{label}: cannot resolve {spec.hostname}: {exc.strerror}") from None
        except ConnectionRefusedError:
            raise CollectError(
                f"{label}: connection to {spec.endpoint} refused (is sshd running there?)"
            ) from None
        except TimeoutError:
            if time.monotonic() >= deadline:
                raise CollectError(f"{label}: timed out after {budget:g}s") from None
            raise CollectError(
                f"{label}: connection to {spec.endpoint} timed out after {wait:g}s"
            ) from None
        except OSError as exc:
            reason = exc.strerror or _one_line(exc)
            raise CollectError(f"{label}: cannot connect to {spec.endpoint}: {reason}") from None
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return sock
