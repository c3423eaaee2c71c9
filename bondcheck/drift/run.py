"""Read two evidence trees and diff them node by node (``bondcheck diff BEFORE AFTER``).

Both trees go through the capture reader ``--from-dir`` uses (collect's layout and
sosreports, in any mix), so a diff reads exactly what verify would judge. A node whose
evidence cannot be read on either side is an ``error`` node, never a change: "we could not
see it" and "it changed" lead to different work.
"""

from __future__ import annotations

from collections.abc import Sequence

from bondcheck import __version__
from bondcheck.drift.compare import compare_nodes
from bondcheck.drift.model import Change, DiffReport, NodeDiff, NodeState, Side, earliest
from bondcheck.drift.observe import observe
from bondcheck.errors import EXIT_COLLECT, EXIT_FAIL, EXIT_OK, ParseError
from bondcheck.model import Evidence, NodeFailure
from bondcheck.timefmt import utc_now

Item = Evidence | NodeFailure


def state_of(item: Item, bonds: Sequence[str] | None = None) -> NodeState | str:
    """The parsed state of a node, or why its evidence cannot be read (one line)."""
    if isinstance(item, NodeFailure):
        return item.message
    if item.nns_state is not None and not any(item.bonds.values()):
        return "holds NodeNetworkState only (collected --via nns): no kernel state to compare"
    try:
        return observe(item, bonds)
    except ParseError as exc:
        return str(exc)
    except Exception as exc:  # one node's odd evidence never ends the diff
        detail = " ".join(str(exc).split())[:200]
        return f"unreadable evidence ({type(exc).__name__}: {detail})"


def view_notes(before: NodeState, after: NodeState) -> tuple[str, ...]:
    """What one side could not show, so a quiet diff is not mistaken for a full one."""
    notes: list[str] = []
    for name in sorted(set(before.bonds) & set(after.bonds)):
        old, new = before.bonds[name], after.bonds[name]
        if old is None or new is None or old.privileged_view == new.privileged_view:
            continue
        if False not in (old.privileged_view, new.privileged_view):
            continue  # None: the mode shows no LACP details to hide
        hidden = "before" if old.privileged_view is False else "after"
        notes.append(
            f"{name}: the {hidden} snapshot was read without CAP_NET_ADMIN; LACP partners "
            "and aggregators were not compared"
        )
    if before.ip.has_addresses != after.ip.has_addresses:
        notes.append("addresses were collected on one side only; they were not compared")
    return tuple(notes)


def diff_node(name: str, before: Item | None, after: Item | None) -> NodeDiff:
    """One node's NodeDiff from its evidence on each side (None: not in that tree)."""
    old = None if before is None else state_of(before)
    new = None if after is None else state_of(after)
    at = (
        old.collected_at if isinstance(old, NodeState) else None,
        new.collected_at if isinstance(new, NodeState) else None,
    )
    errors = [
        f"{side}: {why}" for side, why in (("before", old), ("after", new)) if isinstance(why, str)
    ]
    if errors:
        return NodeDiff(name, "error", error="; ".join(errors), before_at=at[0], after_at=at[1])

    if old is None or new is None:
        present = new if old is None else old
        assert isinstance(present, NodeState)
        bonds = ", ".join(b for b, o in sorted(present.bonds.items()) if o is not None)
        what = f" (bonds: {bonds})" if bonds else ""
        if old is None:
            change = Change("DRIFT-NODE", f"{name} appeared{what}", before=None, after=name)
            return NodeDiff(name, "added", (change,), before_at=None, after_at=at[1])
        change = Change("DRIFT-NODE", f"{name} vanished{what}", before=name, after=None)
        return NodeDiff(name, "removed", (change,), before_at=at[0], after_at=None)
    assert isinstance(old, NodeState) and isinstance(new, NodeState)
    changes = tuple(compare_nodes(old, new))
    return NodeDiff(
        name,
        "changed" if changes else "same",
        changes,
        notes=view_notes(old, new),
        before_at=at[0],
        after_at=at[1],
    )


def diff_dirs(before_dir: str, after_dir: str) -> DiffReport:
    """``bondcheck diff BEFORE AFTER`` without the CLI: both trees read as ``--from-dir``
    reads them (InputError, exit 2, when one is not a capture), nodes in name order."""
    from bondcheck.transport.capture import read_capture

    old = {item.node: item for item in read_capture(before_dir, label="BEFORE")}
    new = {item.node: item for item in read_capture(after_dir, label="AFTER")}
    nodes = tuple(diff_node(n, old.get(n), new.get(n)) for n in sorted({*old, *new}))
    return DiffReport(
        before=Side(before_dir, earliest([n.before_at for n in nodes])),
        after=Side(after_dir, earliest([n.after_at for n in nodes])),
        nodes=nodes,
        tool_version=__version__,
        generated_at=utc_now(),
    )


def diff_exit_code(report: DiffReport, *, exit_zero: bool = False) -> int:
    """0 nothing changed · 1 something changed (nodes added or removed included) · 3 nothing
    changed but a node's evidence could not be read · ``exit_zero`` forces 0. A change
    outranks an unreadable node, as a failure outranks one in verify."""
    if exit_zero:
        return EXIT_OK
    statuses = {n.status for n in report.nodes}
    if statuses & {"changed", "added", "removed"}:
        return EXIT_FAIL
    if "error" in statuses:
        return EXIT_COLLECT
    return EXIT_OK
