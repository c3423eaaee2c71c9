"""SshTransport against a real OpenSSH sshd on loopback: collection, sessions, connection
reuse, ssh config and ProxyJump.

This host's kernel has no bonding driver, so these tests prove the transport's mechanics (the
script runs remotely, absent bonds come back as None, ip -j output arrives intact); tests
against real bonds use the QEMU lab.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bondcheck.errors import CollectError
from bondcheck.fleet import collect_fleet
from bondcheck.model import Evidence, NodeFailure, NodeTarget
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.ssh import SshTransport
from tests.sshd.env import SshdEnv, sshd_environment
from tests.sshd.fixtures import require_sshd
from tests.sshd.server import free_port, running_sshd_fleet


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdEnv]:
    """One sshd on two ports; the second forbids forwarding and only ever sleeps."""
    port, locked = free_port(), free_port()
    extra = f"Match LocalPort {locked}\n    AllowTcpForwarding no\n    ForceCommand sleep 5\n"
    listen = [("127.0.0.1", port), ("127.0.0.1", locked)]
    require_sshd()
    with sshd_environment(
        tmp_path_factory.mktemp("ssh"), listen=listen, extra_config=extra
    ) as sshd:
        yield sshd


@pytest.fixture(autouse=True)
def _no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


def cli_options(env: SshdEnv, tmp_path: Path, **extra: object) -> TransportOptions:
    """Options as the CLI would build them, with no ssh config file at all."""
    known = env.write_known_hosts(tmp_path / "known_hosts")
    fields: dict = dict(
        ssh_config=os.devnull,
        ssh_user=env.user,
        ssh_port=env.port,
        ssh_key=str(env.client_key.path),
        known_hosts=str(known),
    )
    fields.update(extra)
    return TransportOptions(**fields)


def accepted(env: SshdEnv) -> int:
    """How many logins the sshd has accepted so far."""
    return env.server.log().count("Accepted publickey")


def assert_host_evidence(ev: Evidence, node: str) -> None:
    assert ev.node == node
    assert ev.transport == "ssh"
    assert ev.bonds == {"bond0": None}  # no bonding driver on this host
    assert ev.privileged is True  # the sshd user is root here
    assert ev.kernel == os.uname().release
    names = {link["ifname"] for link in json.loads(ev.ip_link or "[]")}
    assert "lo" in names
    assert any(a["ifname"] == "lo" for a in json.loads(ev.ip_addr or "[]"))


def test_collect_by_address_with_cli_options(env: SshdEnv, tmp_path: Path) -> None:
    transport = SshTransport(cli_options(env, tmp_path))
    try:
        ev = transport.collect(NodeTarget("worker-a", address="127.0.0.1"), ["bond0"], 15)
    finally:
        transport.close()
    assert_host_evidence(ev, "worker-a")


def test_collect_through_ssh_config_alias(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "kh")
    config = env.write_ssh_config(tmp_path / "config", "worker-0", known)
    transport = SshTransport(TransportOptions(ssh_config=str(config)))
    try:
        ev = transport.collect(NodeTarget("worker-0"), ["bond0"], 15)
    finally:
        transport.close()
    assert_host_evidence(ev, "worker-0")


def test_config_alias_wins_over_cluster_address(env: SshdEnv, tmp_path: Path) -> None:
    # The node's cluster address is unreachable; the user's Host entry says how to get in.
    known = env.write_known_hosts(tmp_path / "kh")
    config = env.write_ssh_config(tmp_path / "config", "worker-0", known)
    transport = SshTransport(TransportOptions(ssh_config=str(config)))
    try:
        ev = transport.collect(NodeTarget("worker-0", address="127.0.0.9"), ["bond0"], 15)
    finally:
        transport.close()
    assert ev.bonds == {"bond0": None}


def test_default_config_keys_and_known_hosts_from_home(
    env: SshdEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing configured on the command line: ~/.ssh/config, ~/.ssh/known_hosts and the
    # default key ~/.ssh/id_ed25519 are found the way ssh finds them.
    ssh_dir = tmp_path / ".ssh"
    ssh_dir.mkdir()
    (ssh_dir / "id_ed25519").write_bytes(env.client_key.path.read_bytes())
    env.write_known_hosts(ssh_dir / "known_hosts")
    (ssh_dir / "config").write_text(f"Host node-*\n    Port {env.port}\n    User {env.user}\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    transport = SshTransport(TransportOptions())
    try:
        ev = transport.collect(NodeTarget("node-1", address="127.0.0.1"), ["bond0"], 15)
    finally:
        transport.close()
    assert ev.privileged is True


def test_same_node_twice_reuses_the_connection(env: SshdEnv, tmp_path: Path) -> None:
    transport = SshTransport(cli_options(env, tmp_path))
    target = NodeTarget("worker-a", address="127.0.0.1")
    before = accepted(env)
    try:
        transport.collect(target, ["bond0"], 15)
        transport.collect(target, ["bond0", "bond1"], 15)
        assert accepted(env) == before + 1
        session = transport.session(target)
        assert session.run("echo again", 10) == (0, "again\n", "")
        session.close()
    finally:
        transport.close()
    assert accepted(env) == before + 1


def test_session_runs_commands_with_stdin_status_and_stderr(env: SshdEnv, tmp_path: Path) -> None:
    transport = SshTransport(cli_options(env, tmp_path))
    try:
        session = transport.session(NodeTarget("worker-a", address="127.0.0.1"))
        assert session.run("cat; echo oops >&2; exit 3", 10, stdin="from stdin\n") == (
            3,
            "from stdin\n",
            "oops\n",
        )
        big = "x" * 300_000 + "\n"
        rc, out, _ = session.run("wc -c", 10, stdin=big)
        assert (rc, out.strip()) == (0, str(len(big)))
    finally:
        transport.close()
    assert not session.alive  # closing the transport closed the caller's session too


def test_command_timeout_closes_channel_and_keeps_session(env: SshdEnv, tmp_path: Path) -> None:
    transport = SshTransport(cli_options(env, tmp_path))
    try:
        session = transport.session(NodeTarget("worker-a", address="127.0.0.1"))
        with pytest.raises(CollectError, match=r"^worker-a: timed out after 0\.5s$"):
            session.run("sleep 5", 0.5)
        assert session.run("echo still-here", 10) == (0, "still-here\n", "")
    finally:
        transport.close()


def test_collect_timeout_covers_the_whole_collection(env: SshdEnv, tmp_path: Path) -> None:
    # The second port runs `sleep 5` whatever is asked (ForceCommand).
    locked = env.server.listen[1][1]
    transport = SshTransport(cli_options(env, tmp_path, ssh_port=locked))
    try:
        with pytest.raises(CollectError, match=r"^slow: timed out after 1\.5s$"):
            transport.collect(NodeTarget("slow", address="127.0.0.1"), ["bond0"], 1.5)
    finally:
        transport.close()


def test_proxy_jump_chain_via_direct_tcpip(env: SshdEnv, tmp_path: Path) -> None:
    jump = f"{env.user}@127.0.0.1:{env.port}"
    transport = SshTransport(cli_options(env, tmp_path, jump=f"{jump},{jump}"))
    transport.max_idle_connections = 0  # force a new target connection per collect
    before = accepted(env)
    try:
        for name in ("a", "b"):
            ev = transport.collect(NodeTarget(name, address="127.0.0.1"), ["bond0"], 20)
            assert ev.bonds == {"bond0": None}
    finally:
        transport.close()
    # two jump hosts logged in once each, shared by both nodes; two target logins
    assert accepted(env) == before + 4


def test_proxy_jump_really_tunnels(env: SshdEnv, tmp_path: Path) -> None:
    # Through the port that forbids forwarding, the tunnel must fail: the jump is used.
    locked = env.server.listen[1][1]
    transport = SshTransport(cli_options(env, tmp_path, jump=f"{env.user}@127.0.0.1:{locked}"))
    try:
        with pytest.raises(CollectError) as info:
            transport.collect(NodeTarget("n", address="127.0.0.1"), ["bond0"], 15)
    finally:
        transport.close()
    assert str(info.value) == (
        f"n: the jump host could not connect to 127.0.0.1:{env.port}: Administratively prohibited"
    )


def test_proxy_jump_from_ssh_config(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "kh")
    config = env.write_ssh_config(
        tmp_path / "config", "worker-0", known, extra=["ProxyJump bastion"]
    )
    with config.open("a") as handle:
        handle.write(
            f"Host bastion\n    HostName 127.0.0.1\n    Port {env.port}\n"
            f"    User {env.user}\n    IdentityFile {env.client_key.path}\n"
            f"    UserKnownHostsFile {known}\n"
        )
    transport = SshTransport(TransportOptions(ssh_config=str(config)))
    before = accepted(env)
    try:
        assert transport.collect(NodeTarget("worker-0"), ["bond0"], 20).bonds == {"bond0": None}
    finally:
        transport.close()
    assert accepted(env) == before + 2


def test_fleet_over_ssh_keeps_order_and_isolates_a_dead_node(env: SshdEnv, tmp_path: Path) -> None:
    transport = SshTransport(cli_options(env, tmp_path))
    targets = [NodeTarget(f"n{i}", address="127.0.0.1") for i in range(5)]
    # the dead node is dialled on the same port as the others, but 127.0.0.3 has no sshd
    targets.insert(2, NodeTarget("dead", address="127.0.0.3"))
    try:
        results = collect_fleet(transport, targets, ["bond0"], timeout=20, concurrency=3)
    finally:
        transport.close()
    assert [r.node for r in results] == [t.name for t in targets]
    failure = results[2]
    assert isinstance(failure, NodeFailure)
    assert "refused" in failure.message and failure.transport == "ssh"
    assert all(isinstance(r, Evidence) for i, r in enumerate(results) if i != 2)


def test_sshd_fleet_serves_many_loopback_nodes(env: SshdEnv, tmp_path: Path) -> None:
    # 17 "nodes" on 127.0.0.2 ... 127.0.0.18 need two sshd processes (16 listeners each).
    port = free_port()
    listen = [(f"127.0.0.{i}", port) for i in range(2, 19)]
    with running_sshd_fleet(tmp_path / "fleet", [env.client_key.public], listen) as servers:
        assert len(servers) == 2
        known = tmp_path / "known_hosts"
        known.write_text("".join(f"{line}\n" for s in servers for line in s.known_hosts_lines()))
        opts = TransportOptions(
            ssh_config=os.devnull,
            ssh_user=env.user,
            ssh_port=port,
            ssh_key=str(env.client_key.path),
            known_hosts=str(known),
        )
        transport = SshTransport(opts)
        targets = [NodeTarget(f"node-{host}", address=host) for host, _ in listen]
        try:
            results = collect_fleet(transport, targets, ["bond0"], timeout=60, concurrency=8)
        finally:
            transport.close()
    assert [r.node for r in results] == [t.name for t in targets]
    assert all(isinstance(r, Evidence) for r in results), results
    assert all(s.process is None for s in servers)  # stopped on exit


def test_pooled_connection_dropped_by_the_node_is_redialled(env: SshdEnv, tmp_path: Path) -> None:
    transport = SshTransport(cli_options(env, tmp_path))
    target = NodeTarget("worker-a", address="127.0.0.1")
    before = accepted(env)
    try:
        transport.collect(target, ["bond0"], 15)
        env.server.drop_connections()  # the idle pooled connection dies on the node side
        assert transport.collect(target, ["bond0"], 15).bonds == {"bond0": None}
    finally:
        transport.close()
    assert accepted(env) == before + 2


def test_pooled_connection_that_fails_its_next_command_is_redialled(
    env: SshdEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A connection that still looks alive but cannot open a channel any more (a half-open
    # TCP session after a node reboot): the collect dials again within its deadline.
    import paramiko

    transport = SshTransport(cli_options(env, tmp_path))
    target = NodeTarget("worker-a", address="127.0.0.1")
    try:
        transport.collect(target, ["bond0"], 15)
        (pooled,) = transport._idle.values()

        def refuse(*args: object, **kwargs: object) -> None:
            raise paramiko.SSHException("Unable to open channel.")

        monkeypatch.setattr(pooled.transport, "open_session", refuse)
        assert transport.collect(target, ["bond0"], 15).bonds == {"bond0": None}
        assert not pooled.alive
        (fresh,) = transport._idle.values()  # the redialled connection went back to the pool
        assert fresh is not pooled
    finally:
        transport.close()
