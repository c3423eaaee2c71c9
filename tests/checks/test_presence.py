"""BOND-PRESENT in both directions, including removal policies."""

from __future__ import annotations

import pytest

from bondcheck.model import Status

from .builders import absent_context, context, expected, lacp_bond, only, run


def test_present_bond_passes() -> None:
    result = only(run("BOND-PRESENT", context()), Status.PASS)
    assert result.evidence == (
        "/proc/net/bonding/bond0: Bonding Mode: IEEE 802.3ad Dynamic link aggregation"
    )
    assert result.remediation is None


def test_missing_bond_fails_naming_the_file() -> None:
    result = only(run("BOND-PRESENT", absent_context(node="worker-3")), Status.FAIL)
    assert result.message == "bond0 does not exist on worker-3: /proc/net/bonding/bond0 is missing"
    assert (result.expected, result.observed) == ("present", "absent")
    assert result.remediation and "oc get nnce" in result.remediation


@pytest.mark.parametrize("state", ["absent", "down"])
def test_removal_policy_passes_when_the_bond_is_gone(state: str) -> None:
    result = only(run("BOND-PRESENT", absent_context(expected(state=state))), Status.PASS)
    assert f"state: {state}" in result.message
    assert result.expected == "absent"


@pytest.mark.parametrize("state", ["absent", "down"])
def test_removal_policy_fails_when_the_bond_remains(state: str) -> None:
    result = only(run("BOND-PRESENT", context(lacp_bond(), expected(state=state))), Status.FAIL)
    assert result.message.startswith("bond0 still exists on worker-0")
    assert (result.expected, result.observed) == ("absent", "present")


def test_evidence_shows_fail_over_mac_like_the_kernel() -> None:
    from .builders import ab_bond

    bond = ab_bond(fail_over_mac="active")
    result = only(run("BOND-PRESENT", context(bond, expected(mode="active-backup"))), Status.PASS)
    assert result.evidence and result.evidence.endswith(
        "Bonding Mode: fault-tolerance (active-backup) (fail_over_mac active)"
    )
