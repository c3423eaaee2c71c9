"""The runner: scope filtering, order, and a crashing check turned into one ERROR result."""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import CheckContext, CheckDef
from bondcheck.checks.catalog import CATALOG
from bondcheck.checks.runner import run_bond_checks, run_node_checks
from bondcheck.model import CheckResult, Enactment, Status

from .builders import context


def _boom(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    yield c.passed(ctx, "half done")
    raise KeyError("eth9")


BROKEN = CheckDef(id="TEST-BROKEN", title="t", remediation="r", explain="e", fn=_boom)


def test_bond_run_keeps_catalog_order_and_only_bond_checks() -> None:
    results = run_bond_checks(context(), CATALOG)
    ids = list(dict.fromkeys(r.check for r in results))
    bond_ids = [c.id for c in CATALOG if c.scope == "bond"]
    assert ids == bond_ids
    assert "POLICY-ENACTMENT" not in ids


def test_crashing_check_becomes_one_error_and_the_run_goes_on() -> None:
    checks = [BROKEN, *[c for c in CATALOG if c.id == "BOND-MODE"]]
    results = run_bond_checks(context(), checks)
    assert [(r.check, r.status) for r in results] == [
        ("TEST-BROKEN", Status.ERROR),
        ("BOND-MODE", Status.PASS),
    ]
    error = results[0]
    assert error.message == "internal error in check TEST-BROKEN: KeyError: 'eth9'"
    assert error.bond == "bond0"
    assert error.remediation


def test_node_checks_run_once_with_no_bond() -> None:
    e = Enactment("worker-0", "p", "Available")
    results = run_node_checks(context(enactment=e), CATALOG)
    assert [(r.check, r.status, r.bond) for r in results] == [
        ("POLICY-ENACTMENT", Status.PASS, None)
    ]


def test_node_checks_read_the_node_not_the_bond() -> None:
    e = Enactment("worker-0", "p", "Failing", message="NmstateError: Bug: x")
    results = run_node_checks(context(enactment=e), CATALOG)
    assert [(r.check, r.status) for r in results] == [("POLICY-ENACTMENT", Status.FAIL)]
    assert results[0].message.endswith("NmstateError: Bug: x")
    assert [r.status for r in run_node_checks(context(enactment=None), CATALOG)] == [Status.SKIP]


def test_crashing_node_check_becomes_error() -> None:
    broken = CheckDef(
        id="TEST-NODE",
        title="t",
        remediation="r",
        explain="e",
        fn=_boom,
        scope="node",
        needs_bond=False,
    )
    [result] = run_node_checks(context(), [broken])
    assert result.status is Status.ERROR and result.bond is None
