"""BOND-MODE and BOND-OPTIONS: both directions, rounding, hidden options, canonical values."""

from __future__ import annotations

import pytest

from bondcheck.checks.option_values import canon, round_down
from bondcheck.model import Status

from .builders import (
    ab_bond,
    bond_link,
    by_status,
    context,
    expected,
    ip_state,
    lacp_bond,
    nonroot,
    only,
    run,
)

# -- BOND-MODE -----------------------------------------------------------------------------


def test_mode_matches() -> None:
    result = only(run("BOND-MODE", context()), Status.PASS)
    assert result.evidence == "Bonding Mode: IEEE 802.3ad Dynamic link aggregation"


def test_mode_differs() -> None:
    ctx = context(ab_bond(), expected(mode="802.3ad"))
    result = only(run("BOND-MODE", ctx), Status.FAIL)
    assert result.message == "bond0 runs mode active-backup, the policy sets 802.3ad"
    assert (result.expected, result.observed) == ("802.3ad", "active-backup")
    assert result.evidence == "Bonding Mode: fault-tolerance (active-backup)"


def test_mode_not_set_by_policy_skips() -> None:
    result = only(run("BOND-MODE", context(exp=expected(mode=None))), Status.SKIP)
    assert result.observed == "802.3ad"


# -- BOND-OPTIONS --------------------------------------------------------------------------


def opts(**options):
    return expected(options=options)


def test_matching_options_give_one_pass() -> None:
    ctx = context(
        lacp_bond(),
        opts(
            miimon=100,
            lacp_rate="fast",
            xmit_hash_policy="layer3+4",
            ad_select="stable",
            min_links=0,
        ),
    )
    result = only(run("BOND-OPTIONS", ctx), Status.PASS)
    assert result.message.startswith("5 option(s) as the policy sets")
    assert result.expected == {
        "miimon": 100,
        "lacp_rate": "fast",
        "xmit_hash_policy": "layer3+4",
        "ad_select": "stable",
        "min_links": 0,
    }


def test_each_mismatching_option_fails_on_its_own() -> None:
    ctx = context(lacp_bond(), opts(miimon=100, lacp_rate="slow", xmit_hash_policy="layer2"))
    results = run("BOND-OPTIONS", ctx)
    assert not by_status(results, Status.PASS)
    failed = {r.message for r in by_status(results, Status.FAIL)}
    assert failed == {
        "lacp_rate is fast, the policy sets slow",
        "xmit_hash_policy is layer3+4, the policy sets layer2",
    }
    hash_result = next(r for r in results if "xmit_hash_policy" in r.message)
    assert hash_result.evidence == "Transmit Hash Policy: layer3+4 (1)"
    assert hash_result.port is None
    assert hash_result.expected == {"xmit_hash_policy": "layer2"}
    assert hash_result.observed == {"xmit_hash_policy": "layer3+4"}


def test_policy_without_options_skips() -> None:
    only(run("BOND-OPTIONS", context()), Status.SKIP)


@pytest.mark.parametrize(
    ("option", "policy", "miimon", "observed", "status"),
    [
        ("updelay", 250, 100, 200, Status.PASS),  # kernel keeps 2 x miimon
        ("updelay", 250, 100, 100, Status.FAIL),
        ("downdelay", 199, 100, 100, Status.PASS),
        ("updelay", 200, 0, 0, Status.PASS),  # no MII monitoring: delays are 0
        ("downdelay", 300, 150, 300, Status.PASS),
    ],
)
def test_delays_are_compared_after_rounding_down_to_miimon(
    option: str, policy: int, miimon: int, observed: int, status: Status
) -> None:
    bond = lacp_bond(miimon_ms=miimon, **{f"{option}_ms": observed})
    ctx = context(bond, opts(miimon=miimon, **{option: policy}))
    results = run("BOND-OPTIONS", ctx)
    assert statuses_of(results) == [status]


def test_rounding_uses_observed_miimon_when_policy_is_silent() -> None:
    bond = lacp_bond(miimon_ms=100, updelay_ms=200)
    result = only(run("BOND-OPTIONS", context(bond, opts(updelay=299))), Status.PASS)
    assert result.expected == {"updelay": 200}


def test_rounding_note_explains_a_mismatch() -> None:
    bond = lacp_bond(miimon_ms=100, updelay_ms=100)
    result = only(run("BOND-OPTIONS", context(bond, opts(miimon=100, updelay=250))), Status.FAIL)
    assert result.message == (
        "updelay is 100, the policy sets 200 (policy 250 ms, kept as 200 ms: a multiple of "
        "miimon 100)"
    )
    assert result.evidence == "Up Delay (ms): 100"


def statuses_of(results):
    return sorted({r.status for r in results}, key=lambda s: s.value)


def test_round_down() -> None:
    assert [round_down(v, 100) for v in (0, 99, 100, 250)] == [0, 0, 100, 200]
    assert round_down(250, 0) == 0
    assert round_down(250, None) == 250


def test_absent_arp_line_means_arp_interval_zero() -> None:
    ctx = context(ab_bond(), expected(mode="active-backup", options={"arp_interval": 0}))
    only(run("BOND-OPTIONS", ctx), Status.PASS)
    ctx = context(ab_bond(), expected(mode="active-backup", options={"arp_interval": 1000}))
    result = only(run("BOND-OPTIONS", ctx), Status.FAIL)
    assert result.message == "arp_interval is 0, the policy sets 1000"


def test_arp_targets_compare_as_sets() -> None:
    bond = ab_bond(miimon_ms=0, arp_interval_ms=1000, arp_ip_targets=("10.0.0.2", "10.0.0.1"))
    exp = expected(
        mode="active-backup",
        options={"arp_interval": 1000, "arp_ip_target": ("10.0.0.1", "10.0.0.2")},
    )
    only(run("BOND-OPTIONS", context(bond, exp)), Status.PASS)
    exp = expected(mode="active-backup", options={"arp_ip_target": ("10.0.0.1", "10.0.0.3")})
    result = only(run("BOND-OPTIONS", context(bond, exp)), Status.FAIL)
    assert result.evidence == "ARP IP target/s (n.n.n.n form): 10.0.0.2, 10.0.0.1"
    assert result.observed == {"arp_ip_target": ["10.0.0.1", "10.0.0.2"]}


def test_primary_in_active_backup() -> None:
    bond = ab_bond(primary="eth1", primary_reselect="always")
    exp = expected(mode="active-backup", options={"primary": "eth1", "primary_reselect": "always"})
    only(run("BOND-OPTIONS", context(bond, exp)), Status.PASS)
    bond = ab_bond(primary=None)
    exp = expected(mode="active-backup", options={"primary": "eth1"})
    result = only(run("BOND-OPTIONS", context(bond, exp)), Status.FAIL)
    assert result.message == "primary is None, the policy sets eth1"
    assert result.evidence == "Primary Slave: None"


def test_fail_over_mac_absent_suffix_is_none() -> None:
    exp = expected(mode="active-backup", options={"fail_over_mac": "none"})
    only(run("BOND-OPTIONS", context(ab_bond(), exp)), Status.PASS)
    exp = expected(mode="active-backup", options={"fail_over_mac": "active"})
    result = only(run("BOND-OPTIONS", context(ab_bond(), exp)), Status.FAIL)
    assert result.observed == {"fail_over_mac": "none"}


def test_option_invisible_in_proc_skips_without_ip_link() -> None:
    result = only(run("BOND-OPTIONS", context(lacp_bond(), opts(use_carrier=True))), Status.SKIP)
    assert "not visible in /proc/net/bonding" in result.message
    assert "collect ip -d link" in result.message


def test_option_invisible_in_proc_is_read_from_ip_link() -> None:
    ip = ip_state(
        {}, links={"bond0": bond_link(use_carrier=1, arp_validate="all", all_slaves_active=0)}
    )
    exp = opts(use_carrier=True, arp_validate="all", all_slaves_active="dropped")
    only(run("BOND-OPTIONS", context(lacp_bond(), exp, ip=ip)), Status.PASS)
    exp = opts(use_carrier=False, arp_validate="filter")
    results = run("BOND-OPTIONS", context(lacp_bond(), exp, ip=ip))
    assert {r.status for r in results} == {Status.FAIL}
    evidence = {r.evidence for r in results}
    assert evidence == {
        "ip -d link show bond0: use_carrier 1",
        "ip -d link show bond0: arp_validate all",
    }


def test_ip_link_without_the_key_skips_with_the_reason() -> None:
    ip = ip_state({}, links={"bond0": bond_link(miimon=100)})
    result = only(
        run("BOND-OPTIONS", context(lacp_bond(), opts(tlb_dynamic_lb=False), ip=ip)), Status.SKIP
    )
    assert "does not show tlb_dynamic_lb" in result.message


def test_root_only_option_warns_in_nonprivileged_view() -> None:
    exp = opts(ad_actor_sys_prio=100)
    result = only(run("BOND-OPTIONS", context(nonroot(lacp_bond()), exp)), Status.WARN)
    assert "not visible to this reader" in result.message
    result = only(run("BOND-OPTIONS", context(lacp_bond(system_priority=100), exp)), Status.PASS)
    result = only(run("BOND-OPTIONS", context(lacp_bond(), exp)), Status.FAIL)
    assert result.evidence == "System priority: 65535"


def test_hash_policy_not_printed_for_mode_skips() -> None:
    exp = expected(mode="active-backup", options={"xmit_hash_policy": "layer2"})
    result = only(run("BOND-OPTIONS", context(ab_bond(), exp)), Status.SKIP)
    assert "mode active-backup" in result.message


def test_skips_and_warns_do_not_hide_a_pass() -> None:
    results = run("BOND-OPTIONS", context(lacp_bond(), opts(miimon=100, use_carrier=True)))
    assert sorted(r.status.value for r in results) == ["pass", "skip"]


def test_expected_values_are_already_canonical() -> None:
    # The policy layer hands over canonical values; the node's spellings are normalised here.
    assert canon("xmit_hash_policy", "1") == "layer3+4"
    assert canon("lacp_rate", 1) == "fast"
    assert canon("all_slaves_active", 1) == "delivered"
    assert canon("use_carrier", "on") is True
    assert canon("lacp_active", 0) is False
    assert canon("ns_ip6_target", ["2001:DB8::0:1"]) == ("2001:db8::1",)
    assert canon("miimon", "100") == 100
    ctx = context(lacp_bond(xmit_hash_policy="layer3+4"), opts(xmit_hash_policy="layer3+4"))
    only(run("BOND-OPTIONS", ctx), Status.PASS)
