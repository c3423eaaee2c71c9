"""Pre-check rules on bonds parsed from real lab captures (no node needed)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bondcheck.errors import InputError
from bondcheck.failover.iplink import LinkStats
from bondcheck.failover.plan import (
    Timing,
    checked_ports,
    choose_bonds,
    port_problem,
    ports_to_pull,
    refusal_reasons,
    working_ports,
)
from bondcheck.model import CheckResult, ExpectedBond, Policy, Status
from tests.failover.samples import bond

OK = [CheckResult("BOND-MII", Status.PASS, "up", bond="bond0")]


def test_healthy_lacp_may_pull_either_port() -> None:
    healthy = bond("lacp-healthy.bonding")
    assert working_ports(healthy) == ["ens224", "ens256"]
    for port in ("ens224", "ens256"):
        assert refusal_reasons("bond0", healthy, port, OK) == []


def test_degraded_lacp_refuses_the_last_working_port() -> None:
    degraded = bond("lacp-switch-side-ens224-down.bonding")  # ens224 lost carrier
    reasons = refusal_reasons("bond0", degraded, "ens256", OK)
    assert any("without a working port" in r and "ens224" in r for r in reasons)
    # and the broken one is refused too: pulling it proves nothing
    reasons = refusal_reasons("bond0", degraded, "ens224", OK)
    assert any("not working before the test" in r for r in reasons)


def test_a_port_that_is_up_but_not_synchronised_does_not_count() -> None:
    early = bond("lacp-ens224-rejoin-early.bonding")  # MII up, actor state 7
    ens224 = early.port("ens224")
    assert ens224 is not None and ens224.mii_status == "up"
    assert "lacks sync+collecting+distributing" in (port_problem(early, ens224) or "")
    assert refusal_reasons("bond0", early, "ens256", OK)


def test_active_backup_rules() -> None:
    healthy = bond("ab-healthy.bonding")
    assert refusal_reasons("bond0", healthy, "ens224", OK) == []
    pulled = bond("ab-ens224-pulled.bonding")
    assert refusal_reasons("bond0", pulled, "ens256", OK)  # ens224 is down: ens256 is last


def test_verify_failures_for_the_bond_refuse() -> None:
    results = [
        CheckResult("LACP-RATE", Status.FAIL, "rate slow", bond="bond0"),
        CheckResult("BOND-MODE", Status.FAIL, "mode", bond="bond1"),  # another bond: ignored
        CheckResult("POLICY-ENACTMENT", Status.WARN, "stale", bond=None),  # a warning is fine
    ]
    reasons = refusal_reasons("bond0", bond("lacp-healthy.bonding"), "ens224", results)
    assert reasons == ["verify fails for bond0: LACP-RATE: rate slow"]


def test_unknown_port_admin_down_and_absent_bond() -> None:
    healthy = bond("lacp-healthy.bonding")
    assert "not a port of bond0" in refusal_reasons("bond0", healthy, "ens999", OK)[-1]
    down = LinkStats("ens224", flags=("BROADCAST", "SLAVE"))
    assert any(
        "administratively down" in r for r in refusal_reasons("bond0", healthy, "ens224", OK, down)
    )
    assert refusal_reasons("bond0", None, "ens224", OK) == ["bond0 does not exist on the node"]


def test_hidden_lacp_state_refuses() -> None:
    hidden = replace(bond("lacp-healthy.bonding"), privileged_view=False)
    assert any("not visible" in r for r in refusal_reasons("bond0", hidden, "ens224", OK))


def test_min_links_would_drop_the_bond() -> None:
    strict = replace(bond("lacp-healthy.bonding"), min_links=2)
    assert any("min_links is 2" in r for r in refusal_reasons("bond0", strict, "ens224", OK))


@pytest.mark.parametrize(
    ("timing", "fragment"),
    [
        (Timing(pull_seconds=5, restore_after=8), "must exceed --pull-seconds"),
        (Timing(pull_seconds=0.1), "--pull-seconds"),
        (Timing(restore_after=1), "--restore-after"),
        (Timing(rejoin_timeout=0), "--rejoin-timeout"),
    ],
)
def test_timing_problems(timing: Timing, fragment: str) -> None:
    assert any(fragment in p for p in timing.problems())


def test_default_timing_is_consistent() -> None:
    assert Timing().problems() == []


def test_port_names_are_validated() -> None:
    assert checked_ports(["ens224", "ens224", "ens256"]) == ("ens224", "ens256")
    for bad in ("ens224;reboot", "a b", "x" * 16, "$(id)", ""):
        with pytest.raises(InputError):
            checked_ports([bad])


def _policy(*bonds: ExpectedBond) -> Policy:
    return Policy(name="p", bonds=bonds)


def test_choose_bonds() -> None:
    one = _policy(ExpectedBond("bond0", ports=("ens224", "ens256")))
    assert choose_bonds(one, None, ()) == ("bond0",)
    two = _policy(ExpectedBond("bond0", ports=("a",)), ExpectedBond("bond1", ports=("b",)))
    with pytest.raises(InputError, match="choose one with --bond"):
        choose_bonds(two, None, ())
    assert choose_bonds(two, None, ("b",)) == ("bond1",)
    assert choose_bonds(two, "bond0", ()) == ("bond0",)
    with pytest.raises(InputError, match="no bond of that name"):
        choose_bonds(two, "bond9", ())


def test_ports_to_pull_keeps_kernel_order_and_missing_policy_ports() -> None:
    healthy = bond("lacp-healthy.bonding")
    assert ports_to_pull(healthy, [], ["ens256", "ens224", "ens300"]) == [
        "ens224",
        "ens256",
        "ens300",
    ]
    assert ports_to_pull(healthy, ["ens256"], ["ens224", "ens256"]) == ["ens256"]
