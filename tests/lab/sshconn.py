"""SSH plumbing of the lab: keys, known_hosts, an OpenSSH client config, reused connections.

Every lab run makes a fresh client key and a fresh host key per node, so known_hosts can be
strict (StrictHostKeyChecking yes / paramiko RejectPolicy) and nothing is ever trusted on
first use. A new SSH connection costs 1-1.5 s under TCG (the guest's crypto is emulated),
so one paramiko connection per node is kept and every command is a channel on it.
"""

from __future__ import annotations

import select
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.lab.errors import LabError, LabTimeout, LabUnavailable

if TYPE_CHECKING:  # paramiko is heavy; import it only when a connection is made
    import paramiko


def keygen(path: Path, comment: str) -> str:
    """Write a new ed25519 key pair at path (+ .pub); return the public key line."""
    path.unlink(missing_ok=True)
    path.with_suffix(".pub").unlink(missing_ok=True)
    try:
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
            check=True,
            capture_output=True,
            timeout=30,
        )
    except FileNotFoundError as exc:
        raise LabUnavailable("ssh-keygen not found; run scripts/lab-deps.sh") from exc
    return Path(f"{path}.pub").read_text().strip()


def known_hosts_line(host: str, port: int, host_pub: str) -> str:
    """A known_hosts line in the bracketed host:port form both OpenSSH and paramiko read."""
    kind, blob = host_pub.split()[:2]
    return f"[{host}]:{port} {kind} {blob}"


def write_ssh_config(
    path: Path, nodes: Iterable[tuple[str, str, int]], key_path: Path, known_hosts_path: Path
) -> None:
    """An OpenSSH client config with one strict Host block per (name, host, port)."""
    blocks = []
    for name, host, port in nodes:
        blocks.append(
            f"Host {name}\n"
            f"    HostName {host}\n"
            f"    Port {port}\n"
            f"    User root\n"
            f"    IdentityFile {key_path}\n"
            f"    IdentitiesOnly yes\n"
            f"    UserKnownHostsFile {known_hosts_path}\n"
            f"    StrictHostKeyChecking yes\n"
            f"    BatchMode yes\n"
            f"    ConnectTimeout 30\n"
        )
    path.write_text("# bondcheck lab nodes (generated)\n" + "\n".join(blocks))


def wait_banner(host: str, port: int, deadline: float, alive: Callable[[], bool]) -> None:
    """Wait until sshd (not just QEMU's port forward) answers with an SSH-2.0 banner."""
    while time.monotonic() < deadline:
        if not alive():
            raise LabUnavailable(f"guest behind {host}:{port} exited while booting")
        try:
            with socket.create_connection((host, port), timeout=3) as sock:
                sock.settimeout(3)
                if sock.recv(64).startswith(b"SSH-2.0") and alive():
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise LabUnavailable(f"no SSH banner from {host}:{port} before the boot timeout")


class Connection:
    """One authenticated paramiko connection to a node; run() opens a channel per command."""

    def __init__(self, host: str, port: int, key_path: Path, known_hosts_path: Path) -> None:
        self.host = host
        self.port = port
        self.key_path = key_path
        self.known_hosts_path = known_hosts_path
        self._client: paramiko.SSHClient | None = None
        self._lock = threading.Lock()

    def _connect(self, timeout: float) -> paramiko.SSHClient:
        import paramiko

        client = paramiko.SSHClient()
        client.load_host_keys(str(self.known_hosts_path))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect(
            self.host,
            port=self.port,
            username="root",
            key_filename=str(self.key_path),
            look_for_keys=False,
            allow_agent=False,
            timeout=timeout,
            banner_timeout=timeout,
            auth_timeout=timeout,
        )
        transport = client.get_transport()
        if transport is not None:
            transport.set_keepalive(15)
        return client

    def transport(self, timeout: float = 30.0) -> Any:
        """The live paramiko Transport, reconnecting once if the old one died."""
        with self._lock:
            client = self._client
            if client is None or not _active(client):
                if client is not None:
                    client.close()
                self._client = None
                try:
                    client = self._connect(timeout)
                except Exception as exc:
                    raise LabError(f"ssh to {self.host}:{self.port} failed: {exc}") from exc
                self._client = client
            return client.get_transport()

    def run(self, cmd: str, timeout: float = 60.0) -> tuple[int, str, str]:
        """Run cmd through root's shell; (exit code, stdout, stderr). LabTimeout on deadline."""
        chan = self.transport().open_session(timeout=timeout)
        try:
            chan.exec_command(cmd)
            out, err = bytearray(), bytearray()
            deadline = time.monotonic() + timeout
            while True:
                if chan.recv_ready():
                    out += chan.recv(65536)
                    continue
                if chan.recv_stderr_ready():
                    err += chan.recv_stderr(65536)
                    continue
                if chan.exit_status_ready() and chan.eof_received:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LabTimeout(
                        f"{cmd!r} on {self.host}:{self.port} still running after {timeout:.0f} s"
                    )
                select.select([chan], [], [], min(left, 0.5))
            return (
                chan.recv_exit_status(),
                out.decode(errors="replace"),
                err.decode(errors="replace"),
            )
        finally:
            chan.close()

    def close(self) -> None:
        """Close the connection (the next run() reconnects)."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _active(client: paramiko.SSHClient) -> bool:
    transport = client.get_transport()
    return transport is not None and transport.is_active()
