"""A ready-to-use SSH "node": a running loopback sshd, a client key it accepts, and helpers
that write the known_hosts and ssh config files a test hands to bondcheck.

``sshd_environment(workdir)`` is a context manager so that a test module can wrap it in a
fixture of whatever scope it needs (see ``sshd.fixtures`` for ready-made ones).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .server import KeyPair, SshdServer, known_hosts_name, make_keypair, running_sshd


@dataclass(frozen=True)
class SshdEnv:
    """One running sshd and the client side that can log into it."""

    server: SshdServer
    client_key: KeyPair
    workdir: Path

    @property
    def host(self) -> str:
        return self.server.listen[0][0]

    @property
    def port(self) -> int:
        return self.server.listen[0][1]

    @property
    def user(self) -> str:
        return self.server.user

    @property
    def host_key_line(self) -> str:
        """``[host]:port type blob`` for the first listen address."""
        return self.server.known_hosts_lines()[0]

    def write_known_hosts(self, path: Path, lines: Sequence[str] | None = None) -> Path:
        """known_hosts holding this server's key for every listen address (or ``lines``)."""
        content = self.server.known_hosts_lines() if lines is None else list(lines)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{line}\n" for line in content))
        return path

    def write_ssh_config(
        self, path: Path, alias: str, known_hosts: Path, extra: Sequence[str] = ()
    ) -> Path:
        """An OpenSSH client config whose ``Host alias`` reaches this server (the shape the
        real-kernel lab generates for its guests)."""
        lines = [
            f"Host {alias}",
            f"    HostName {self.host}",
            f"    Port {self.port}",
            f"    User {self.user}",
            f"    IdentityFile {self.client_key.path}",
            "    IdentitiesOnly yes",
            f"    UserKnownHostsFile {known_hosts}",
            "    StrictHostKeyChecking yes",
            "    BatchMode yes",
            "    ConnectTimeout 30",
            *(f"    {line}" for line in extra),
        ]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        return path


def known_hosts_line(host: str, port: int, key: KeyPair) -> str:
    return f"{known_hosts_name(host, port)} {key.keytype} {key.blob}"


@contextlib.contextmanager
def sshd_environment(
    workdir: Path,
    *,
    listen: list[tuple[str, int]] | None = None,
    extra_config: str = "",
    client_key: KeyPair | None = None,
) -> Iterator[SshdEnv]:
    """Start an sshd that accepts a fresh (or the given) client key; stop it on exit."""
    key = client_key or make_keypair(workdir / "client" / "id_ed25519")
    with running_sshd(workdir / "server", [key.public], listen, extra_config) as server:
        yield SshdEnv(server=server, client_key=key, workdir=workdir)
