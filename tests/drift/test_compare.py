"""Each DRIFT-* ID on real kernel captures: healthy-802.3ad (the baseline) against each fault.

The lab rebuilds the bond for every scenario, so a fault capture also shows what a bond that
was re-created shows (other aggregator IDs); those are real too, and named where they occur.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bondcheck.drift.compare import compare_nodes
from bondcheck.drift.model import Change
from bondcheck.model import Address

from .helpers import snapshot

HEALTHY = "healthy-802.3ad"
REBUILT = {"DRIFT-AGGREGATOR"}  # a scenario rebuild renumbers the aggregators


def ids(changes: list[Change]) -> list[str]:
    return [c.id for c in changes]


def only(changes: list[Change], drift: str) -> list[Change]:
    return [c for c in changes if c.id == drift]


@pytest.fixture
def healthy(tmp_path: Path):
    return snapshot(HEALTHY, tmp_path)


def test_a_node_against_itself_has_no_drift(tmp_path: Path, healthy) -> None:
    assert compare_nodes(healthy, snapshot(HEALTHY, tmp_path)) == []
    ab = snapshot("healthy-active-backup", tmp_path, as_node=1)
    assert compare_nodes(ab, snapshot("healthy-active-backup", tmp_path, as_node=1)) == []


def test_the_unprivileged_view_of_the_same_bond_is_not_a_change(tmp_path: Path, healthy) -> None:
    """The kernel hides the LACP details from a reader without CAP_NET_ADMIN: not visible is
    not "partner lost"."""
    assert compare_nodes(healthy, snapshot("healthy-802.3ad-nonroot", tmp_path)) == []


def test_drift_bond_when_the_bond_vanished(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-no-bond", tmp_path))
    assert [(c.id, c.bond, c.message) for c in changes] == [
        ("DRIFT-BOND", "bond0", "bond0 vanished (it was 802.3ad with ens224, ens256)")
    ]
    back = compare_nodes(snapshot("fault-no-bond", tmp_path), healthy)
    assert [(c.id, c.before, c.after) for c in back] == [("DRIFT-BOND", None, "802.3ad")]
    assert back[0].message == "bond0 appeared (802.3ad with ens224, ens256)"


def test_drift_mode(tmp_path: Path, healthy) -> None:
    """802.3ad -> balance-xor on the same lab node: the mode, and nothing of what only LACP
    has (lacp_rate, ad_select, partners, aggregators) reported on top of it."""
    changes = compare_nodes(healthy, snapshot("healthy-balance-xor", tmp_path))
    assert ids(changes) == ["DRIFT-MODE"]
    assert (changes[0].before, changes[0].after) == ("802.3ad", "balance-xor")
    assert changes[0].message == "bond0 mode 802.3ad -> balance-xor"


def test_drift_options_one_change_per_option(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-slow-rate-layer2", tmp_path))
    assert set(ids(changes)) - REBUILT == {"DRIFT-OPTIONS"}
    options = only(changes, "DRIFT-OPTIONS")
    assert [(c.message, c.before, c.after) for c in options] == [
        ("bond0 xmit_hash_policy: layer3+4 -> layer2", "layer3+4", "layer2"),
        ("bond0 lacp_rate: fast -> slow", "fast", "slow"),
    ]
    miimon = compare_nodes(healthy, snapshot("fault-miimon-0", tmp_path, as_node=0))
    assert [c.message for c in only(miimon, "DRIFT-OPTIONS")] == ["bond0 miimon: 100 -> 0"]


def test_drift_ports_when_a_port_left(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-port-removed", tmp_path))
    assert set(ids(changes)) - REBUILT == {"DRIFT-PORTS"}
    [left] = only(changes, "DRIFT-PORTS")
    assert (left.bond, left.port, left.message) == ("bond0", "ens256", "ens256 left bond0")
    [joined] = only(compare_nodes(snapshot("fault-port-removed", tmp_path), healthy), "DRIFT-PORTS")
    assert joined.message == "ens256 joined bond0"


def test_drift_active_port_and_primary(tmp_path: Path) -> None:
    """active-backup with primary ens224, then primary ens256 (both on lab node 1)."""
    before = snapshot("healthy-active-backup", tmp_path, as_node=1)
    changes = compare_nodes(before, snapshot("fault-wrong-primary", tmp_path, as_node=1))
    assert [(c.id, c.message) for c in changes] == [
        ("DRIFT-OPTIONS", "bond0 primary: ens224 -> ens256"),
        ("DRIFT-ACTIVE-PORT", "bond0's active port moved: ens224 -> ens256"),
    ]


def test_drift_mii_of_the_bond_and_the_ports(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-all-cables-pulled", tmp_path))
    assert [(c.port, c.message) for c in only(changes, "DRIFT-MII")] == [
        (None, "bond0 MII status up -> down"),
        ("ens224", "ens224 MII status up -> down"),
        ("ens256", "ens256 MII status up -> down"),
    ]
    assert set(ids(changes)) == {"DRIFT-MII", "DRIFT-FLAPS", "DRIFT-AGGREGATOR"}
    assert [c.message for c in only(changes, "DRIFT-AGGREGATOR") if c.port is None] == [
        "bond0's active aggregator 2 -> none"
    ]


def test_drift_flaps_counts_failures_since_the_baseline(tmp_path: Path, healthy) -> None:
    pulled = snapshot("fault-switch-cable-pull", tmp_path)
    changes = compare_nodes(healthy, pulled)
    [flap] = only(changes, "DRIFT-FLAPS")
    assert (flap.port, flap.before, flap.after) == ("ens224", 0, 1)
    assert flap.message == "ens224 failed 1 time since the baseline (link failure count 0 -> 1)"
    assert set(ids(changes)) - REBUILT == {"DRIFT-MII", "DRIFT-FLAPS"}
    three = snapshot(
        HEALTHY,
        tmp_path,
        edit={"proc/net/bonding/bond0": ("Link Failure Count: 0", "Link Failure Count: 3")},
    )
    [flaps] = compare_nodes(healthy, three)
    assert flaps.message == "ens224 failed 3 times since the baseline (link failure count 0 -> 3)"


def test_a_lower_failure_count_is_a_reset_never_negative_flaps(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(snapshot("fault-switch-cable-pull", tmp_path), healthy)
    [reset] = only(changes, "DRIFT-FLAPS")
    assert (reset.before, reset.after) == (1, 0)
    assert "was reset (1 -> 0)" in reset.message
    assert "rebooted" in reset.message and "-1" not in reset.message


def test_drift_partner_a_different_switch(tmp_path: Path, healthy) -> None:
    """fault-split-aggregators: ens256 is cabled to a second partner bond (other system MAC)."""
    changes = compare_nodes(healthy, snapshot("fault-split-aggregators", tmp_path))
    [partner] = only(changes, "DRIFT-PARTNER")
    assert partner.port == "ens256"
    assert partner.before == {"system_mac": "02:5e:00:00:00:01", "key": 15, "port": 2}
    assert partner.after["system_mac"] == "02:5e:00:00:00:02"
    assert partner.message == (
        "ens256's LACP partner is a different switch: system 02:5e:00:00:00:01 -> 02:5e:00:00:00:02"
    )
    assert set(ids(changes)) == {"DRIFT-PARTNER", "DRIFT-AGGREGATOR"}


def test_drift_partner_the_real_other_node(tmp_path: Path, healthy) -> None:
    """Unrelabelled: lab node 1's switch really is another partner for both ports."""
    other = snapshot("fault-ip-on-port", tmp_path, as_node=None)
    partners = only(compare_nodes(healthy, other), "DRIFT-PARTNER")
    assert [(c.port, c.after["system_mac"]) for c in partners] == [
        ("ens224", "02:5e:00:01:00:01"),
        ("ens256", "02:5e:00:01:00:01"),
    ]


def test_drift_partner_key_and_port_number(tmp_path: Path, healthy) -> None:
    bond = "proc/net/bonding/bond0"
    rekeyed = snapshot(HEALTHY, tmp_path, edit={bond: ("    oper key: 15", "    oper key: 9")})
    [key] = compare_nodes(healthy, rekeyed)
    assert key.message == (
        "ens224's LACP partner key 15 -> 9: a different port-channel on the same switch"
    )
    moved = snapshot(HEALTHY, tmp_path, edit={bond: ("    port number: 1\n    port state: 63\n\n", "    port number: 7\n    port state: 63\n\n")})  # fmt: skip  # noqa: E501
    assert [c.message for c in compare_nodes(healthy, moved)] == [
        "ens224's LACP partner port 1 -> 7: another port of the same switch"
    ]


def test_drift_partner_lost(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-no-lacp-partner", tmp_path))
    assert [c.message for c in only(changes, "DRIFT-PARTNER")] == [
        "ens224 lost its LACP partner (02:5e:00:00:00:01): none answers now",
        "ens256 lost its LACP partner (02:5e:00:00:00:01): none answers now",
    ]
    assert set(ids(changes)) == {"DRIFT-PARTNER", "DRIFT-AGGREGATOR"}


def test_drift_aggregator(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-no-lacp-partner", tmp_path))
    assert [(c.port, c.before, c.after) for c in only(changes, "DRIFT-AGGREGATOR")] == [
        ("ens224", 2, 1),
        (None, 2, 1),
    ]


def test_drift_addresses_on_a_port(tmp_path: Path, healthy) -> None:
    changes = compare_nodes(healthy, snapshot("fault-ip-on-port", tmp_path))
    assert [(c.id, c.port, c.message) for c in changes] == [
        ("DRIFT-ADDRESSES", "ens256", "192.168.100.20/24 appeared on ens256")
    ]
    assert changes[0].after == {"address": "192.168.100.20/24", "device": "ens256"}


def test_drift_addresses_moved_is_one_change(tmp_path: Path, healthy) -> None:
    addresses = dict(healthy.ip.addresses)
    moved = addresses.pop("bond0")
    addresses["ens224"] = moved
    after = replace(healthy, ip=replace(healthy.ip, addresses=addresses))
    assert [(c.port, c.message) for c in compare_nodes(healthy, after)] == [
        ("ens224", "192.168.100.10/24 moved from bond0 to ens224")
    ]
    link_local = {**healthy.ip.addresses, "ens224": (Address("inet6", "fe80::1", 64, "link"),)}
    assert (
        compare_nodes(healthy, replace(healthy, ip=replace(healthy.ip, addresses=link_local))) == []
    )


def test_drift_speed_only_while_the_port_is_up(tmp_path: Path, healthy) -> None:
    slower = snapshot(
        HEALTHY,
        tmp_path,
        edit={"proc/net/bonding/bond0": ("Speed: 10000 Mbps", "Speed: 1000 Mbps")},
    )
    [speed] = compare_nodes(healthy, slower)
    assert (speed.id, speed.port, speed.message) == (
        "DRIFT-SPEED", "ens224", "ens224 10000 Mbps full -> 1000 Mbps full",
    )  # fmt: skip
    # a pulled cable shows "Speed: Unknown": that is DRIFT-MII, not a speed change
    pulled = compare_nodes(healthy, snapshot("fault-switch-cable-pull", tmp_path))
    assert "DRIFT-SPEED" not in ids(pulled)


def test_drift_kernel(tmp_path: Path, healthy) -> None:
    upgraded = snapshot(
        HEALTHY, tmp_path, edit={"kernel.txt": ("6.1.0-57-cloud-amd64", "6.1.0-58-cloud-amd64")}
    )
    [kernel] = compare_nodes(healthy, upgraded)
    assert (kernel.id, kernel.bond, kernel.before, kernel.after) == (
        "DRIFT-KERNEL", None, "6.1.0-57-cloud-amd64", "6.1.0-58-cloud-amd64",
    )  # fmt: skip


def test_a_real_failover_pair_from_the_corpus() -> None:
    """The ArchWiki pair (fixtures/procfs/corpus, verbatim): the same laptop bond before and
    after its wired primary lost its link and the bond failed over to the wifi port."""
    from bondcheck.drift.model import NodeState
    from bondcheck.parse.procfs import parse_bonding

    corpus = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
    stem = "archwiki-v3.7.1-active-backup-failovermac-active-primary-"

    def state(name: str) -> NodeState:
        text = (corpus / f"{stem}{name}.txt").read_text()
        return NodeState("laptop", {"bond0": parse_bonding(text, name="bond0")})

    changes = compare_nodes(state("wired-active"), state("down-failed-over"))
    assert [(c.id, c.port, c.message) for c in changes] == [
        ("DRIFT-MII", "enp3s0", "enp3s0 MII status up -> down"),
        ("DRIFT-ACTIVE-PORT", None, "bond0's active port moved: enp3s0 -> wlp2s0"),
    ]


def test_drift_cabling_when_a_port_moved_to_another_switch(tmp_path: Path) -> None:
    """Real lldpd output (fixtures/lldp) beside a real capture: ens256 moved from leaf-1
    Ethernet1/8 to leaf-2 Ethernet1/7; ens224 stayed. Without LLDP on one side: no drift."""
    from dataclasses import replace

    from bondcheck.drift.compare import compare_nodes
    from bondcheck.parse.lldp import parse_lldpctl

    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "lldp"
    one = parse_lldpctl((fixtures / "lldpctl-two-ports-one-switch.json").read_text())
    two = parse_lldpctl((fixtures / "lldpctl-two-ports-two-switches.json").read_text())
    base = snapshot("healthy-802.3ad", tmp_path / "a")
    # ens224 reaches the same switch port in both runs: give it the same chassis ID.
    two = {**two, "ens224": one["ens224"]}
    changes = compare_nodes(replace(base, lldp=one), replace(base, lldp=two))
    assert [(c.id, c.port, c.before, c.after) for c in changes] == [
        ("DRIFT-CABLING", "ens256", "leaf-1 Ethernet1/8", "leaf-2 Ethernet1/7")
    ]
    assert changes[0].message == (
        "ens256 of bond0 was cabled to leaf-1 Ethernet1/8, now to leaf-2 Ethernet1/7"
    )
    assert compare_nodes(replace(base, lldp=one), base) == []  # no LLDP after: not compared
    gone = compare_nodes(replace(base, lldp=one), replace(base, lldp={"ens224": one["ens224"]}))
    assert [(c.port, c.after) for c in gone] == [("ens256", "no neighbour")]
