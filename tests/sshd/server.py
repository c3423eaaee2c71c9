"""A real OpenSSH sshd on loopback addresses, for tests and benchmarks of the SSH transport.

Debian's openssh-server package is fetched with ``apt-get download`` and unpacked with
``dpkg-deb -x`` into a cache directory, never installed: installing it would start a system
sshd. The server runs as a child process (``sshd -D -e -f CONFIG``) with its own host key,
authorized_keys and pid file in a work directory, and is killed (with every session process
it forked) on stop.

One process listens on up to 16 (address, port) pairs (OpenSSH's MAX_LISTEN_SOCKS);
``running_sshd_fleet`` starts as many processes as a list of "nodes" needs (e.g. 127.0.0.2:22
... 127.0.0.201:22), all with one host key, so a benchmark can stand up a fleet cheaply.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.debpkg import PackageUnavailable, cache_for, unpacked

MAX_LISTEN = 16  # sshd refuses more listen sockets per process
CACHE_ENV = "BONDCHECK_SSHD_CACHE"  # where the unpacked openssh-server lives
BINARY_ENV = "BONDCHECK_SSHD"  # an sshd binary to use instead of fetching one


class SshdUnavailable(RuntimeError):
    """sshd could not be provided on this machine; the message says what to install."""


def _run(cmd: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )


def _missing_libraries(binary: Path) -> list[str]:
    out = _run(["ldd", str(binary)]).stdout
    return [line.split()[0] for line in out.splitlines() if "not found" in line]


def sshd_binary() -> Path:
    """An sshd binary that runs here, fetched and unpacked once into the cache directory."""
    if os.environ.get(BINARY_ENV):
        return Path(os.environ[BINARY_ENV])
    cache = cache_for("sshd", CACHE_ENV)
    try:
        binary = unpacked("openssh-server", "usr/sbin/sshd", cache) / "usr" / "sbin" / "sshd"
    except PackageUnavailable as exc:
        raise SshdUnavailable(str(exc)) from None
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one process installs libwrap0
        missing = _missing_libraries(binary)
        if "libwrap.so.0" in missing and os.geteuid() == 0:
            _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "libwrap0"])
            missing = _missing_libraries(binary)
        if missing:
            raise SshdUnavailable(f"sshd needs {', '.join(missing)} (apt-get install libwrap0)")
    return binary


def ensure_privsep() -> None:
    """Running as root, sshd insists on its privilege-separation user and /run/sshd."""
    if os.geteuid() != 0:
        return
    Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    if _run(["getent", "passwd", "sshd"]).returncode != 0:
        result = _run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--home-dir",
                "/run/sshd",
                "--shell",
                "/usr/sbin/nologin",
                "sshd",
            ]
        )
        if result.returncode != 0 and _run(["getent", "passwd", "sshd"]).returncode != 0:
            raise SshdUnavailable(f"cannot create the sshd user: {result.stderr.strip()}")


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class KeyPair:
    """A key made by ssh-keygen: the private key file and its public line."""

    path: Path
    public: str  # "ssh-ed25519 AAAA... comment"

    @property
    def keytype(self) -> str:
        return self.public.split()[0]

    @property
    def blob(self) -> str:
        return self.public.split()[1]


def make_keypair(path: Path, kind: str = "ed25519", passphrase: str = "") -> KeyPair:
    """A fresh key pair from ssh-keygen (the real tool, so the file format is OpenSSH's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + ".pub")):
        stale.unlink(missing_ok=True)
    bits = ["-b", "2048"] if kind == "rsa" else []
    result = _run(
        [
            "ssh-keygen",
            "-q",
            "-t",
            kind,
            *bits,
            "-N",
            passphrase,
            "-C",
            "bondcheck-test",
            "-f",
            str(path),
        ]
    )
    if result.returncode != 0:
        raise SshdUnavailable(f"ssh-keygen failed: {result.stderr.strip()}")
    return KeyPair(path, path.with_name(path.name + ".pub").read_text().strip())


def known_hosts_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


@dataclass
class SshdServer:
    """One sshd process listening on ``listen`` (address, port) pairs.

    ``authorized_keys`` are public key lines; ``extra_config`` is appended to sshd_config
    (e.g. ``ForceCommand sleep 5``, or ``Match LocalPort`` blocks).
    """

    workdir: Path
    listen: list[tuple[str, int]]
    authorized_keys: list[str]
    extra_config: str = ""
    binary: Path | None = None
    host_key: KeyPair | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def user(self) -> str:
        """The login name: the sshd's own user (root when tests run as root)."""
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name

    @property
    def log_path(self) -> Path:
        return self.workdir / "sshd.log"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def known_hosts_lines(self) -> list[str]:
        assert self.host_key is not None
        return [
            f"{known_hosts_name(h, p)} {self.host_key.keytype} {self.host_key.blob}"
            for h, p in self.listen
        ]

    def _write_config(self) -> Path:
        assert self.host_key is not None
        auth = self.workdir / "authorized_keys"
        auth.write_text("".join(line.strip() + "\n" for line in self.authorized_keys))
        lines = [
            f"ListenAddress {h}:{p}" if ":" not in h else f"ListenAddress [{h}]:{p}"
            for h, p in self.listen
        ]
        # An empty HOME for the remote shell: the login shell would otherwise read the host's
        # ~/.bashrc (here it runs `pyenv init`, 150+ ms of server CPU per login), which tests
        # of the client have no business paying for.
        home = self.workdir / "home"
        home.mkdir(exist_ok=True)
        lines += [
            f"HostKey {self.host_key.path}",
            f"SetEnv HOME={home}",
            f"PidFile {self.workdir / 'sshd.pid'}",
            f"AuthorizedKeysFile {auth}",
            "UsePAM no",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "AllowTcpForwarding yes",
            "X11Forwarding no",
            "PrintMotd no",
            "PrintLastLog no",
            "UseDNS no",
            "MaxStartups 1000",
            "MaxSessions 100",
            "LogLevel VERBOSE",
            self.extra_config,
        ]
        config = self.workdir / "sshd_config"
        config.write_text("\n".join(lines) + "\n")
        return config

    def start(self, timeout: float = 15.0) -> SshdServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        binary = self.binary or sshd_binary()
        ensure_privsep()
        if self.host_key is None:
            self.host_key = make_keypair(self.workdir / "ssh_host_ed25519_key")
        config = self._write_config()
        check = _run([str(binary), "-t", "-f", str(config)])
        if check.returncode != 0:
            raise SshdUnavailable(f"sshd rejected its config: {check.stderr.strip()}")
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [str(binary), "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        for host, port in self.listen:
            while not _banner(host, port):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SshdUnavailable(f"sshd did not start on {host}:{port}: {self.log()}")
                time.sleep(0.02)
        return self

    def session_pids(self) -> list[int]:
        """Pids of the per-connection sshd processes and what they run (not the listener)."""
        return _descendants(self.process.pid) if self.process is not None else []

    def drop_connections(self) -> None:
        """Kill every client connection, as a rebooting node or a dead link would."""
        for pid in self.session_pids():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        """Stop sshd and every session it forked (they are its descendants)."""
        if self.process is None:
            return
        pid = self.process.pid
        children = _descendants(pid)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for child in children + _descendants(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(child, signal.SIGKILL)
        self.process = None

    def __enter__(self) -> SshdServer:
        return self.start() if self.process is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _banner(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            return sock.recv(64).startswith(b"SSH-2.0-")
    except OSError:
        return False


def _descendants(pid: int) -> list[int]:
    """Pids whose parent chain leads to ``pid`` (read from /proc, no extra tools)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: list[int] = []
    frontier = [pid]
    while frontier:
        current = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == current]
        found.extend(kids)
        frontier.extend(kids)
    return found


@contextlib.contextmanager
def running_sshd(
    workdir: Path,
    authorized_keys: list[str],
    listen: list[tuple[str, int]] | None = None,
    extra_config: str = "",
) -> Iterator[SshdServer]:
    """Start an sshd for the duration of a ``with`` block (a free port on 127.0.0.1 by
    default). A port taken between probing and binding is retried with another one."""
    for attempt in range(3):
        server = SshdServer(
            workdir, listen or [("127.0.0.1", free_port())], authorized_keys, extra_config
        )
        try:
            server.start()
            break
        except SshdUnavailable as exc:
            if listen is not None or "Address already in use" not in str(exc) or attempt == 2:
                raise
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def running_sshd_fleet(
    workdir: Path,
    authorized_keys: list[str],
    listen: list[tuple[str, int]],
    extra_config: str = "",
) -> Iterator[list[SshdServer]]:
    """One sshd per 16 listen addresses, sharing one host key; all stopped on exit."""
    host_key = make_keypair(workdir / "ssh_host_ed25519_key")
    servers: list[SshdServer] = []
    try:
        for first in range(0, len(listen), MAX_LISTEN):
            server = SshdServer(
                workdir / f"sshd-{first // MAX_LISTEN}",
                listen[first : first + MAX_LISTEN],
                authorized_keys,
                extra_config,
                host_key=host_key,
            )
            servers.append(server)
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()
