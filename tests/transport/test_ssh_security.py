"""Host-key verification, authentication failures and unreachable nodes, against a real sshd.

Every failure must be one line naming the node and what to do, and must never carry key
material or a passphrase.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bondcheck.errors import CollectError
from bondcheck.model import NodeTarget
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.ssh import SshTransport
from tests.sshd.env import SshdEnv, known_hosts_line, sshd_environment
from tests.sshd.fixtures import require_sshd
from tests.sshd.server import free_port, make_keypair, running_sshd

NODE = NodeTarget("worker-a", address="127.0.0.1")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdEnv]:
    require_sshd()
    with sshd_environment(tmp_path_factory.mktemp("sshsec")) as sshd:
        yield sshd


@pytest.fixture(autouse=True)
def _no_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)


def options(env: SshdEnv, known: Path, **extra: object) -> TransportOptions:
    fields: dict = dict(
        ssh_config=os.devnull,
        ssh_user=env.user,
        ssh_port=env.port,
        ssh_key=str(env.client_key.path),
        known_hosts=str(known),
    )
    fields.update(extra)
    return TransportOptions(**fields)


def collect_error(opts: TransportOptions, target: NodeTarget = NODE, timeout: float = 15) -> str:
    transport = SshTransport(opts)
    try:
        with pytest.raises(CollectError) as info:
            transport.collect(target, ["bond0"], timeout)
    finally:
        transport.close()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{target.name}: ")
    return message


def test_unknown_host_key_is_refused(env: SshdEnv, tmp_path: Path) -> None:
    known = tmp_path / "known_hosts"
    known.write_text("")
    message = collect_error(options(env, known))
    assert f"host key for [127.0.0.1]:{env.port} is not known" in message
    assert "--accept-new-host-keys" in message
    assert known.read_text() == ""  # nothing recorded without consent


def test_accept_new_records_the_key_once(env: SshdEnv, tmp_path: Path) -> None:
    known = tmp_path / "sub" / "known_hosts"  # missing file and directory are created
    transport = SshTransport(options(env, known, accept_new_host_keys=True))
    try:
        transport.collect(NODE, ["bond0"], 15)
    finally:
        transport.close()
    assert known.read_text().splitlines() == [env.host_key_line]
    assert known.stat().st_mode & 0o777 == 0o600
    # The recorded key now satisfies strict checking.
    strict = SshTransport(options(env, known))
    try:
        assert strict.collect(NODE, ["bond0"], 15).bonds == {"bond0": None}
    finally:
        strict.close()
    assert known.read_text().splitlines() == [env.host_key_line]


def test_accept_new_from_ssh_config(env: SshdEnv, tmp_path: Path) -> None:
    known = tmp_path / "kh"
    config = env.write_ssh_config(tmp_path / "config", "worker-0", known)
    config.write_text(
        config.read_text().replace("StrictHostKeyChecking yes", "StrictHostKeyChecking accept-new")
    )
    transport = SshTransport(TransportOptions(ssh_config=str(config)))
    try:
        transport.collect(NodeTarget("worker-0"), ["bond0"], 15)
    finally:
        transport.close()
    assert known.read_text().splitlines() == [env.host_key_line]


@pytest.mark.parametrize("accept_new", [False, True])
def test_changed_host_key_is_refused_even_with_accept_new(
    env: SshdEnv, tmp_path: Path, accept_new: bool
) -> None:
    impostor = make_keypair(tmp_path / "other_host_key")
    known = tmp_path / "known_hosts"
    known.write_text(
        "# recorded earlier\n" + known_hosts_line("127.0.0.1", env.port, impostor) + "\n"
    )
    before = known.read_text()
    message = collect_error(options(env, known, accept_new_host_keys=accept_new))
    assert f"host key for [127.0.0.1]:{env.port} has CHANGED" in message
    assert "man-in-the-middle" in message
    assert f"{known}:2" in message  # points at the stale line
    assert known.read_text() == before


def test_node_name_entry_vouches_for_its_address(env: SshdEnv, tmp_path: Path) -> None:
    # known_hosts lists the node by name; the node is dialled by its cluster address.
    assert env.server.host_key is not None
    known = tmp_path / "known_hosts"
    known.write_text(known_hosts_line("worker-a", env.port, env.server.host_key) + "\n")
    transport = SshTransport(options(env, known))
    try:
        assert transport.collect(NODE, ["bond0"], 15).bonds == {"bond0": None}
    finally:
        transport.close()


def test_hashed_known_hosts_entry_is_honoured(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "known_hosts")
    subprocess.run(["ssh-keygen", "-H", "-f", str(known)], capture_output=True, check=True)
    assert known.read_text().startswith("|1|")
    transport = SshTransport(options(env, known))
    try:
        assert transport.collect(NODE, ["bond0"], 15).privileged is True
    finally:
        transport.close()


def test_wrong_key_fails_auth_without_leaking_secrets(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "known_hosts")
    stranger = make_keypair(tmp_path / "id_stranger")
    message = collect_error(options(env, known, ssh_key=str(stranger.path)))
    assert f"authentication failed for {env.user}@127.0.0.1" in message
    assert str(stranger.path) in message
    secret = stranger.path.read_text()
    assert "PRIVATE KEY" not in message and stranger.blob not in message
    assert not any(line in message for line in secret.splitlines()[1:-1])


def test_passphrase_key_is_skipped_and_never_printed(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "known_hosts")
    locked = make_keypair(tmp_path / "id_locked", passphrase="hunter2-secret")
    message = collect_error(options(env, known, ssh_key=str(locked.path)))
    assert "authentication failed" in message
    assert "passphrase-protected" in message
    assert "hunter2" not in message


def test_missing_key_file_is_named(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "known_hosts")
    message = collect_error(options(env, known, ssh_key=str(tmp_path / "nope")))
    assert f"key file {tmp_path / 'nope'} does not exist" in message


def test_stopped_sshd_is_a_clean_refusal(env: SshdEnv, tmp_path: Path) -> None:
    with running_sshd(tmp_path / "srv", [env.client_key.public]) as server:
        port = server.listen[0][1]
    known = env.write_known_hosts(tmp_path / "known_hosts")
    message = collect_error(options(env, known, ssh_port=port))
    assert message == (f"worker-a: connection to 127.0.0.1:{port} refused (is sshd running there?)")


def test_unresolvable_name(env: SshdEnv, tmp_path: Path) -> None:
    known = env.write_known_hosts(tmp_path / "known_hosts")
    message = collect_error(options(env, known), NodeTarget("no-such-node.invalid"))
    assert "cannot resolve no-such-node.invalid" in message


def test_silent_port_hits_the_handshake_timeout(env: SshdEnv, tmp_path: Path) -> None:
    # A listener that accepts but never speaks SSH: the collect deadline still holds.
    import socket

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        known = env.write_known_hosts(tmp_path / "known_hosts")
        port = silent.getsockname()[1]
        message = collect_error(options(env, known, ssh_port=port), timeout=1.0)
    assert message == "worker-a: timed out after 1s"


def test_bad_jump_spec_and_missing_config_are_input_errors(tmp_path: Path) -> None:
    from bondcheck.errors import InputError

    with pytest.raises(InputError, match="invalid jump host"):
        SshTransport(TransportOptions(ssh_config=os.devnull, jump="user@@host"))
    with pytest.raises(InputError, match="does not exist"):
        SshTransport(TransportOptions(ssh_config=str(tmp_path / "missing")))


def test_free_port_is_unused() -> None:
    port = free_port()
    import socket

    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
