"""Run checks against one context, turning a crash inside a check into an ERROR result.

A check is a pure function of its context, but evidence from real nodes is varied and a
bug in one check must not cost the whole run (or the other checks of that node): the
failing check reports ERROR with the exception's type and text, and the run goes on.
Results a check yielded before it crashed are dropped, so a half-finished check never
shows a PASS.
"""

from __future__ import annotations

from collections.abc import Iterable

from bondcheck.checks.base import CheckContext, CheckDef
from bondcheck.model import CheckResult, Status


def run_bond_checks(ctx: CheckContext, checks: Iterable[CheckDef]) -> list[CheckResult]:
    """Results of every bond-scope check in ``checks`` for ``ctx.expected``, in order.

    Other scopes in ``checks`` are left out, so a caller can pass the same selected list to
    both runners.
    """
    return _run(ctx, [c for c in checks if c.scope == "bond"], bond=ctx.expected.name)


def run_node_checks(ctx: CheckContext, checks: Iterable[CheckDef]) -> list[CheckResult]:
    """Results of every node-scope check in ``checks``, run once per node (bond None).

    Node checks read only the node, its evidence and its enactment, never the bond, so any
    context of the node serves.
    """
    return _run(ctx, [c for c in checks if c.scope == "node"], bond=None)


def _run(ctx: CheckContext, checks: list[CheckDef], *, bond: str | None) -> list[CheckResult]:
    results: list[CheckResult] = []
    for check in checks:
        try:
            results.extend(list(check.run(ctx)))
        except Exception as exc:  # one broken check must not end the run
            results.append(internal_error(check, exc, bond=bond))
    return results


def internal_error(check: CheckDef, exc: BaseException, *, bond: str | None) -> CheckResult:
    """The ERROR result standing in for a check that raised."""
    text = " ".join(str(exc).split())
    return CheckResult(
        check=check.id,
        status=Status.ERROR,
        message=f"internal error in check {check.id}: {type(exc).__name__}: {text}",
        bond=bond,
        remediation=(
            "This is a bondcheck bug: report it with the evidence that triggers it "
            "(bondcheck collect --out DIR)."
        ),
    )
