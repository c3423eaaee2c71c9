"""From one node's evidence and the policy to a NodeReport, and from a Report to an exit code.

The judge is the only place where raw evidence meets the checks: it parses each bond's text
and the ip JSON, builds one CheckContext per expected bond and runs the selected checks. It
does no I/O, so a live node and a saved capture are judged by exactly the same code.

Unreadable evidence is a finding, not a crash. When the text of /proc/net/bonding/<bond> (or
``ip -j`` JSON) does not parse, the judge records an ERROR result with the dedicated check ID
``EVIDENCE-PARSE`` for that bond (bond None for the ip JSON) and carries on with everything
else. A dedicated ID rather than BOND-PRESENT, because the bond may well exist: what failed
is reading it, and the remediation is different. EVIDENCE-PARSE is always reported, whatever
``--only``/``--skip`` say, because the checks it replaces never ran (see checks/evidence.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from bondcheck.checks.base import CheckContext, CheckDef
from bondcheck.checks.catalog import selected
from bondcheck.checks.evidence import unreadable
from bondcheck.checks.runner import run_bond_checks, run_node_checks
from bondcheck.errors import EXIT_COLLECT, EXIT_FAIL, EXIT_OK, ParseError
from bondcheck.model import (
    CheckResult,
    Evidence,
    IpState,
    JudgedBond,
    NodeReport,
    ObservedBond,
    Policy,
    Report,
    Status,
)

if TYPE_CHECKING:
    from bondcheck.cabling import Cabling


def _ip_state(evidence: Evidence) -> tuple[IpState, list[CheckResult]]:
    from bondcheck.parse.iproute import parse_ip_state

    try:
        state = parse_ip_state(evidence.ip_addr, evidence.ip_link, source=f"{evidence.node}:ip -j")
    except ParseError as exc:
        # Keep judging the bonds: their checks that need no addresses still mean something.
        return IpState(), [unreadable(f"ip JSON unreadable: {exc}", bond=None, evidence=None)]
    return state, []


def _lldp(evidence: Evidence) -> tuple[Mapping[str, Any] | None, list[CheckResult]]:
    """LLDP neighbours per port from NNS or lldp.json; None when the node has no source."""
    from bondcheck.parse.lldp import lldp_from_nns, parse_lldpctl

    try:
        if evidence.nns_state is not None:
            return lldp_from_nns(evidence.nns_state), []
        if evidence.lldp is not None:
            return parse_lldpctl(evidence.lldp), []
    except ParseError as exc:
        return None, [unreadable(f"LLDP data unreadable: {exc}", bond=None, evidence=None)]
    return None, []


def judge_node(
    policy: Policy,
    evidence: Evidence,
    *,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    cabling: Cabling | None = None,
) -> NodeReport:
    """Run the selected checks on one node's evidence; never raises for bad evidence.
    ``cabling`` is the expected cabling map and distinct-switch rule (LLDP-* checks)."""
    from bondcheck.parse.procfs import parse_bonding

    chosen = selected(only, skip)
    bond_checks = [c for c in chosen if c.scope == "bond"]
    node_checks = [c for c in chosen if c.scope == "node"]
    nns = evidence.nns_state
    results: list[CheckResult]
    if nns is not None:
        from bondcheck.parse.nns import ip_state_from_nns

        try:
            ip, results = ip_state_from_nns(nns), []
        except ParseError as exc:
            ip, results = IpState(), [unreadable(str(exc), bond=None, evidence=None)]
    else:
        ip, results = _ip_state(evidence)
    lldp, lldp_problems = _lldp(evidence)
    results.extend(lldp_problems)
    contexts: list[CheckContext] = []
    judged: list[JudgedBond] = []
    catalog = {c.id: i for i, c in enumerate(bond_checks)}

    def catalog_index(result: CheckResult) -> int:
        return catalog.get(result.check, len(catalog))

    for expected in policy.bonds:
        runnable, skipped = bond_checks, list[CheckResult]()
        if nns is not None:
            try:
                observed, runnable, skipped = _from_nns(nns, expected.name, bond_checks)
            except ParseError as exc:
                results.append(unreadable(str(exc), bond=expected.name, evidence=None))
                continue
        else:
            text = evidence.bonds.get(expected.name)
            source = f"{evidence.node}:/proc/net/bonding/{expected.name}"
            try:
                observed = (
                    None if text is None else parse_bonding(text, name=expected.name, source=source)
                )
            except ParseError as exc:
                lines = (text or "").splitlines()
                first = next((ln.strip() for ln in lines if ln.strip()), "")
                results.append(unreadable(str(exc), bond=expected.name, evidence=first or None))
                continue
        ctx = CheckContext(
            node=evidence.node,
            expected=expected,
            observed=observed,
            ip=ip,
            evidence=evidence,
            enactment=evidence.enactment,
            lldp=lldp,
            cabling=cabling,
        )
        contexts.append(ctx)
        judged.append(JudgedBond(expected.name, expected.ports, observed))
        results.extend(sorted(run_bond_checks(ctx, runnable) + skipped, key=catalog_index))
    if node_checks and policy.bonds:
        # Node checks read the node, never the bond: any context of the node serves.
        node_ctx = (
            contexts[0]
            if contexts
            else CheckContext(
                evidence.node, policy.bonds[0], None, ip, evidence, evidence.enactment
            )
        )
        results.extend(run_node_checks(node_ctx, node_checks))
    return NodeReport(
        node=evidence.node,
        transport=evidence.transport,
        results=tuple(results),
        notes=tuple(dict.fromkeys(n for n in evidence.notes if n.strip())),
        bonds=tuple(judged),
    )


def _from_nns(
    nns: Mapping[str, Any], bond: str, checks: list[CheckDef]
) -> tuple[ObservedBond | None, list[CheckDef], list[CheckResult]]:
    """``--via nns``: the bond as NodeNetworkState shows it, the checks NNS can answer, and a
    SKIP (with the reason the check's definition gives) for each check that needs the
    kernel's runtime view instead."""
    from bondcheck.parse.nns import observed_from_nns

    observed = observed_from_nns(nns, bond)
    runnable: list[CheckDef] = []
    skipped: list[CheckResult] = []
    for check in checks:
        why = check.nns_skip()
        if why is None:
            runnable.append(check)
        else:
            skipped.append(CheckResult(check=check.id, status=Status.SKIP, message=why, bond=bond))
    return observed, runnable, skipped


def failed_node(node: str, transport: str, message: str, kind: str = "collect") -> NodeReport:
    """The report of a node that was not judged (status ERROR); ``kind`` says why."""
    error = " ".join(message.split()) or "?"
    return NodeReport(node=node, transport=transport, error=error, error_kind=kind)


def _has(report: Report, status: Status) -> bool:
    return any(r.status is status for n in report.nodes for r in n.results)


def exit_code(report: Report, *, strict: bool = False, exit_zero: bool = False) -> int:
    """The documented exit code of a verify run.

    0 all pass (warnings allowed) · 1 a check failed, or with ``strict`` a check warned ·
    3 evidence could not be collected or read from a node and nothing failed ·
    ``exit_zero`` forces 0. A failure outranks a collection error: a fleet where one node
    failed and another was unreachable still has a known problem to fix first.
    """
    if exit_zero:
        return EXIT_OK
    if _has(report, Status.FAIL) or (strict and _has(report, Status.WARN)):
        return EXIT_FAIL
    if any(n.error is not None for n in report.nodes) or _has(report, Status.ERROR):
        return EXIT_COLLECT
    return EXIT_OK
