"""What a diff found: changes per node, and the two snapshots they sit between.

Frozen like the rest of the model, so renderers, tests and ``verify --baseline`` share them.
The JSON contract built from these is in docs/usage.md (``kind: diff``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bondcheck.model import IpState, LldpNeighbor, ObservedBond

#: A node's status in a diff, in report order.
NODE_STATUSES: tuple[str, ...] = ("changed", "added", "removed", "error", "same")


@dataclass(frozen=True)
class Change:
    """One difference: which drift ID, where, the value before and after, and one line."""

    id: str
    message: str
    bond: str | None = None
    port: str | None = None
    before: Any = None
    after: Any = None


@dataclass(frozen=True)
class NodeState:
    """One node's parsed evidence: every bond the capture holds (None: known to be absent),
    its addresses and links, the kernel release and when it was collected."""

    node: str
    bonds: Mapping[str, ObservedBond | None] = field(default_factory=dict)
    ip: IpState = field(default_factory=IpState)
    kernel: str | None = None
    collected_at: str | None = None
    #: LLDP neighbours per port (lldp.json); None when the snapshot has no LLDP source.
    lldp: Mapping[str, tuple[LldpNeighbor, ...]] | None = None


@dataclass(frozen=True)
class NodeDiff:
    """One node's result: ``changed``, ``same``, ``added``, ``removed`` or ``error`` (its
    evidence could not be read on one side: ``error`` says which and why)."""

    node: str
    status: str
    changes: tuple[Change, ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = ()
    before_at: str | None = None
    after_at: str | None = None


@dataclass(frozen=True)
class Side:
    """One snapshot: the directory and when it was collected (its earliest node)."""

    dir: str
    collected_at: str | None = None


@dataclass(frozen=True)
class DiffReport:
    """The whole diff, as every format renders it."""

    before: Side
    after: Side
    nodes: tuple[NodeDiff, ...] = ()
    tool_version: str = ""
    generated_at: str = ""

    @property
    def interval_s(self) -> int | None:
        """Seconds from the before snapshot to the after one, when both say when."""
        start, end = parse_time(self.before.collected_at), parse_time(self.after.collected_at)
        if start is None or end is None:
            return None
        return int((end - start).total_seconds())


def parse_time(text: str | None) -> datetime | None:
    """An RFC 3339 time as bondcheck and sosreports write it; None when it is not one."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def earliest(times: list[str | None]) -> str | None:
    """The earliest of several collection times (a fleet is collected over a few seconds)."""
    known = [(parse_time(t), t) for t in times if t and parse_time(t) is not None]
    return min(known)[1] if known else None


def span(seconds: int | None) -> str:
    """``3d 4h``, ``2h 5m``, ``4m 10s``, ``12s``; ``-`` when unknown; negative is said so."""
    if seconds is None:
        return "-"
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes}m"
    if minutes:
        return f"{sign}{minutes}m {secs}s"
    return f"{sign}{secs}s"


def counts(report: DiffReport) -> dict[str, int]:
    """The JSON ``summary``: nodes in total and per status, and changes in total."""
    out = {"nodes": len(report.nodes)}
    for status in NODE_STATUSES:
        out[status] = sum(1 for n in report.nodes if n.status == status)
    out["changes"] = sum(len(n.changes) for n in report.nodes)
    return out
