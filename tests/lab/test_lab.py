"""Proof that the lab itself is real: LACP negotiates, cables pull, traffic flows.

These run against the session `lab` fixture (three QEMU guests with the Debian cloud kernel).
Tests pick fixed nodes so that scenarios already built are reused instead of rebuilt.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from tests.lab import bondproc as bp
from tests.lab.errors import LabError
from tests.lab.harness import Lab, Node

pytestmark = pytest.mark.lab

PORTS = ("ens224", "ens256")


def _node(lab: Lab, i: int) -> Node:
    return lab.nodes[i % len(lab.nodes)]


def _json(lab: Lab, node: Node, cmd: str) -> Any:
    return json.loads(lab.check(node, cmd, mutates=False))


def _switch_mac(lab: Lab, node: Node, dev: str) -> str:
    return str(_json(lab, node, f"ip -n switch -j link show {dev}")[0]["address"])


def _packets(lab: Lab, node: Node, dev: str, netns: str = "") -> tuple[int, int]:
    prefix = f"ip -n {netns}" if netns else "ip"
    stats = _json(lab, node, f"{prefix} -j -s link show {dev}")[0]["stats64"]
    return int(stats["tx"]["packets"]), int(stats["rx"]["packets"])


def test_nodes_answer_through_generated_ssh_config(lab: Lab) -> None:
    names = [n.name for n in lab.nodes]
    assert names == [f"worker-{i}" for i in range(len(names))]
    node = lab.nodes[0]
    proc = subprocess.run(
        [
            "ssh",
            "-F",
            str(lab.ssh_config_path),
            node.name,
            "uname -r; test -d /sys/module/bonding && echo bonding-loaded",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    kernel, marker = proc.stdout.split()
    assert kernel == lab.kernel_version
    assert kernel.endswith("-cloud-amd64")
    assert marker == "bonding-loaded"
    entries = sorted(line.split()[0] for line in lab.known_hosts_path.read_text().splitlines())
    assert entries == sorted(f"[{n.host}]:{n.port}" for n in lab.nodes)


def test_ssh_config_rejects_a_wrong_host_key(lab: Lab, tmp_path: Any) -> None:
    if len(lab.nodes) < 2:
        pytest.skip("needs two nodes")
    first, second = lab.nodes[0], lab.nodes[1]
    lines = lab.known_hosts_path.read_text().splitlines()
    other_key = next(ln for ln in lines if ln.startswith(f"[{second.host}]:{second.port} "))
    forged = tmp_path / "known_hosts"
    forged.write_text(other_key.replace(f":{second.port} ", f":{first.port} ", 1) + "\n")
    proc = subprocess.run(
        [
            "ssh",
            "-F",
            str(lab.ssh_config_path),
            "-o",
            f"UserKnownHostsFile={forged}",
            first.name,
            "true",
        ],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert proc.returncode == 255
    assert "HOST IDENTIFICATION HAS CHANGED" in proc.stderr


def test_lacp_really_negotiates(lab: Lab) -> None:
    node = _node(lab, 0)
    bond = lab.scenario(node, "healthy-802.3ad")
    assert bond is not None
    switch_mac = _switch_mac(lab, node, "swbond")
    assert bond.mode == "IEEE 802.3ad Dynamic link aggregation"
    assert bond.active_aggregator is not None
    assert bond.partner_mac == switch_mac != bp.ZERO_MAC
    for name in PORTS:
        port = bond.ports[name]
        assert port.mii == "up"
        assert port.aggregator == bond.active_aggregator
        assert port.partner_mac == switch_mac
        assert (port.actor_state, port.partner_state) == (63, 63)
    info = _json(lab, node, "ip -j -d link show bond0")[0]["linkinfo"]["info_data"]
    assert info["ad_info"]["partner_mac"] == switch_mac
    assert info["ad_info"]["num_ports"] == 2
    assert info["ad_lacp_rate"] == "fast"


def test_traffic_flows_through_the_bond(lab: Lab) -> None:
    node = _node(lab, 0)
    lab.scenario(node, "healthy-802.3ad")
    bond_tx, bond_rx = _packets(lab, node, "bond0")
    _, switch_rx = _packets(lab, node, "swbond", netns="switch")
    rc, out, err = lab.run(node, "ping -c 5 -i 0.2 -W 2 192.168.100.1", 60, mutates=False)
    assert rc == 0, out + err
    assert "5 packets received" in out
    after_tx, after_rx = _packets(lab, node, "bond0")
    _, after_switch_rx = _packets(lab, node, "swbond", netns="switch")
    assert after_tx - bond_tx >= 5
    assert after_rx - bond_rx >= 5
    assert after_switch_rx - switch_rx >= 5


def test_switch_side_cable_pull_shows_as_mii_down(lab: Lab) -> None:
    node = _node(lab, 1)
    before = lab.scenario(node, "healthy-802.3ad")
    assert before is not None
    failures = before.ports["ens224"].link_failures
    pulled = lab.fault(node, "cable-pull", port="ens224")
    assert pulled is not None
    assert pulled.ports["ens224"].mii == "down"
    assert pulled.ports["ens224"].link_failures == failures + 1
    assert pulled.mii == "up"
    flags = _json(lab, node, "ip -j link show ens224")[0]["flags"]
    assert "NO-CARRIER" in flags
    assert "UP" in flags  # carrier loss, not an administrative down on the node
    rc, out, _ = lab.run(node, "ping -c 3 -i 0.2 -W 2 192.168.100.1", 60, mutates=False)
    assert rc == 0, out
    rejoined = lab.fault(node, "cable-plug", port="ens224")
    assert rejoined is not None
    assert rejoined.ports["ens224"].aggregator == rejoined.active_aggregator
    assert rejoined.ports["ens224"].actor_state == 63


def _active_backup(lab: Lab, node: Node, bond: bp.Bond | None) -> None:
    assert bond is not None
    assert bond.mode == "fault-tolerance (active-backup)"
    assert (bond.primary, bond.active_port) == ("ens224", "ens224")
    info = _json(lab, node, "ip -j -d link show bond0")[0]["linkinfo"]["info_data"]
    assert (info["miimon"], info["updelay"], info["downdelay"]) == (100, 200, 200)


def _balance_xor(lab: Lab, node: Node, bond: bp.Bond | None) -> None:
    assert bond is not None
    assert bond.mode == "load balancing (xor)"
    info = _json(lab, node, "ip -j -d link show bond0")[0]["linkinfo"]["info_data"]
    assert info["xmit_hash_policy"] == "layer3+4"
    switch = _json(lab, node, "ip -n switch -j -d link show swbond")[0]
    assert switch["linkinfo"]["info_data"]["mode"] == "balance-xor"


def _no_partner(lab: Lab, node: Node, bond: bp.Bond | None) -> None:
    assert bond is not None
    assert bond.partner_mac == bp.ZERO_MAC
    assert {bond.ports[p].partner_mac for p in PORTS} == {bp.ZERO_MAC}
    assert bond.ports["ens224"].aggregator != bond.ports["ens256"].aggregator
    assert (
        _json(lab, node, "ip -n switch -j -d link show swbr")[0]["linkinfo"]["info_kind"]
        == "bridge"
    )


def _split(lab: Lab, node: Node, bond: bp.Bond | None) -> None:
    assert bond is not None
    assert bond.ports["ens224"].partner_mac == _switch_mac(lab, node, "swbond0")
    assert bond.ports["ens256"].partner_mac == _switch_mac(lab, node, "swbond1")
    assert bond.ports["ens224"].aggregator != bond.ports["ens256"].aggregator
    active = [p for p in bond.ports.values() if p.aggregator == bond.active_aggregator]
    assert len(active) == 1
    assert (active[0].actor_state, active[0].partner_state) == (63, 63)


def _no_bond(lab: Lab, node: Node, bond: bp.Bond | None) -> None:
    assert bond is None
    assert lab.capture(node)["bonding"] is None
    links = {ln["ifname"]: ln for ln in _json(lab, node, "ip -j link show")}
    assert "bond0" not in links
    assert all("master" not in links[p] for p in PORTS)


CHEAP_SCENARIOS: dict[str, Callable[[Lab, Node, bp.Bond | None], None]] = {
    "healthy-active-backup": _active_backup,
    "healthy-balance-xor": _balance_xor,
    "fault-no-lacp-partner": _no_partner,
    "fault-split-aggregators": _split,
    "fault-no-bond": _no_bond,
}


@pytest.mark.parametrize("name", list(CHEAP_SCENARIOS))
def test_scenario_builds(lab: Lab, name: str) -> None:
    node = _node(lab, 2)
    bond = lab.scenario(node, name)
    assert lab.current_scenario(node) == name
    CHEAP_SCENARIOS[name](lab, node, bond)


def test_unprivileged_reader_sees_no_lacp_details(lab: Lab) -> None:
    node = _node(lab, 0)
    lab.scenario(node, "healthy-802.3ad")
    root = lab.capture(node)["bonding"]
    nobody = lab.capture(node, user="nobody")["bonding"]
    assert root is not None and nobody is not None
    for text in (root, nobody):
        assert "Slave Interface: ens224" in text
        assert "Slave Interface: ens256" in text
    for privileged in ("details actor lacp pdu:", "System MAC address:", "Active Aggregator"):
        assert privileged in root
        assert privileged not in nobody


def test_stop_node_makes_it_unreachable_and_start_node_brings_it_back(lab: Lab) -> None:
    node = _node(lab, 2)
    lab.stop_node(node)
    assert not lab.alive(node)
    with pytest.raises(LabError):
        lab.run(node, "true", 20)
    lab.start_node(node)
    assert lab.alive(node)
    assert lab.check(node, "cat /etc/hostname", mutates=False).strip() == node.name
    assert lab.current_scenario(node) == "healthy-802.3ad"
