"""Rejoin detection and the before/after comparison, on real lab captures."""

from __future__ import annotations

from dataclasses import replace

from bondcheck.failover.rejoin import bond_partner, rejoin_problem, state_differences
from bondcheck.model import CheckResult, Status
from tests.failover.samples import bond


def test_rejoin_stages_of_a_real_lacp_port() -> None:
    healthy = bond("lacp-healthy.bonding")
    partner = bond_partner(healthy)
    assert partner == "02:5e:00:00:00:01"
    assert "MII status is down" in (
        rejoin_problem(bond("lacp-ens224-pulled.bonding"), "ens224", partner) or ""
    )
    no_carrier = bond("lacp-ens224-up-no-carrier.bonding")
    assert "MII status is down" in (rejoin_problem(no_carrier, "ens224", partner) or "")
    for name in ("lacp-ens224-rejoin-early.bonding", "lacp-ens224-plugged-1s.bonding"):
        problem = rejoin_problem(bond(name), "ens224", partner)
        assert problem is not None and "state 7" in problem and "sync" in problem
    assert rejoin_problem(bond("lacp-rejoined-after-pull.bonding"), "ens224", partner) is None
    assert rejoin_problem(healthy, "ens224", partner) is None


def test_rejoin_needs_the_same_partner() -> None:
    healthy = bond("lacp-healthy.bonding")
    problem = rejoin_problem(healthy, "ens224", "02:aa:bb:cc:dd:ee")
    assert problem is not None and "not 02:aa:bb:cc:dd:ee" in problem


def test_active_backup_rejoin_is_mii_up() -> None:
    assert rejoin_problem(bond("ab-healthy.bonding"), "ens224", None) is None
    assert rejoin_problem(bond("ab-ens224-pulled.bonding"), "ens224", None) is not None


def test_same_state_has_no_differences_even_with_more_link_failures() -> None:
    before = bond("lacp-healthy.bonding")
    after = bond("lacp-rejoined-after-pull.bonding")  # link failure count of ens224 grew
    assert after.port("ens224").link_failure_count > before.port("ens224").link_failure_count  # type: ignore[union-attr,operator]
    results = [CheckResult("PORT-FLAPPING", Status.PASS, "ok", bond="bond0")]
    grown = [CheckResult("PORT-FLAPPING", Status.WARN, "11 failures", bond="bond0")]
    assert state_differences(before, after, results, grown) == []


def test_differences_are_named() -> None:
    before = bond("lacp-healthy.bonding")
    diffs = state_differences(before, bond("lacp-ens224-plugged-1s.bonding"), [], [])
    assert diffs == [
        "port:ens224.actor_in_sync: True before, False after",
        "port:ens224.partner_in_sync: True before, False after",
    ]
    pulled = state_differences(before, bond("lacp-ens224-pulled.bonding"), [], [])
    assert any(d.startswith("port:ens224.mii_status: 'up' before, 'down' after") for d in pulled)
    changed = replace(before, lacp_rate="slow")
    assert any(d.startswith("lacp_rate") for d in state_differences(before, changed, [], []))
    verdict = state_differences(
        before,
        before,
        [CheckResult("LACP-RATE", Status.PASS, "fast", bond="bond0")],
        [CheckResult("LACP-RATE", Status.FAIL, "slow", bond="bond0")],
    )
    assert verdict == ["check LACP-RATE/bond0: pass before, fail after"]


def test_active_backup_primary_must_be_active_again() -> None:
    before = bond("ab-healthy.bonding")
    assert before.primary == "ens224" and before.active_port == "ens224"
    moved = replace(before, active_port="ens256")
    assert any(d.startswith("active_port") for d in state_differences(before, moved, [], []))
    no_primary = replace(before, primary=None)
    assert state_differences(no_primary, replace(no_primary, active_port="ens256"), [], []) == []
