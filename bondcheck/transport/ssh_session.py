"""One authenticated SSH connection to a node, and running commands over it with a deadline.

A session outlives one command so that a node read twice in a run (verify, then failover,
then verify again) pays for one key exchange, and so that failover can keep its connection
while a link is down. Every command runs under a hard deadline: a watchdog closes the channel
when it passes, which unblocks any paramiko call still waiting on the node.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from bondcheck.errors import CollectError

if TYPE_CHECKING:
    import paramiko

MAX_OUTPUT = 64 * 1024 * 1024  # a node printing more than this is not printing bond files
_CHUNK = 1 << 16


class Watchdog:
    """Runs an action at a deadline unless disarmed first; one thread serves every session.

    A Timer thread per command would cost a thread start per node; a heap served by one
    daemon thread costs a lock and a heap push.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int]] = []
        self._actions: dict[int, Callable[[], None]] = {}
        self._seq = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, action: Callable[[], None]) -> int:
        with self._cond:
            token = next(self._seq)
            self._actions[token] = action
            heapq.heappush(self._heap, (deadline, token))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="bondcheck-ssh-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return token

    def disarm(self, token: int) -> None:
        with self._cond:
            self._actions.pop(token, None)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                deadline, token = self._heap[0]
                if token not in self._actions:
                    heapq.heappop(self._heap)
                    continue
                delay = deadline - time.monotonic()
                if delay > 0:
                    self._cond.wait(delay)
                    continue
                heapq.heappop(self._heap)
                action = self._actions.pop(token)
            with contextlib.suppress(Exception):  # a failing action must not stop the watchdog
                action()


WATCHDOG = Watchdog()


def close_transport(transport: paramiko.Transport) -> None:
    """Close a paramiko connection and wake its reader thread now, not at its next poll."""
    sock = transport.sock
    if isinstance(sock, socket.socket):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(Exception):  # best effort: one bad socket must not stop a close
        transport.close()


class SshSession:
    """An authenticated connection; ``run`` executes one command per call, any number of times.

    Safe to use from one thread at a time. ``close`` may be called from any thread (it is how
    a Ctrl-C aborts a session blocked on the node).
    """

    def __init__(
        self,
        transport: paramiko.Transport,
        label: str,
        key: tuple[object, ...] = (),
        on_close: Callable[[paramiko.Transport], None] | None = None,
    ):
        self._transport = transport
        self.label = label  # prefixes error messages: the node name
        self.key = key  # the pool key: same hop chain, host, port and user
        self.reused = False  # handed out again from the idle pool (it may have gone stale)
        self._on_close = on_close

    @property
    def alive(self) -> bool:
        return self._transport.is_active()

    @property
    def transport(self) -> paramiko.Transport:
        return self._transport

    def close(self) -> None:
        """Close the connection (idempotent, callable from any thread)."""
        close_transport(self._transport)
        if self._on_close is not None:
            self._on_close(self._transport)

    def run(
        self, command: str, timeout: float, stdin: str | bytes | None = None
    ) -> tuple[int, str, str]:
        """Run ``command``; return (exit status, stdout, stderr); -1 when none was sent.

        ``stdin`` is written and then closed (EOF), so ``sh -s`` scripts work. Raises
        CollectError "timed out after Ns" when the command outlives ``timeout``.
        """
        return self.run_until(command, time.monotonic() + timeout, stdin=stdin, budget=timeout)

    def run_until(
        self, command: str, deadline: float, *, stdin: str | bytes | None = None, budget: float
    ) -> tuple[int, str, str]:
        """``run`` against an absolute deadline; ``budget`` is the figure the error quotes."""
        import paramiko

        timed_out = threading.Event()
        if deadline - time.monotonic() <= 0:
            raise CollectError(f"{self.label}: timed out after {budget:g}s")
        try:
            channel = self._transport.open_session(timeout=deadline - time.monotonic())
        except (paramiko.SSHException, EOFError, OSError) as exc:
            if time.monotonic() >= deadline:
                raise CollectError(f"{self.label}: timed out after {budget:g}s") from None
            raise CollectError(f"{self.label}: could not open an SSH channel: {exc}") from None

        def expire() -> None:
            timed_out.set()
            channel.close()

        token = WATCHDOG.arm(deadline, expire)
        try:
            out, err = self._exchange(channel, command, stdin, deadline)
            status = self._exit_status(channel, deadline)
        except (paramiko.SSHException, EOFError, OSError) as exc:
            if timed_out.is_set() or time.monotonic() >= deadline:
                raise CollectError(f"{self.label}: timed out after {budget:g}s") from None
            raise CollectError(f"{self.label}: SSH connection lost: {exc}") from None
        finally:
            WATCHDOG.disarm(token)
            channel.close()
        if timed_out.is_set() or status is None:
            raise CollectError(f"{self.label}: timed out after {budget:g}s")
        return status, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")

    def _exchange(
        self, channel: paramiko.Channel, command: str, stdin: str | bytes | None, deadline: float
    ) -> tuple[bytes, bytes]:
        channel.exec_command(command)
        if stdin is not None:
            data = stdin.encode() if isinstance(stdin, str) else stdin
            channel.settimeout(max(0.01, deadline - time.monotonic()))
            channel.sendall(data)
        channel.shutdown_write()
        out: list[bytes] = []
        err: list[bytes] = []
        size = 0
        while True:
            if channel.recv_ready():
                chunk = channel.recv(_CHUNK)
                out.append(chunk)
                size += len(chunk)
            elif channel.recv_stderr_ready():
                chunk = channel.recv_stderr(_CHUNK)
                err.append(chunk)
                size += len(chunk)
            elif channel.eof_received or channel.closed:
                break
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                select.select([channel], [], [], remaining)
                continue
            if size > MAX_OUTPUT:
                raise CollectError(f"{self.label}: the node printed more than {MAX_OUTPUT} bytes")
        return b"".join(out), b"".join(err)

    @staticmethod
    def _exit_status(channel: paramiko.Channel, deadline: float) -> int | None:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not channel.status_event.wait(remaining):
            return None
        return channel.recv_exit_status()
