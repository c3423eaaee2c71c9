"""Capture directories: the layout of DESIGN.md, sosreport trees, and round trips."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bondcheck.errors import CollectError, InputError
from bondcheck.model import Enactment, Evidence, NodeFailure
from bondcheck.parse.iproute import parse_ip_state
from bondcheck.transport.capture import (
    capture_nodes,
    check_node_name,
    node_name_problem,
    read_capture,
    read_node,
    write_capture,
    write_failure,
)
from bondcheck.transport.capture_sos import oneline_addr_to_json

ROOT = Path(__file__).resolve().parents[2]
BOND_TEXT = (
    ROOT / "fixtures/procfs/corpus/ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt"
).read_text()
ADDR = (ROOT / "fixtures/iproute/lab-8023ad-healthy.ip-addr.json").read_text()
LINK = (ROOT / "fixtures/iproute/lab-8023ad-healthy.ip-link.json").read_text()


def _full() -> Evidence:
    return Evidence(
        node="worker-0",
        transport="ssh",
        bonds={"bond0": BOND_TEXT.replace("\n", "\r\n"), "bond1": None},
        ip_addr=ADDR,
        ip_link=LINK,
        privileged=True,
        kernel="6.1.0-18-amd64\n",
        enactment=Enactment(
            node="worker-0", policy="worker-bond-lacp", status="Available", policy_generation=2
        ),
        nns_state={"interfaces": [{"name": "bond0", "type": "bond"}]},
        notes=("collected with sudo -n",),
        lldp=(ROOT / "fixtures/lldp/lldpctl-one-port.json").read_text(),
    )


def test_write_then_read_gives_the_same_evidence(tmp_path):
    evidence = _full()
    node_dir = write_capture(evidence, tmp_path)
    assert node_dir == tmp_path / "worker-0"
    assert (node_dir / "proc/net/bonding/bond0").read_bytes() == evidence.bonds["bond0"].encode()
    assert not (node_dir / "proc/net/bonding/bond1").exists()
    back = read_node(node_dir, "worker-0")
    meta = json.loads((node_dir / "meta.json").read_text())
    assert back == replace(evidence, transport="capture", collected_at=meta["collected_at"])
    assert meta["collected_via"] == "ssh" and meta["bonds_absent"] == ["bond1"]
    assert (node_dir / "lldp.json").read_text() == evidence.lldp


def test_minimal_layout_reads_without_meta(tmp_path):
    node = tmp_path / "w1"
    (node / "proc/net/bonding").mkdir(parents=True)
    (node / "proc/net/bonding/bond0").write_text(BOND_TEXT)
    (node / "ip-addr.json").write_text(ADDR)
    evidence = read_node(node, "w1", ["bond0", "bond9"])
    assert evidence.transport == "capture"
    assert evidence.bonds == {"bond0": BOND_TEXT, "bond9": None}
    assert evidence.ip_addr == ADDR and evidence.ip_link is None
    assert evidence.privileged is None and evidence.kernel is None


def test_rewriting_a_node_removes_stale_bond_files(tmp_path):
    write_capture(_full(), tmp_path)
    write_capture(replace(_full(), bonds={"bond7": "x"}), tmp_path)
    files = sorted(p.name for p in (tmp_path / "worker-0/proc/net/bonding").iterdir())
    assert files == ["bond7"]


def test_a_failed_node_reads_back_as_a_failure(tmp_path):
    write_capture(_full(), tmp_path)
    write_failure("worker-9", "ssh: Permission denied (publickey)\n", tmp_path)
    (tmp_path / "empty-node").mkdir()
    items = read_capture(tmp_path, ["bond0"])
    assert [i.node for i in items] == ["empty-node", "worker-0", "worker-9"]
    assert isinstance(items[0], NodeFailure) and "no evidence" in items[0].message
    assert isinstance(items[1], Evidence)
    assert items[2] == NodeFailure("worker-9", "capture", "ssh: Permission denied (publickey)")
    with pytest.raises(CollectError, match="Permission denied"):
        read_node(tmp_path / "worker-9", "worker-9")


def test_node_filter_and_unknown_node(tmp_path):
    write_capture(_full(), tmp_path)
    write_capture(replace(_full(), node="worker-1"), tmp_path)
    only = read_capture(tmp_path, ["bond0"], ["worker-1"])
    assert [i.node for i in only] == ["worker-1"]
    with pytest.raises(InputError, match=r"node worker-7 not in .*it holds: worker-0, worker-1"):
        read_capture(tmp_path, ["bond0"], ["worker-7"])


@pytest.mark.parametrize("bad", ["../etc", "..", ".hidden", "a/b", "-rf", "", "a b", "x" * 254])
def test_node_names_that_could_escape_are_refused(tmp_path, bad):
    assert node_name_problem(bad)
    with pytest.raises(InputError):
        check_node_name(bad)
    with pytest.raises(InputError):
        write_capture(replace(_full(), node=bad), tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("good", ["worker-0", "node01.example.com", "10.0.0.5", "fe80::1%eth0"])
def test_real_node_names_are_accepted(good):
    assert node_name_problem(good) is None


def test_bond_names_are_interface_names(tmp_path):
    with pytest.raises(InputError, match="bond name"):
        write_capture(replace(_full(), bonds={"../../x": "text"}), tmp_path)


def test_from_dir_must_be_a_directory_with_nodes(tmp_path):
    with pytest.raises(InputError, match="not a directory"):
        capture_nodes(tmp_path / "nope")
    with pytest.raises(InputError, match="no node directories"):
        capture_nodes(tmp_path)


def test_a_single_node_directory_is_accepted_as_the_root(tmp_path):
    node_dir = write_capture(_full(), tmp_path)
    assert capture_nodes(node_dir) == [("worker-0", node_dir)]


# --- sosreport --------------------------------------------------------------------------

IP_O_ADDR = """\
1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
1: lo    inet6 ::1/128 scope host noprefixroute \\       valid_lft forever preferred_lft forever
4: bond0    inet 192.168.100.10/24 brd 192.168.100.255 scope global noprefixroute bond0\\       valid_lft forever preferred_lft forever
4: bond0    inet6 fe80::dc51:fff:fe7e:a238/64 scope link \\       valid_lft forever preferred_lft forever
5: tun0    inet 10.9.0.1 peer 10.9.0.2/32 scope global tun0\\       valid_lft forever preferred_lft forever
"""  # noqa: E501


def _sosreport(root: Path, *, json_addr: bool = False) -> Path:
    (root / "proc/net/bonding").mkdir(parents=True)
    (root / "proc/net/bonding/bond0").write_text(BOND_TEXT)
    net = root / "sos_commands/networking"
    net.mkdir(parents=True)
    (net / "ip_-o_addr").write_text(IP_O_ADDR)
    (net / "ip_-d_address").write_text("4: bond0: <BROADCAST,MULTICAST,MASTER,UP> mtu 1500\n")
    if json_addr:
        (net / "ip_-j_addr").write_text(ADDR)
    (root / "hostname").write_text("worker-5.example.com\n")
    (root / "uname").write_text("Linux worker-5 5.14.0-427.el9.x86_64 #1 SMP x86_64 GNU/Linux\n")
    return root


def test_sosreport_root_is_one_node_named_by_its_hostname(tmp_path):
    sos = _sosreport(tmp_path / "sosreport-worker-5-2024")
    [item] = read_capture(sos, ["bond0"])
    assert isinstance(item, Evidence)
    assert item.node == "worker-5.example.com"
    assert item.bonds["bond0"] == BOND_TEXT
    assert item.kernel == "5.14.0-427.el9.x86_64"
    assert any("rebuilt from sosreport text" in n for n in item.notes)
    state = parse_ip_state(item.ip_addr)
    assert [str(a) for a in state.addresses["bond0"]] == [
        "192.168.100.10/24",
        "fe80::dc51:fff:fe7e:a238/64",
    ]
    assert "lo" in state.addresses


def test_sosreport_json_output_is_preferred(tmp_path):
    sos = _sosreport(tmp_path / "nodes" / "w5", json_addr=True)
    [item] = read_capture(tmp_path / "nodes", ["bond0"])
    assert item.node == "worker-5.example.com"  # a sosreport is named by its own hostname
    assert item.ip_addr == ADDR
    assert any("ip_-j_addr" in n for n in item.notes)
    assert sos.exists()


def test_oneline_addr_to_json_shape():
    links = json.loads(oneline_addr_to_json(IP_O_ADDR + "garbage line\n"))
    by_name = {link["ifname"]: link for link in links}
    assert list(by_name) == ["lo", "bond0", "tun0"]
    bond = by_name["bond0"]
    assert bond["ifindex"] == 4
    assert bond["addr_info"][0] == {
        "family": "inet",
        "local": "192.168.100.10",
        "prefixlen": 24,
        "scope": "global",
        "label": "bond0",
    }
    assert bond["addr_info"][1]["scope"] == "link"
    assert by_name["tun0"]["addr_info"][0]["prefixlen"] == 32


def test_empty_command_output_is_not_collected_rather_than_garbage(tmp_path):
    node = tmp_path / "w1"
    (node / "proc/net/bonding").mkdir(parents=True)
    (node / "proc/net/bonding/bond0").write_text(BOND_TEXT)
    (node / "ip-addr.json").write_text(ADDR)
    (node / "ip-link.json").write_text("")
    (node / "kernel.txt").write_text("\n")
    evidence = read_node(node, "w1", ["bond0"])
    assert evidence.ip_addr == ADDR
    assert evidence.ip_link is None and evidence.kernel is None
    assert "ip-link.json is empty: treated as not collected" in evidence.notes


def test_unpacked_sosreports_are_found_by_the_hostname_inside_them(tmp_path):
    _sosreport(tmp_path / "sosreport-worker-5-2024-05-01")
    (tmp_path / "worker-0").mkdir()
    (tmp_path / "worker-0" / "error.txt").write_text("ssh: timed out\n")
    items = read_capture(tmp_path, ["bond0"], ["worker-5.example.com"])
    assert [i.node for i in items] == ["worker-5.example.com"]
    assert isinstance(items[0], Evidence)
    assert [name for name, _ in capture_nodes(tmp_path)] == ["worker-0", "worker-5.example.com"]


def test_a_capture_one_level_too_high_says_where_the_nodes_are(tmp_path):
    write_capture(_full(), tmp_path / "captures")
    (tmp_path / "notes").mkdir()
    with pytest.raises(InputError) as info:
        read_capture(tmp_path, ["bond0"])
    assert str(info.value) == (
        f"--from-dir {tmp_path}: holds no node directory; did you mean {tmp_path / 'captures'}?"
    )
