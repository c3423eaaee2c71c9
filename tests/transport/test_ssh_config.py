"""How a node becomes a HostSpec: ssh config files, command-line overrides, ProxyJump."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import pytest

from bondcheck.errors import CollectError, InputError
from bondcheck.model import NodeTarget
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.ssh_config import (
    GLOBAL_KNOWN_HOSTS,
    JumpHop,
    SshConfigResolver,
    parse_jump,
)

CONFIG = """
Host worker-0
    HostName 127.0.0.1
    Port 22022
    User root
    IdentityFile {d}/id_lab
    UserKnownHostsFile {d}/kh_lab
    StrictHostKeyChecking yes
    ConnectTimeout 3

Host worker-*
    User core
    IdentityFile {d}/id_fleet
    ProxyJump admin@bastion:2200

Host bastion
    HostName 192.0.2.10
    User jumper
    IdentityFile {d}/id_bastion
    StrictHostKeyChecking accept-new

Host legacy
    ProxyCommand ssh -W %h:%p gateway

Host *
    IdentitiesOnly yes
"""


def resolver(tmp_path: Path, **opts: object) -> SshConfigResolver:
    config = tmp_path / "config"
    config.write_text(CONFIG.format(d=tmp_path))
    return SshConfigResolver(TransportOptions(ssh_config=str(config), **opts))  # type: ignore[arg-type]


def test_host_alias_maps_every_field(tmp_path: Path) -> None:
    spec = resolver(tmp_path).resolve(NodeTarget("worker-0"))
    assert (spec.hostname, spec.port, spec.user) == ("127.0.0.1", 22022, "root")
    # first value wins, as in OpenSSH; later blocks add identity files
    assert spec.identity_files == (f"{tmp_path}/id_lab", f"{tmp_path}/id_fleet")
    assert spec.known_hosts_files == (f"{tmp_path}/kh_lab", *GLOBAL_KNOWN_HOSTS)
    assert spec.accept_new is False
    assert spec.connect_timeout == 3.0
    assert spec.identities_only is True
    assert spec.look_for_keys is False
    assert spec.host_key_names == ("[127.0.0.1]:22022", "[worker-0]:22022")
    assert [(j.hostname, j.port, j.user) for j in spec.jumps] == [("192.0.2.10", 2200, "admin")]


def test_cluster_address_is_dialled_with_the_name_s_settings(tmp_path: Path) -> None:
    spec = resolver(tmp_path).resolve(NodeTarget("worker-7", address="10.0.0.7"))
    assert (spec.hostname, spec.port, spec.user) == ("10.0.0.7", 22, "core")
    assert spec.identity_files == (f"{tmp_path}/id_fleet",)
    assert spec.host_key_names == ("10.0.0.7", "worker-7")
    bastion = spec.jumps[0]
    assert bastion.accept_new is True  # the bastion's own StrictHostKeyChecking
    assert bastion.identity_files == (f"{tmp_path}/id_bastion",)


def test_explicit_hostname_beats_cluster_address(tmp_path: Path) -> None:
    spec = resolver(tmp_path).resolve(NodeTarget("worker-0", address="10.0.0.9"))
    assert spec.hostname == "127.0.0.1"


def test_command_line_overrides_config(tmp_path: Path) -> None:
    spec = resolver(
        tmp_path,
        ssh_user="admin",
        ssh_port=2022,
        ssh_key="~/k",
        known_hosts="/tmp/kh",
        accept_new_host_keys=True,
        jump="none",
    ).resolve(NodeTarget("worker-0"))
    assert (spec.port, spec.user) == (2022, "admin")
    assert spec.identity_files[0] == os.path.expanduser("~/k")
    assert spec.known_hosts_files[0] == "/tmp/kh"
    assert spec.accept_new is True
    assert spec.jumps == ()


def test_cli_jump_chain_hops_use_their_own_config(tmp_path: Path) -> None:
    spec = resolver(tmp_path, jump="bastion,ops@[fd00::1]:2201", ssh_user="x").resolve(
        NodeTarget("other", address="10.1.1.1")
    )
    assert [(j.hostname, j.port, j.user) for j in spec.jumps] == [
        ("192.0.2.10", 22, "jumper"),  # --ssh-user is for the node, not the jump hosts
        ("fd00::1", 2201, "ops"),
    ]
    assert spec.jumps[1].endpoint == "[fd00::1]:2201"


def test_unconfigured_node_gets_defaults(tmp_path: Path) -> None:
    config = tmp_path / "empty"
    config.write_text("")
    spec = SshConfigResolver(TransportOptions(ssh_config=str(config), connect_timeout=4)).resolve(
        NodeTarget("n1")
    )
    assert (spec.hostname, spec.port, spec.user) == ("n1", 22, getpass.getuser())
    assert spec.look_for_keys is True and spec.identity_files == ()
    assert spec.known_hosts_files[0] == os.path.expanduser("~/.ssh/known_hosts")
    assert spec.connect_timeout == 4


def test_proxy_command_is_refused_with_advice(tmp_path: Path) -> None:
    with pytest.raises(CollectError, match=r"ProxyCommand.*use ProxyJump"):
        resolver(tmp_path).resolve(NodeTarget("legacy"))


@pytest.mark.parametrize(
    ("spec", "hops"),
    [
        ("none", ()),
        ("", ()),
        ("bastion", (JumpHop("bastion"),)),
        ("u@b:2222,c", (JumpHop("b", "u", 2222), JumpHop("c"))),
        ("ssh://u@[::1]:22", (JumpHop("::1", "u", 22),)),
    ],
)
def test_parse_jump(spec: str, hops: tuple[JumpHop, ...]) -> None:
    assert parse_jump(spec) == hops


@pytest.mark.parametrize("bad", ["u@@h", "h:port", "h:70000", "a b", "[::1"])
def test_parse_jump_rejects(bad: str) -> None:
    with pytest.raises(InputError):
        parse_jump(bad)


def test_bad_port_and_missing_file_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="--ssh-port"):
        SshConfigResolver(TransportOptions(ssh_config=os.devnull, ssh_port=0))
    with pytest.raises(InputError, match="does not exist"):
        SshConfigResolver(TransportOptions(ssh_config=str(tmp_path)))


def test_fast_lookup_equals_paramiko_lookup(tmp_path: Path) -> None:
    import paramiko

    from bondcheck.transport.ssh_config import _fast_lookup

    text = (
        CONFIG.format(d=tmp_path)
        + (
            "\nHost *.lab !bad.lab\n    User labber\n"
            "Match host Worker-9\n    Port 2299\n"
            "Host W*\n    Port 2300\n"
        )
        + "".join(f"Host n{i}\n    HostName 10.0.0.{i}\n" for i in range(50))
    )
    config = paramiko.SSHConfig.from_text(text)
    for name in [
        "worker-0",
        "worker-9",
        "Worker-9",
        "bastion",
        "legacy",
        "good.lab",
        "bad.lab",
        "n7",
        "n49",
        "nobody",
        "10.0.0.7",
    ]:
        assert dict(_fast_lookup(config, name)) == dict(config.lookup(name)), name


def test_large_config_lookup_reads_only_the_stanzas_that_can_apply(tmp_path: Path) -> None:
    """A 500-host config: each lookup hands paramiko the node's own stanza, not all 500
    (paramiko spends ~25 us per stanza; the time itself is measured in bench/)."""
    import paramiko

    from bondcheck.transport.ssh_config import _StanzaIndex

    text = "".join(
        f"Host worker-{i}\n    HostName 10.0.{i // 250}.{i % 250}\n    User core\n"
        for i in range(500)
    )
    config = tmp_path / "config"
    config.write_text(text + "Host *\n    Port 2222\n")
    resolver = SshConfigResolver(TransportOptions(ssh_config=str(config)))
    for i in range(0, 500, 50):
        spec = resolver.resolve(NodeTarget(f"worker-{i}", address="192.0.2.1"))
        assert (spec.hostname, spec.port) == (f"10.0.{i // 250}.{i % 250}", 2222)
    stanzas = paramiko.SSHConfig.from_text(text + "Host *\n    Port 2222\n")._config
    chosen = _StanzaIndex(stanzas).candidates(stanzas, "worker-7")
    # paramiko starts every config with an implicit "Host *" stanza
    assert len(stanzas) == 502
    assert [c["host"] for c in chosen] == [["*"], ["worker-7"], ["*"]]


def test_paramiko_private_config_has_the_shape_the_index_reads() -> None:
    """_fast_lookup reads paramiko's SSHConfig._config (pyproject pins paramiko's major
    version): a list of {"host": [...], "config": {...}} stanzas, Match blocks with
    "matches". A paramiko that changes it fails here, not in a user's fleet run."""
    import paramiko

    config = paramiko.SSHConfig.from_text(
        "Host a b\n    User u\nMatch host c\n    Port 2\n"
    )._config
    assert isinstance(config, list)
    assert config[1] == {"host": ["a", "b"], "config": {"user": "u"}}
    assert "matches" in config[2] and config[2]["config"] == {"port": "2"}
