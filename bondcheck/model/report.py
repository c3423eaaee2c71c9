"""Verdicts: the Status of a check or a node, and the results every output format renders.

Part of ``bondcheck.model``: import the names from there.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bondcheck.model.kernel import ObservedBond


class Status(str, enum.Enum):
    """Outcome of one check, or the worst outcome of a node.

    Ordered by severity so that ``max()`` over results gives a node's status.
    """

    PASS = "pass"
    SKIP = "skip"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Status.PASS: 0, Status.SKIP: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3}


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The most severe status of a collection; PASS when it is empty.

    ERROR outranks FAIL for a single check, but a node whose checks ran is judged by
    ``node_status`` instead, which keeps "could not collect" and "collected and failed" apart.
    """
    return max([Status.PASS, *statuses], key=lambda status: status.rank)  # first on a tie


@dataclass(frozen=True)
class CheckResult:
    """One finding: a check applied to one bond (and maybe one port) of one node."""

    check: str
    status: Status
    message: str
    bond: str | None = None
    port: str | None = None
    expected: Any = None
    observed: Any = None
    evidence: str | None = None  # the line of kernel text (or JSON field) that shows it
    remediation: str | None = None


@dataclass(frozen=True)
class JudgedBond:
    """A bond as it was judged: the ports the policy asks for and what the kernel showed.

    Verdicts say whether a bond is right; metrics and dashboards also want the state itself
    (mode, how many ports, each port's MII and LACP bytes), so the judge keeps what it parsed
    instead of every consumer parsing the evidence again. ``observed`` is None when the bond
    is absent on the node.
    """

    name: str
    expected_ports: tuple[str, ...] = ()
    observed: ObservedBond | None = None


@dataclass(frozen=True)
class NodeReport:
    """All results for one node; ``error`` is set when evidence could not be collected.

    ``notes`` carries what the collection said about the evidence (an empty file treated as
    not collected, a sosreport without ``ip -j``, ...): not a verdict, but what a reader needs
    to trust or question the verdicts.
    """

    node: str
    transport: str
    results: tuple[CheckResult, ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = ()
    #: How the node was lost when ``error`` is set: a NodeFailure kind (``collect``,
    #: ``unrendered``, ``internal``), so reports say "not judged" where nothing failed to
    #: collect.
    error_kind: str = "collect"
    #: Every bond of the policy that could be read, in policy order (see JudgedBond).
    bonds: tuple[JudgedBond, ...] = ()

    @property
    def error_label(self) -> str:
        """What every format writes before ``error``."""
        if self.error_kind == "unrendered":
            return "not judged"
        return "evidence could not be collected"

    @property
    def status(self) -> Status:
        """ERROR when not collected; SKIP when no selected check could judge the node (never
        PASS: zero checks is not green); else the worst result."""
        if self.error is not None:
            return Status.ERROR
        if all(r.status is Status.SKIP for r in self.results):
            return Status.SKIP
        return worst([r.status for r in self.results])


@dataclass(frozen=True)
class Report:
    """The whole run: what the output formats render and the exit code is computed from.

    ``notes`` are about the policy, not a node (what it holds that bondcheck does not verify,
    how its bonds were read), so every format shows them once per report. They are never
    verdicts: the exit code ignores them.
    """

    policy: str
    tool_version: str
    nodes: tuple[NodeReport, ...] = ()
    notes: tuple[str, ...] = ()
    generated_at: str = ""  # RFC 3339, UTC: when the verdicts were made
    duration_s: float | None = None  # the whole run, collection included
