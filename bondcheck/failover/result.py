"""Outcomes of a failover run, per port and per node, and the exit code they map to.

The failover test has its own verdict vocabulary because "refused" (the pre-check said no and
nothing was touched) must never be confused with "fail" (a link was pulled and the bond did
not cope) or "error" (the test could not run or lost the node half way). Frozen dataclasses,
no I/O.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from bondcheck.errors import EXIT_COLLECT, EXIT_FAIL, EXIT_OK, EXIT_REFUSED

SCHEMA_VERSION = 1


class Verdict(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    REFUSED = "refused"
    ERROR = "error"


# Which verdict a node shows when its ports differ, and which exit code wins for a run:
# a failed failover outranks a test that could not run, which outranks a refusal.
_RANK = {Verdict.PASS: 0, Verdict.REFUSED: 1, Verdict.ERROR: 2, Verdict.FAIL: 3}
_EXIT = {
    Verdict.PASS: EXIT_OK,
    Verdict.REFUSED: EXIT_REFUSED,
    Verdict.ERROR: EXIT_COLLECT,
    Verdict.FAIL: EXIT_FAIL,
}


def worst_verdict(verdicts: list[Verdict]) -> Verdict:
    return max([Verdict.PASS, *verdicts], key=_RANK.__getitem__)


@dataclass(frozen=True)
class PortOutcome:
    """One port pull (or the refusal to pull it) and everything measured while it was out."""

    port: str
    bond: str
    status: Verdict
    message: str
    lost_probes: int | None = None
    probes_sent: int | None = None
    max_gap_ms: float | None = None
    gap_source: str | None = None  # "timestamps" (ping -D) or "sequence"
    probe_interval_ms: float | None = None
    rejoin_ms: float | None = None
    active_port_before: str | None = None
    active_port_during: str | None = None
    target: str | None = None
    timer: str | None = None  # disarmed | fired | left armed | not armed
    restore_mechanisms: tuple[str, ...] = ()
    marker: str | None = None
    counters: dict[str, dict[str, int | None]] = field(default_factory=dict)
    problems: tuple[str, ...] = ()  # every failed assertion, the first one is ``message``
    notes: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()  # --dry-run: the exact commands, in order

    def to_json(self) -> dict[str, Any]:
        return {
            "port": self.port,
            "bond": self.bond,
            "status": self.status.value,
            "lost_probes": self.lost_probes,
            "probes_sent": self.probes_sent,
            "max_gap_ms": self.max_gap_ms,
            "gap_source": self.gap_source,
            "probe_interval_ms": self.probe_interval_ms,
            "rejoin_ms": self.rejoin_ms,
            "active_port_before": self.active_port_before,
            "active_port_during": self.active_port_during,
            "target": self.target,
            "restore_timer": self.timer,
            "restore_mechanisms": list(self.restore_mechanisms),
            "marker": self.marker,
            "counters": self.counters,
            "message": self.message,
            "problems": list(self.problems),
            "notes": list(self.notes),
            **({"commands": list(self.commands)} if self.commands else {}),
        }


@dataclass(frozen=True)
class NodeOutcome:
    node: str
    ports: tuple[PortOutcome, ...] = ()
    error: str | None = None  # the node could not be reached or tested at all
    refused: str | None = None  # the node was not started (operator declined, earlier failure)
    transport: str = "ssh"

    @property
    def status(self) -> Verdict:
        if self.error is not None:
            return worst_verdict([Verdict.ERROR, *(p.status for p in self.ports)])
        if self.refused is not None and not self.ports:
            return Verdict.REFUSED
        return worst_verdict([p.status for p in self.ports]) if self.ports else Verdict.REFUSED

    @property
    def message(self) -> str:
        if self.error is not None:
            return self.error
        if self.refused is not None:
            return self.refused
        bad = [p for p in self.ports if p.status is not Verdict.PASS]
        return bad[0].message if bad else "every port failed over and rejoined"

    def to_json(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "status": self.status.value,
            "transport": self.transport,
            "message": self.message,
            "ports": [p.to_json() for p in self.ports],
        }


@dataclass(frozen=True)
class FailoverReport:
    policy: str
    nodes: tuple[NodeOutcome, ...] = ()
    dry_run: bool = False
    tool_version: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    generated_at: str = ""  # RFC 3339, UTC: when the run ended
    duration_s: float | None = None

    @property
    def status(self) -> Verdict:
        return worst_verdict([n.status for n in self.nodes]) if self.nodes else Verdict.ERROR

    @property
    def exit_code(self) -> int:
        """0 all pass, 1 a failover failed, 3 could not run, 4 refused by the pre-check."""
        return _EXIT[self.status]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "policy": self.policy,
            "tool_version": self.tool_version,
            "generated_at": self.generated_at or None,
            "duration_s": self.duration_s,
            "dry_run": self.dry_run,
            "status": self.status.value,
            "settings": self.settings,
            "nodes": [n.to_json() for n in self.nodes],
        }
