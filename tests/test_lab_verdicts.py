"""Verdicts on real kernel captures: every lab scenario gets the verdict an engineer would give.

The captures (fixtures/captures/lab, see its README) were printed by a real 6.1 kernel in the
QEMU lab; the reference policies (fixtures/policies/lab/<mode>.yaml) state exactly what the lab
built for each healthy mode (tests/lab/guest/labnet). Each test pins both sides of a verdict:
the checks that must FAIL (exact IDs and ports), and that nothing else fails or warns, so a
check that starts reporting consequences as extra findings is caught as surely as one that
misses the fault. Offline and pure: no lab, no network, well under a second.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bondcheck.checks.base import NOT_VISIBLE
from bondcheck.judge import judge_node
from bondcheck.model import NodeReport, Status
from bondcheck.policy.loader import load_policy_file
from bondcheck.run import VerifyRequest, verify
from bondcheck.transport.capture import read_capture

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "fixtures" / "captures" / "lab"
POLICIES = ROOT / "fixtures" / "policies" / "lab"
MODES = (
    "802.3ad",
    "active-backup",
    "balance-rr",
    "balance-xor",
    "broadcast",
    "balance-tlb",
    "balance-alb",
)
#: The 802.3ad-only checks: on another mode they skip ("applies to 802.3ad only").
LACP_CHECKS = {
    "LACP-PARTNER",
    "LACP-AGGREGATOR",
    "LACP-SAME-PARTNER",
    "LACP-PORT-STATE",
    "LACP-RATE",
    "LACP-VISIBILITY",
    "LACP-CHURN",
}

Finding = tuple[str, "str | None"]  # (check ID, port or None for a bond-wide result)

#: scenario -> (policy mode, the FAILs, the WARNs). Counters, so a finding reported twice for
#: the same port (e.g. two options of BOND-OPTIONS) is counted, not merged.
FAULTS: dict[str, tuple[str, Counter[Finding], Counter[Finding]]] = {
    # The link is gone on ens224; the LACP checks judge up ports only, so the dead port is
    # PORT-MII's finding alone (its "partner churned" is the cable pull, not a second fault).
    "fault-switch-cable-pull": ("802.3ad", Counter({("PORT-MII", "ens224"): 1}), Counter()),
    "fault-node-port-down": ("802.3ad", Counter({("PORT-MII", "ens224"): 1}), Counter()),
    "fault-all-cables-pulled": (
        "802.3ad",
        Counter({("BOND-MII", None): 1, ("PORT-MII", "ens224"): 1, ("PORT-MII", "ens256"): 1}),
        Counter(),
    ),
    "fault-ip-on-port": ("802.3ad", Counter({("PORT-NO-IP", "ens256"): 1}), Counter()),
    "fault-port-removed": ("802.3ad", Counter({("PORT-ENSLAVED", "ens256"): 1}), Counter()),
    # No LACPDU at all: no partner on either port, each port alone in its own aggregator
    # (ens256 outside the active one), both defaulted; LACP never converged (churned).
    "fault-no-lacp-partner": (
        "802.3ad",
        Counter(
            {
                ("LACP-PARTNER", "ens224"): 1,
                ("LACP-PARTNER", "ens256"): 1,
                ("LACP-AGGREGATOR", "ens256"): 1,
                ("LACP-PORT-STATE", "ens224"): 2,  # actor and partner state
                ("LACP-PORT-STATE", "ens256"): 2,
            }
        ),
        Counter({("LACP-CHURN", "ens224"): 1, ("LACP-CHURN", "ens256"): 1}),
    ),
    # Two partner systems: ens256 lands in aggregator 2, which is not the active one.
    "fault-split-aggregators": (
        "802.3ad",
        Counter(
            {
                ("LACP-AGGREGATOR", "ens256"): 1,
                ("LACP-SAME-PARTNER", None): 1,
                ("LACP-PORT-STATE", "ens256"): 2,
            }
        ),
        Counter({("LACP-CHURN", "ens256"): 1}),
    ),
    "fault-miimon-0": ("802.3ad", Counter({("BOND-OPTIONS", None): 1}), Counter()),
    "fault-slow-rate-layer2": (
        "802.3ad",
        Counter(
            {("BOND-OPTIONS", None): 2, ("LACP-RATE", "ens224"): 1, ("LACP-RATE", "ens256"): 1}
        ),
        Counter(),
    ),
    "fault-wrong-primary": ("active-backup", Counter({("BOND-OPTIONS", None): 1}), Counter()),
    "fault-no-bond": ("802.3ad", Counter({("BOND-PRESENT", None): 1}), Counter()),
}


def judge(scenario: str, mode: str) -> NodeReport:
    """The verdict on one lab capture against one reference policy."""
    policy = load_policy_file(str(POLICIES / f"{mode}.yaml"))
    [item] = read_capture(LAB / scenario, [b.name for b in policy.bonds])
    assert not hasattr(item, "message"), f"{scenario}: capture not readable: {item}"
    return judge_node(policy, item)  # type: ignore[arg-type]


def found(report: NodeReport, status: Status) -> Counter[Finding]:
    return Counter((r.check, r.port) for r in report.results if r.status is status)


def messages(report: NodeReport, check: str, status: Status = Status.FAIL) -> list[str]:
    return [r.message for r in report.results if r.check == check and r.status is status]


def test_every_capture_has_a_verdict_here():
    scenarios = {p.name for p in LAB.iterdir() if p.is_dir()}
    covered = {*FAULTS, *(f"healthy-{m}" for m in MODES), "healthy-802.3ad-nonroot"}
    assert scenarios == covered


def test_reference_policies_are_the_lab_builds():
    for mode in MODES:
        [bond] = load_policy_file(str(POLICIES / f"{mode}.yaml")).bonds
        assert (bond.name, bond.mode, bond.ports) == ("bond0", mode, ("ens224", "ens256"))
        assert bond.options["miimon"] == 100
        assert [str(a) for a in bond.ipv4.addresses] == ["192.168.100.10/24"]  # type: ignore[union-attr]
    lacp = load_policy_file(str(POLICIES / "802.3ad.yaml")).bonds[0].options
    assert dict(lacp) == {"miimon": 100, "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"}
    ab = load_policy_file(str(POLICIES / "active-backup.yaml")).bonds[0].options
    assert dict(ab) == {"miimon": 100, "updelay": 200, "downdelay": 200, "primary": "ens224"}


# --- healthy bonds ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", MODES)
def test_healthy_mode_passes_its_own_policy(mode):
    report = judge(f"healthy-{mode}", mode)
    assert report.status is Status.PASS
    assert {r.status for r in report.results} == {Status.PASS, Status.SKIP}
    skipped = {r.check for r in report.results if r.status is Status.SKIP}
    # Offline there is no NNCE; the LACP checks have nothing to judge outside 802.3ad; the
    # lab captures carry no lldp.json (no LLDP source: the LLDP checks skip, saying so).
    lldp = {"LLDP-NEIGHBOR", "LLDP-DISTINCT-SWITCH", "LLDP-CABLING"}
    assert skipped == {"POLICY-ENACTMENT"} | lldp | (set() if mode == "802.3ad" else LACP_CHECKS)
    assert len(messages(report, "BOND-OPTIONS", Status.PASS)) == 1  # every option as set


@pytest.mark.parametrize("mode", [m for m in MODES if m != "802.3ad"])
def test_healthy_mode_against_the_lacp_policy_fails_bond_mode_only(mode):
    report = judge(f"healthy-{mode}", "802.3ad")
    assert found(report, Status.FAIL) == Counter({("BOND-MODE", None): 1})
    assert messages(report, "BOND-MODE") == [f"bond0 runs mode {mode}, the policy sets 802.3ad"]
    assert not found(report, Status.WARN) and not found(report, Status.ERROR)
    # lacp_rate means nothing outside 802.3ad: not a second finding next to the wrong mode.
    inert = messages(report, "BOND-OPTIONS", Status.SKIP)
    expected = f"lacp_rate has no effect in mode {mode}; the policy's mode 802.3ad is not running"
    assert f"{expected} (see BOND-MODE)" in inert
    assert messages(report, "BOND-OPTIONS", Status.PASS)  # miimon still compared (and equal)


def test_hash_policy_is_compared_where_the_running_mode_hashes():
    # balance-xor hashes with xmit_hash_policy: layer3+4 there is a real, matching value.
    xor = judge("healthy-balance-xor", "802.3ad")
    assert not [m for m in messages(xor, "BOND-OPTIONS", Status.SKIP) if "xmit_hash" in m]
    # balance-alb with tlb_dynamic_lb 1 (ip -d link) does not: its layer2 is not a finding.
    alb = judge("healthy-balance-alb", "802.3ad")
    inert = messages(alb, "BOND-OPTIONS", Status.SKIP)
    assert any("xmit_hash_policy has no effect in mode balance-alb" in m for m in inert)


def test_nonroot_view_warns_about_visibility_and_claims_no_lacp_fault():
    report = judge("healthy-802.3ad-nonroot", "802.3ad")
    assert report.status is Status.WARN
    assert not found(report, Status.FAIL) and not found(report, Status.ERROR)
    warned = found(report, Status.WARN)
    assert ("LACP-VISIBILITY", None) in warned
    assert {check for check, _ in warned} <= LACP_CHECKS
    # Every warning is about what this reader cannot see, never a missing partner.
    for result in report.results:
        if result.status is Status.WARN:
            assert NOT_VISIBLE in result.message, result


# --- faults -------------------------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(FAULTS))
def test_fault_fails_exactly_the_right_checks(scenario):
    mode, fails, warns = FAULTS[scenario]
    report = judge(scenario, mode)
    assert report.status is Status.FAIL
    assert found(report, Status.FAIL) == fails
    assert found(report, Status.WARN) == warns
    assert not found(report, Status.ERROR)


def test_fault_messages_name_the_values():
    assert messages(judge("fault-miimon-0", "802.3ad"), "BOND-OPTIONS") == [
        "miimon is 0, the policy sets 100"
    ]
    assert sorted(messages(judge("fault-slow-rate-layer2", "802.3ad"), "BOND-OPTIONS")) == [
        "lacp_rate is slow, the policy sets fast",
        "xmit_hash_policy is layer2, the policy sets layer3+4",
    ]
    rate = messages(judge("fault-slow-rate-layer2", "802.3ad"), "LACP-RATE")
    assert all("actor advertises slow (state 61" in m for m in rate)
    assert messages(judge("fault-wrong-primary", "active-backup"), "BOND-OPTIONS") == [
        "primary is ens256, the policy sets ens224"
    ]
    assert messages(judge("fault-ip-on-port", "802.3ad"), "PORT-NO-IP") == [
        "port ens256 carries 192.168.100.20/24; addresses belong on bond0"
    ]
    split = judge("fault-split-aggregators", "802.3ad")
    assert messages(split, "LACP-AGGREGATOR") == [
        "port ens256 is in aggregator 2, the active aggregator is 1: it carries no traffic"
    ]
    assert messages(judge("fault-all-cables-pulled", "802.3ad"), "BOND-MII") == [
        "bond0 MII status is down (0 of 2 port(s) up)"
    ]


def test_wrong_primary_is_a_mode_failure_against_the_lacp_policy():
    report = judge("fault-wrong-primary", "802.3ad")
    assert found(report, Status.FAIL) == Counter({("BOND-MODE", None): 1})


def test_down_ports_leave_lacp_checks_to_port_mii():
    report = judge("fault-all-cables-pulled", "802.3ad")
    for check in ("LACP-PARTNER", "LACP-AGGREGATOR", "LACP-PORT-STATE", "LACP-CHURN"):
        assert messages(report, check, Status.SKIP) == ["no port is up; see PORT-MII"], check


def test_the_whole_lab_directory_judged_in_one_run():
    # The lab directory is itself a capture: one node directory per scenario.
    report = verify(VerifyRequest(policy_file=str(POLICIES / "802.3ad.yaml"), from_dir=str(LAB)))
    status = {n.node: n.status for n in report.nodes}
    assert len(status) == 19
    assert {n for n, s in status.items() if s is Status.PASS} == {"healthy-802.3ad"}
    assert {n for n, s in status.items() if s is Status.WARN} == {"healthy-802.3ad-nonroot"}
    assert not [n for n, s in status.items() if s is Status.ERROR]
