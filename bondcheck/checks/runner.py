"""Run checks against one context, turning a crash inside a check into an ERROR result.

A check is a pure function of its context, but evidence from real nodes is varied and a
bug in one check must not cost the whole run (or the other checks of that node): the
failing check reports ERROR with the exception's type and text, and the run goes on.
Results a check yielded before it crashed are dropped, so a half-finished check never
shows a PASS.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bondcheck.checks.registry import Check, CheckContext
from bondcheck.model import CheckResult, Evidence, IpState, Policy, Status


def run_bond_checks(ctx: CheckContext, checks: Iterable[Check]) -> list[CheckResult]:
    """Results of every bond-scope check in ``checks`` for ``ctx.expected``, in order.

    Node-scope checks in ``checks`` are left out (see :func:`run_node_checks`), so a
    caller can pass the same selected list to both.
    """
    return _run(ctx, [c for c in checks if c.scope == "bond"], bond=ctx.expected.name)


def run_node_checks(
    ctx: CheckContext | None = None,
    checks: Iterable[Check] = (),
    *,
    node: str | None = None,
    policy: Policy | None = None,
    evidence: Evidence | None = None,
    ip: IpState | None = None,
    contexts: Sequence[CheckContext] = (),
) -> list[CheckResult]:
    """Results of every node-scope check in ``checks``, run once per node (bond None).

    Pass either a ready ``ctx`` or the node's parts: the context is then the first of
    ``contexts`` (the bonds' contexts), else one built from the policy's first bond,
    ``evidence`` and ``ip``. Node checks read only the node, its evidence and its
    enactment (``evidence.enactment``), never the bond.
    """
    if ctx is None:
        ctx = _node_context(node, policy, evidence, ip, contexts)
    return _run(ctx, [c for c in checks if c.scope == "node"], bond=None)


def _node_context(
    node: str | None,
    policy: Policy | None,
    evidence: Evidence | None,
    ip: IpState | None,
    contexts: Sequence[CheckContext],
) -> CheckContext:
    if contexts:
        return contexts[0]
    if policy is None or not policy.bonds or evidence is None:
        raise ValueError("run_node_checks needs ctx, contexts, or a policy with bonds + evidence")
    return CheckContext(
        node=node or evidence.node,
        expected=policy.bonds[0],
        observed=None,
        ip=ip if ip is not None else IpState(),
        evidence=evidence,
        enactment=evidence.enactment,
    )


def _run(ctx: CheckContext, checks: list[Check], *, bond: str | None) -> list[CheckResult]:
    results: list[CheckResult] = []
    for check in checks:
        try:
            results.extend(list(check.run(ctx)))
        except Exception as exc:  # one broken check must not end the run
            results.append(internal_error(check, exc, bond=bond))
    return results


def internal_error(check: Check, exc: BaseException, *, bond: str | None) -> CheckResult:
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
