"""A real loopback OpenSSH server for tests and benchmarks of the SSH transport.

Use ``running_sshd(...)`` / ``running_sshd_fleet(...)`` / ``SshdServer`` directly,
``tests.sshd.env.sshd_environment`` for a server plus a client key, or the pytest fixtures in
``tests.sshd.fixtures``.
"""

from __future__ import annotations

from .server import (
    KeyPair,
    SshdServer,
    SshdUnavailable,
    free_port,
    known_hosts_name,
    make_keypair,
    running_sshd,
    running_sshd_fleet,
    sshd_binary,
)

__all__ = [
    "KeyPair",
    "SshdServer",
    "SshdUnavailable",
    "free_port",
    "known_hosts_name",
    "make_keypair",
    "running_sshd",
    "running_sshd_fleet",
    "sshd_binary",
]
