"""Properties every check keeps, whatever it judges: paths shared by the whole catalog."""

from __future__ import annotations

import json

import pytest

from bondcheck.checks.base import CheckContext
from bondcheck.checks.catalog import CATALOG
from bondcheck.model import Enactment, Status

from .builders import (
    ab_bond,
    absent_context,
    context,
    expected,
    ip_state,
    lacp_bond,
    lacp_port,
    nonroot,
    plain_port,
)

BOND_CHECKS = [c for c in CATALOG if c.scope == "bond"]
RUN_CHECKS = [c for c in CATALOG if c.scope != "evidence"]  # the judge reports the others
LACP_IDS = [c.id for c in BOND_CHECKS if c.id.startswith("LACP-")]


def _contexts() -> dict[str, CheckContext]:
    broken = lacp_bond(
        lacp_port("eth1", mii="down", agg=None, details=False, link_failure_count=50),
        lacp_port("eth9", partner_mac="00:00:00:00:00:00", actor_state=77, partner_state=1),
        mii_status="down",
        ad_info=None,
        no_active_aggregator=True,
    )
    return {
        "healthy": context(ip=ip_state({"bond0": ["10.0.0.5/24"], "eth1": [], "eth2": []})),
        "nonroot": context(nonroot(lacp_bond()), ip=ip_state({})),
        "broken": context(
            broken,
            expected(options={"miimon": 100, "use_carrier": True}),
            ip=ip_state({"eth9": ["10.9.9.9/24"]}),
            enactment=Enactment("worker-0", "bond0-lacp", "Failing", message="x\nerror y"),
        ),
        "active-backup": context(ab_bond(), expected(mode="active-backup"), ip=ip_state({})),
        "absent": absent_context(),
        "no-ports": context(ab_bond(ports=()), expected(mode="active-backup"), ip=ip_state({})),
    }


CONTEXTS = _contexts()


@pytest.mark.parametrize("name", list(CONTEXTS))
@pytest.mark.parametrize("check", RUN_CHECKS, ids=lambda c: c.id)
def test_results_are_complete_one_line_and_json_plain(check, name: str) -> None:
    ctx = CONTEXTS[name]
    results = list(check.run(ctx))
    assert results, f"{check.id} yields at least one result ({name})"
    for r in results:
        assert r.check == check.id
        assert r.status is not Status.ERROR
        assert r.message and "\n" not in r.message
        assert r.bond == (ctx.expected.name if check.scope == "bond" else None)
        json.dumps([r.expected, r.observed])  # plain values only
        if r.status in (Status.FAIL, Status.WARN):
            assert r.remediation, f"{check.id} {r.status} without remediation"
        if r.status is Status.PASS:
            assert r.remediation is None


@pytest.mark.parametrize(
    "check", [c for c in BOND_CHECKS if c.id != "BOND-PRESENT"], ids=lambda c: c.id
)
def test_absent_bond_skips_every_bond_check_but_presence(check) -> None:
    [result] = check.run(absent_context())
    assert result.status is Status.SKIP
    assert "bond not present" in result.message


@pytest.mark.parametrize("state", ["absent", "down"])
@pytest.mark.parametrize(
    "check", [c for c in BOND_CHECKS if c.id != "BOND-PRESENT"], ids=lambda c: c.id
)
def test_removal_policy_leaves_judgement_to_presence(check, state: str) -> None:
    [result] = check.run(context(lacp_bond(), expected(state=state)))
    assert result.status is Status.SKIP
    assert f"state: {state}" in result.message


@pytest.mark.parametrize("check_id", LACP_IDS)
def test_lacp_checks_skip_other_modes_with_the_reason(check_id: str) -> None:
    check = next(c for c in BOND_CHECKS if c.id == check_id)
    ctx = context(ab_bond(plain_port("eth1"), plain_port("eth2")), expected(mode="active-backup"))
    [result] = check.run(ctx)
    assert result.status is Status.SKIP
    assert "active-backup" in result.message and "802.3ad" in result.message


ROOT_ONLY = ["LACP-PARTNER", "LACP-AGGREGATOR", "LACP-SAME-PARTNER", "LACP-PORT-STATE"]


@pytest.mark.parametrize("check_id", [*ROOT_ONLY, "LACP-VISIBILITY"])
def test_nonprivileged_view_warns_and_never_claims_no_partner(check_id: str) -> None:
    check = next(c for c in BOND_CHECKS if c.id == check_id)
    results = list(check.run(context(nonroot(lacp_bond()))))
    assert [r.status for r in results] == [Status.WARN]
    message = results[0].message
    assert "not visible to this reader" in message and "CAP_NET_ADMIN" in message
    assert "no partner" not in message and "no LACP partner" not in message
