"""LACP-PORT-STATE, LACP-RATE, LACP-VISIBILITY and LACP-CHURN in both directions."""

from __future__ import annotations

import pytest

from bondcheck.checks.lacp_bits import describe, state_problems
from bondcheck.model import Status

from .builders import by_status, context, expected, lacp_bond, lacp_port, nonroot, only, run

# -- LACP-PORT-STATE -----------------------------------------------------------------------


def test_healthy_states_pass() -> None:
    result = only(run("LACP-PORT-STATE", context()), Status.PASS)
    assert result.observed == {
        "eth1": {"actor": 63, "partner": 63},
        "eth2": {"actor": 63, "partner": 63},
    }


def test_defaulted_actor_and_empty_partner_fail() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", actor_state=77, partner_state=1))
    results = run("LACP-PORT-STATE", context(bond))
    assert [r.message for r in results] == [
        "port eth2 actor state 77 (0x4D: activity, aggregation, synchronization, defaulted): "
        "missing collecting, distributing; defaulted",
        "port eth2 partner state 1 (0x01: activity): missing aggregation, synchronization, "
        "collecting, distributing",
    ]
    assert all(r.status is Status.FAIL and r.port == "eth2" for r in results)
    assert results[0].evidence == "Slave Interface: eth2 / details actor lacp pdu: port state: 77"


def test_passive_actor_is_allowed_only_with_lacp_active_off() -> None:
    passive = lacp_bond(lacp_port("eth1", actor_state=60), lacp_port("eth2", actor_state=60))
    results = run("LACP-PORT-STATE", context(passive))
    assert [r.port for r in by_status(results, Status.FAIL)] == ["eth1", "eth2"]
    assert "missing activity" in results[0].message
    off = expected(options={"lacp_active": False})
    only(run("LACP-PORT-STATE", context(passive, off)), Status.PASS)
    only(
        run(
            "LACP-PORT-STATE",
            context(lacp_bond(lacp_port("eth1", actor_state=60), lacp_active=False)),
        ),
        Status.PASS,
    )


@pytest.mark.parametrize(
    ("state", "problems"),
    [
        (63, []),
        (61, []),
        (0xBF, ["expired"]),
        (7, ["missing synchronization, collecting, distributing"]),
    ],
)
def test_state_decoding(state: int, problems: list[str]) -> None:
    assert state_problems(state, need_activity=True) == problems


def test_describe() -> None:
    assert describe(63) == (
        "63 (0x3F: activity, short timeout, aggregation, synchronization, collecting, distributing)"
    )


def test_kernel_without_details_skips_port_state() -> None:
    bond = lacp_bond(lacp_port("eth1", details=False), privileged_view=None)
    only(run("LACP-PORT-STATE", context(bond)), Status.SKIP)


# -- LACP-RATE -----------------------------------------------------------------------------


def test_actor_timeout_matches_policy_rate() -> None:
    ctx = context(exp=expected(options={"lacp_rate": "fast"}))
    result = only(run("LACP-RATE", ctx), Status.PASS)
    assert result.observed == {"eth1": "fast", "eth2": "fast"}


def test_actor_timeout_disagreeing_with_policy_fails() -> None:
    bond = lacp_bond(lacp_port("eth1", actor_state=61), lacp_port("eth2"))
    result = only(
        run("LACP-RATE", context(bond, expected(options={"lacp_rate": "fast"}))), Status.FAIL
    )
    assert result.port == "eth1"
    assert result.message.startswith("port eth1 actor advertises slow (state 61 (0x3D")
    assert result.message.endswith("the policy sets lacp_rate fast")


def test_rate_skips_when_policy_is_silent_or_view_is_not_privileged() -> None:
    result = only(run("LACP-RATE", context()), Status.SKIP)
    assert result.message == "policy sets no lacp_rate (LACP rate: fast)"
    ctx = context(nonroot(lacp_bond()), expected(options={"lacp_rate": "slow"}))
    result = only(run("LACP-RATE", ctx), Status.SKIP)
    assert "not visible to this reader" in result.message


# -- LACP-VISIBILITY -----------------------------------------------------------------------


def test_visibility_passes_for_privileged_and_old_ungated_kernels() -> None:
    only(run("LACP-VISIBILITY", context()), Status.PASS)
    old = lacp_bond(lacp_port("eth1", details=False), privileged_view=None)
    only(run("LACP-VISIBILITY", context(old)), Status.PASS)


def test_visibility_warns_for_nonprivileged_view() -> None:
    result = only(run("LACP-VISIBILITY", context(nonroot(lacp_bond()))), Status.WARN)
    assert "not visible to this reader (no CAP_NET_ADMIN)" in result.message
    assert result.remediation and "--via" in result.remediation


# -- LACP-CHURN ----------------------------------------------------------------------------


def test_no_churn_passes() -> None:
    bond = lacp_bond(lacp_port("eth1", actor_churn_state="monitoring"), lacp_port("eth2"))
    result = only(run("LACP-CHURN", context(bond)), Status.PASS)
    assert result.message == "no port churned: eth1 monitoring/none, eth2 none/none"


def test_churned_port_warns() -> None:
    bond = lacp_bond(
        lacp_port("eth1"),
        lacp_port(
            "eth2",
            actor_churn_state="churned",
            partner_churn_state="churned",
            actor_churned_count=1,
            partner_churned_count=1,
        ),
    )
    result = only(run("LACP-CHURN", context(bond)), Status.WARN)
    assert result.port == "eth2"
    assert result.evidence == (
        "Slave Interface: eth2 / Actor Churn State: churned / Partner Churn State: churned"
    )
    assert "actor and partner churned (churned counts 1/1)" in result.message


def test_churn_is_judged_in_a_nonprivileged_view_too() -> None:
    bond = nonroot(lacp_bond(lacp_port("eth1", actor_churn_state="churned"), lacp_port("eth2")))
    only(run("LACP-CHURN", context(bond)), Status.WARN)


def test_kernel_without_churn_lines_skips() -> None:
    bond = lacp_bond(lacp_port("eth1", actor_churn_state=None, partner_churn_state=None))
    only(run("LACP-CHURN", context(bond)), Status.SKIP)
