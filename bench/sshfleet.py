"""A fleet of SSH "nodes" on loopback: real OpenSSH sshd processes, one address per node.

Node i is ``node-NNNN`` at ``127.0.X.Y`` (X = 1 + i // 250, Y = 1 + i % 250; Linux routes all
of 127/8 to ``lo``, so no address needs adding), all on one TCP port. The sshd binary comes
from tests/sshd (Debian's openssh-server unpacked with ``dpkg-deb -x``, never installed, never a
system service); one sshd process serves 16 addresses.

Every login runs a forced command (``ForceCommand``) that plays a real node:

* it sleeps the injected delay (a real node's round trip and command start-up);
* for ``sh -s`` (bondcheck's transport) it runs the REAL collection script it receives on
  stdin, with ``/proc/net/bonding/`` rewritten to the capture's directory and shell functions
  ``ip`` and ``uname`` that print the capture's ``ip-addr.json``, ``ip-link.json`` and
  ``kernel.txt`` - so bondcheck parses and judges exactly what the lab kernel printed;
* for any other command (``cat /proc/net/bonding/bond0`` from ``ssh`` or Ansible's ``raw``)
  it prints the capture's bond0 file.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bench.common import ROOT
from tests.sshd.server import (
    KeyPair,
    SshdServer,
    SshdUnavailable,
    free_port,
    make_keypair,
    running_sshd_fleet,
)

CAPTURE = ROOT / "fixtures" / "captures" / "lab" / "healthy-802.3ad"
POLICY = ROOT / "fixtures" / "policies" / "worker-bond-lacp.yaml"
FETCH = "cat /proc/net/bonding/bond0"  # what the xargs and Ansible sides run

_NODE_COMMAND = """#!/bin/sh
# Forced command of the benchmark fleet: one captured node answering after a delay.
sleep {delay}
case "$SSH_ORIGINAL_COMMAND" in
"sh -s")
    {{ cat {shim}; sed 's#/proc/net/bonding/#{capture}/proc/net/bonding/#g'; }} | exec /bin/sh ;;
*)
    exec cat {capture}/proc/net/bonding/bond0 ;;
esac
"""

# Shell functions win over PATH lookups, so the script's own PATH setting cannot bypass them.
_SHIM = """ip() {{
    case "$*" in
    "-j addr show") cat {capture}/ip-addr.json ;;
    "-j -d link show") cat {capture}/ip-link.json ;;
    *) return 1 ;;
    esac
}}
uname() {{ cat {capture}/kernel.txt; }}
"""


def node_name(index: int) -> str:
    return f"node-{index + 1:04d}"


def node_address(index: int) -> str:
    if not 0 <= index < 250 * 254:
        raise ValueError(f"node index {index} out of range")
    return f"127.0.{1 + index // 250}.{1 + index % 250}"


@dataclass(frozen=True)
class Fleet:
    """A running fleet and the client-side files that reach it."""

    workdir: Path
    nodes: tuple[str, ...]
    addresses: tuple[str, ...]
    port: int
    user: str
    client_key: KeyPair
    ssh_config: Path
    known_hosts: Path
    inventory: Path  # Ansible INI inventory: every node in group "fleet"
    host_key: KeyPair
    servers: tuple[SshdServer, ...]

    def nodes_file(self) -> Path:
        path = self.workdir / "nodes.txt"
        path.write_text("".join(f"{n}\n" for n in self.nodes))
        return path

    def sshd_pids(self) -> list[int]:
        return [s.process.pid for s in self.servers if s.process is not None]

    def addresses_file(self) -> Path:
        path = self.workdir / "addresses.txt"
        path.write_text("".join(f"{a}\n" for a in self.addresses))
        return path

    def subset(self, count: int) -> Fleet:
        """The first ``count`` nodes, with client files that list only them (so a scaling
        series pays for an ssh config and known_hosts of its own size)."""
        if not 0 < count <= len(self.nodes):
            raise ValueError(f"subset of {count} from a fleet of {len(self.nodes)}")
        if count == len(self.nodes):
            return self
        workdir = self.workdir / f"subset-{count}"
        workdir.mkdir(parents=True, exist_ok=True)
        nodes, addresses = self.nodes[:count], self.addresses[:count]
        config, known, inventory = _write_client_files(
            workdir, nodes, addresses, self.port, self.user, self.client_key, self.host_key
        )
        return replace(self, workdir=workdir, nodes=nodes, addresses=addresses,
                       ssh_config=config, known_hosts=known, inventory=inventory)  # fmt: skip


def _write_node_command(workdir: Path, delay_s: float, capture: Path) -> Path:
    shim = workdir / "node-shim.sh"
    shim.write_text(_SHIM.format(capture=capture))
    command = workdir / "node-command.sh"
    command.write_text(_NODE_COMMAND.format(delay=f"{delay_s:.3f}", shim=shim, capture=capture))
    command.chmod(0o755)
    return command


def _sshd_extra(base: Path, command: Path) -> str:
    """The forced command, and a HOME of its own for every session.

    sshd runs a forced command as ``$SHELL -c COMMAND``; for root here that is bash, which
    sources ~/.bashrc when started by sshd. This machine's root .bashrc runs ``pyenv init``,
    i.e. a ``pyenv rehash`` per login that takes a lock: 50 logins at once queued on that lock
    for seconds and burned ~150-350 ms of CPU each - a cost of this machine, not of a node.
    An empty HOME gives each session a shell with no rc file, as on a plain node.
    """
    home = base / "home"
    home.mkdir(exist_ok=True)
    return f"ForceCommand {command}\nSetEnv HOME={home}"


def _write_client_files(
    workdir: Path,
    nodes: Sequence[str],
    addresses: Sequence[str],
    port: int,
    user: str,
    key: KeyPair,
    host_key: KeyPair,
) -> tuple[Path, Path, Path]:
    known = workdir / "known_hosts"
    known.write_text(
        "".join(f"[{a}]:{port} {host_key.keytype} {host_key.blob}\n" for a in addresses)
    )
    blocks = [f"Host {n}\n    HostName {a}\n" for n, a in zip(nodes, addresses, strict=True)]
    common = "\n".join([
        "Host node-*",
        f"    Port {port}",
        f"    User {user}",
        f"    IdentityFile {key.path}",
        "    IdentitiesOnly yes",
        f"    UserKnownHostsFile {known}",
        "    StrictHostKeyChecking yes",
        "    BatchMode yes",
        "    ConnectTimeout 30",
        "    LogLevel ERROR",
    ])  # fmt: skip
    config = workdir / "ssh_config"
    config.write_text("".join(blocks) + common + "\n")
    inventory = workdir / "inventory.ini"
    inventory.write_text(
        "[fleet]\n" + "".join(f"{n}\n" for n in nodes)
        + f"\n[fleet:vars]\nansible_ssh_common_args=-F {config}\n"
    )  # fmt: skip
    return config, known, inventory


@contextlib.contextmanager
def running_fleet(
    count: int,
    delay_s: float = 0.1,
    *,
    capture: Path = CAPTURE,
    workdir: Path | None = None,
) -> Iterator[Fleet]:
    """Start ``count`` loopback nodes (ceil(count / 16) sshd processes); stop them on exit."""
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="bondcheck-bench-")) if workdir is None else workdir
    try:
        base.mkdir(parents=True, exist_ok=True)
        nodes = tuple(node_name(i) for i in range(count))
        addresses = tuple(node_address(i) for i in range(count))
        command = _write_node_command(base, delay_s, capture.resolve())
        key = make_keypair(base / "client" / "id_ed25519")
        for attempt in range(3):
            port = free_port(addresses[0])
            listen = [(a, port) for a in addresses]
            try:
                with running_sshd_fleet(
                    base / "sshd", [key.public], listen, extra_config=_sshd_extra(base, command)
                ) as servers:
                    host_key = servers[0].host_key
                    assert host_key is not None
                    config, known, inventory = _write_client_files(
                        base, nodes, addresses, port, servers[0].user, key, host_key
                    )
                    yield Fleet(base, nodes, addresses, port, servers[0].user, key, config,
                                known, inventory, host_key, tuple(servers))  # fmt: skip
                    return
            except SshdUnavailable as exc:
                if "Address already in use" not in str(exc) or attempt == 2:
                    raise
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)
