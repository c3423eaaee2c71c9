"""Targeted behaviour of the /proc/net/bonding parser: privilege, aggregators, order, extras."""

from __future__ import annotations

import pytest

from bondcheck.parse.procfs import (
    MODE_BY_LONG_NAME,
    MODES,
    bond_to_json,
    is_placeholder_mac,
    parse_bonding,
)

from .conftest import CORPUS, read_sample

# ---------------------------------------------------------------------------------------------
# privileged_view


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("wsl2-6.6-8023ad-nonroot-no-aggregator-info.txt", False),
        ("ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt", False),
        ("ubuntu-v3.7.1-8023ad-nonroot-split-aggregators-churned-speed-unknown.txt", False),
        ("telegraf-v3.7.1-8023ad-nonroot-healthy-actor-churned-count2.txt", False),
        ("ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt", True),
        ("ubuntu-6.8-8023ad-root-single-slave-no-partner-state77.txt", True),
        ("ubuntu-v3.7.1-8023ad-root-partner-churned-history-linkfail.txt", True),
        ("insights-rhel7-8023ad-no-partner-slave-down-churned-lacp-details.txt", True),
        # root view with zero ports: only System priority/MAC show the privilege
        ("rhel8-v3.7.1-8023ad-no-slaves-no-active-aggregator-mii-down.txt", True),
        # pre-4.3 kernels print the aggregator block to every reader
        ("augeas-v3.4.0-8023ad-4slaves-two-aggregators-partner.txt", None),
        ("insights-rhel5-bonding-3.2.4-8023ad-no-partner-split-aggregators.txt", None),
        ("ubuntu-v3.5.0-8023ad-no-active-aggregator-aggid-na.txt", None),
        ("centos6-v3.6.0-8023ad-no-active-aggregator-all-down-old-order.txt", None),
    ],
)
def test_privileged_view_of_8023ad_samples(sample: str, expected: bool | None) -> None:
    assert parse_bonding(read_sample(sample)).privileged_view is expected


def test_non_8023ad_modes_cannot_tell_privilege() -> None:
    seen = set()
    for path in sorted(CORPUS.glob("*.txt")):
        bond = parse_bonding(path.read_text())
        if bond.mode != "802.3ad":
            seen.add(bond.mode)
            assert bond.privileged_view is None, path.name
    assert seen == set(MODES) - {"802.3ad"}


def test_nonroot_view_reports_partner_as_unknown_not_absent() -> None:
    bond = parse_bonding(read_sample("wsl2-6.6-8023ad-nonroot-no-aggregator-info.txt"))
    assert bond.privileged_view is False
    assert bond.ad_info is None
    assert bond.no_active_aggregator is False  # withheld, not "no aggregator"
    assert bond.system_priority is None
    for port in bond.ports:
        assert port.partner is None and port.partner_mac is None
        assert port.aggregator_id == 2  # per-port lines are still shown to everyone


def _without(text: str, *labels: str) -> str:
    """Drop every line whose label (after leading whitespace) starts with one of ``labels``."""
    kept = [line for line in text.splitlines() if not line.lstrip().startswith(labels)]
    return "\n".join(kept) + "\n"


def test_aggregator_block_on_a_post_gating_kernel_means_root(healthy_root_text: str) -> None:
    # The System lines and details cut away, the aggregator block kept: LACP active and Peer
    # Notification Delay date the kernel after the gating, so the block proves the privilege.
    cut = _without(
        healthy_root_text,
        "System ",
        "details ",
        "system ",
        "port ",
        "oper key",
    )
    bond = parse_bonding(cut)
    assert bond.system_priority is None and bond.ports[0].actor is None
    assert bond.ad_info is not None
    assert bond.privileged_view is True
    # Without any post-gating line the same block could come from a pre-4.3 kernel.
    older = _without(cut, "LACP active", "Peer Notification Delay")
    assert parse_bonding(older).privileged_view is None


def test_8023ad_text_without_its_info_header_cannot_tell(healthy_root_text: str) -> None:
    cut = healthy_root_text.split("\n802.3ad info")[0] + "\n"
    bond = parse_bonding(cut)
    assert bond.mode == "802.3ad"
    assert bond.privileged_view is None


def test_unreadable_system_priority_still_counts_as_shown() -> None:
    text = read_sample("rhel8-v3.7.1-8023ad-no-slaves-no-active-aggregator-mii-down.txt")
    text = text.replace("System priority: 65535", "System priority: lots")
    bond = parse_bonding(text)
    assert bond.system_priority is None
    assert ("System priority", "lots") in bond.extra
    assert bond.privileged_view is True


# ---------------------------------------------------------------------------------------------
# aggregators


def test_no_active_aggregator_names_the_bond() -> None:
    text = read_sample("centos6-v3.6.0-8023ad-no-active-aggregator-all-down-old-order.txt")
    bond = parse_bonding(text)
    assert bond.no_active_aggregator is True
    assert bond.ad_info is None
    assert bond.name == "bond0"
    assert parse_bonding(text, name="bond-uplink").name == "bond-uplink"  # caller wins


def test_aggregator_na_is_null() -> None:
    bond = parse_bonding(read_sample("ubuntu-v3.5.0-8023ad-no-active-aggregator-aggid-na.txt"))
    assert [p.aggregator_id for p in bond.ports] == [None, None]
    assert bond.extra == ()
    assert all(p.extra == () for p in bond.ports)


def test_split_aggregators_keep_the_active_one_apart_from_port_ids() -> None:
    text = read_sample("insights-rhel5-bonding-3.2.4-8023ad-no-partner-split-aggregators.txt")
    bond = parse_bonding(text)
    assert bond.ad_info is not None and bond.ad_info.aggregator_id == 3
    assert bond.ad_info.num_ports == 1
    assert {p.name: p.aggregator_id for p in bond.ports} == {"eth1": 3, "eth2": 2}
    carrying = [p.name for p in bond.ports if p.aggregator_id == bond.ad_info.aggregator_id]
    assert carrying == ["eth1"]


def test_zero_ports_bond() -> None:
    text = read_sample("rhel8-v3.7.1-8023ad-no-slaves-no-active-aggregator-mii-down.txt")
    bond = parse_bonding(text)
    assert bond.ports == () and bond.mii_status == "down" and bond.no_active_aggregator


# ---------------------------------------------------------------------------------------------
# line order and tolerance


def test_old_and_new_queue_id_order_parse_alike(healthy_root_text: str) -> None:
    lines = healthy_root_text.splitlines()
    swapped: list[str] = []
    held = None
    for line in lines:
        if line.startswith("Slave queue ID"):
            held = line  # the old order prints it after Aggregator ID
            continue
        swapped.append(line)
        if line.startswith("Aggregator ID") and held is not None:
            swapped.append(held)
            held = None
    old_order = "\n".join(swapped) + "\n"
    assert old_order != healthy_root_text
    assert parse_bonding(old_order) == parse_bonding(healthy_root_text)


def test_old_order_sample_reads_queue_id_and_aggregator() -> None:
    text = read_sample("centos6-v3.6.0-8023ad-no-active-aggregator-all-down-old-order.txt")
    ports = parse_bonding(text).ports
    assert [(p.aggregator_id, p.queue_id) for p in ports] == [(1, 0), (2, 0)]


def test_unknown_lines_are_kept_where_they_appear(healthy_root_text: str) -> None:
    text = healthy_root_text.replace(
        "MII Polling Interval (ms): 100", "MII Polling Interval (ms): 100\nCoupled Control: on"
    )
    text = text.replace("Slave Interface: e2\n", "Slave Interface: e2\nPort prio: 7\n")
    text = text.replace("    port state: 63\n", "    port state: 63\n    frobnicate\n", 1)
    bond = parse_bonding(text)
    assert bond.extra == (("Coupled Control", "on"),)
    assert bond.ports[0].extra == (("frobnicate", ""),)
    assert bond.ports[1].extra == (("Port prio", "7"),)
    assert bond.miimon_ms == 100 and bond.ports[0].actor is not None
    assert bond.ports[0].actor.port_state == 63
    as_json = bond_to_json(bond)
    assert as_json["unknown_lines"] == [{"key": "Coupled Control", "value": "on"}]
    assert as_json["ports"][1]["unknown_lines"] == [{"key": "Port prio", "value": "7"}]


def test_unreadable_values_go_to_extra_not_guessed(healthy_root_text: str) -> None:
    text = healthy_root_text.replace("Speed: 10000 Mbps", "Speed: fast", 1)
    text = text.replace("Link Failure Count: 1", "Link Failure Count: -1", 1)
    port = parse_bonding(text).ports[0]
    assert port.speed_mbps is None and port.link_failure_count is None
    assert port.extra == (("Speed", "fast"), ("Link Failure Count", "-1"))


def test_empty_mii_status_is_unknown_and_kept(healthy_root_text: str) -> None:
    bond = parse_bonding(healthy_root_text.replace("MII Status: up", "MII Status:"))
    assert bond.mii_status == "unknown" and bond.extra == (("MII Status", ""),)
    assert [p.mii_status for p in bond.ports] == ["unknown", "unknown"]
    assert bond.ports[1].extra == (("MII Status", ""),)


def test_huge_counters_are_kept_exactly(healthy_root_text: str) -> None:
    huge = 10**30
    text = healthy_root_text.replace("Link Failure Count: 1", f"Link Failure Count: {huge}", 1)
    assert parse_bonding(text).ports[0].link_failure_count == huge


def test_bom_and_missing_version_line_are_tolerated() -> None:
    text = read_sample("insights-rhel7-balance-xor-layer2+3.txt")
    body = text.split("\n", 2)[2]  # drop the version line and its blank line
    bond = parse_bonding("\ufeff" + body)
    assert bond.mode == "balance-xor" and bond.driver_version is None
    assert len(bond.ports) == 2


def test_details_header_before_any_port_is_kept_not_fatal() -> None:
    text = read_sample("insights-rhel7-balance-rr-2slaves.txt").replace(
        "Down Delay (ms): 0\n", "Down Delay (ms): 0\ndetails actor lacp pdu:\n", 1
    )
    bond = parse_bonding(text)
    assert ("details actor lacp pdu", "") in bond.extra


# ---------------------------------------------------------------------------------------------
# values and helpers


def test_mode_tables_follow_kernel_order() -> None:
    assert MODES == (
        "balance-rr",
        "active-backup",
        "balance-xor",
        "broadcast",
        "802.3ad",
        "balance-tlb",
        "balance-alb",
    )
    assert sorted(MODE_BY_LONG_NAME.values()) == sorted(MODES)


def test_mode_suffixes_and_primary() -> None:
    follow = parse_bonding(read_sample("synthetic-6.1-active-backup-failovermac-follow.txt"))
    assert (follow.mode, follow.fail_over_mac) == ("active-backup", "follow")
    assert (follow.primary, follow.primary_reselect) == ("enp1s0", "failure")
    none = parse_bonding(read_sample("insights-rhel7-active-backup-primary-none.txt"))
    assert (none.primary, none.primary_reselect, none.fail_over_mac) == (None, None, None)


def test_hash_policy_is_the_name_only() -> None:
    bond = parse_bonding(read_sample("ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt"))
    assert bond.xmit_hash_policy == "layer3+4"


def test_placeholder_macs() -> None:
    assert is_placeholder_mac("xx:xx:xx:xx:xx:xx")
    assert is_placeholder_mac("**:**:**:**:**:**")
    assert not is_placeholder_mac("00:00:00:00:00:00")
    assert not is_placeholder_mac("aa:c1:ab:44:7a:12")
    assert not is_placeholder_mac(None)
