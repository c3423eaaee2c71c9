"""``verify --baseline DIR``: the drift since a saved capture, as results of the verify report.

Each Change becomes a CheckResult with its DRIFT-* ID and status **warn**: a planned change
must not fail the gate, and ``--strict`` (warnings fail) makes drift count, with the exit code
rule verify already has. Only the bonds of the policy are compared (a live run collects no
others), and a node the baseline cannot speak for gets a note, never a drift.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from bondcheck.drift.catalog import BY_ID
from bondcheck.drift.compare import compare_nodes
from bondcheck.drift.model import Change
from bondcheck.drift.run import Item, state_of, view_notes
from bondcheck.model import CheckResult, Evidence, NodeReport, Report, Status


def drift_result(change: Change) -> CheckResult:
    """A Change as a verify result: warn, before as ``expected``, after as ``observed``."""
    return CheckResult(
        check=change.id,
        status=Status.WARN,
        message=change.message,
        bond=change.bond,
        port=change.port,
        expected=change.before,
        observed=change.after,
        remediation=BY_ID[change.id].remediation,
    )


def _node_drift(
    node: NodeReport, current: Item | None, base: Item | None, bonds: Sequence[str]
) -> NodeReport:
    if node.error is not None or current is None:
        return node  # not judged now: nothing to compare
    if base is None:
        change = Change("DRIFT-NODE", f"{node.node} is not in the baseline", after=node.node)
        return replace(node, results=(*node.results, drift_result(change)))
    old, new = state_of(base, bonds), state_of(current, bonds)
    if isinstance(old, str):
        note = f"baseline: this node's evidence could not be read ({old}); not compared"
        return replace(node, notes=(*node.notes, note))
    if isinstance(new, str):
        return node  # the judge already reports EVIDENCE-PARSE for it
    drift = tuple(drift_result(c) for c in compare_nodes(old, new))
    notes = tuple(f"baseline: {n}" for n in view_notes(old, new))
    return replace(node, results=(*node.results, *drift), notes=(*node.notes, *notes))


def add_drift(
    report: Report,
    current: Sequence[Item],
    baseline: Sequence[Item],
    bonds_of: Callable[[str], Sequence[str]],
    *,
    every_node: bool,
    where: str = "",
) -> Report:
    """``report`` with each node's drift since ``baseline``. ``every_node`` says the run was
    not narrowed (no ``--node``/``--selector``), so a baseline node missing from it vanished."""
    now: Mapping[str, Item] = {item.node: item for item in current}
    base: Mapping[str, Item] = {item.node: item for item in baseline}
    nodes = [
        _node_drift(n, now.get(n.node), base.get(n.node), bonds_of(n.node)) for n in report.nodes
    ]
    if every_node:
        seen = {n.node for n in report.nodes}
        for name in sorted(set(base) - seen):
            item = base[name]
            change = Change(
                "DRIFT-NODE", f"{name} is in the baseline but not in this run", before=name
            )
            transport = "capture" if isinstance(item, Evidence) else item.transport
            nodes.append(NodeReport(name, transport, results=(drift_result(change),)))
    notes = (*report.notes, f"drift (DRIFT-* results) is relative to the baseline {where}".strip())
    return replace(report, nodes=tuple(nodes), notes=notes)
