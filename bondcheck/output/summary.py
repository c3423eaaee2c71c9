"""Counting and labelling shared by every output format.

Formats render a Report; they never judge. What they share is how to count (nodes by node
status, results by result status), how to name a result's target (``bond0/ens224``) and how to
turn the free-form ``expected``/``observed`` values of a CheckResult into JSON types. Keeping
this in one place is what makes the table, JSON, JUnit and Markdown reports agree.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Mapping
from typing import Any

from bondcheck.model import CheckResult, NodeReport, Report, Status

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text from a node made safe for a terminal or a ticket: one line, and control bytes
    (an ESC sequence in a mangled capture could rewrite the operator's screen) shown as
    ``\\x1b`` instead of being sent."""
    text = " ".join(text.split())
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def cell(text: str) -> str:
    """A Markdown table cell: ``safe``, pipes escaped."""
    return safe(text).replace("|", "\\|")


#: Node statuses in report order (a node is "skip" when no selected check could judge it),
#: which is also the order the per-node result columns show them.
NODE_STATUSES: tuple[Status, ...] = (
    Status.PASS,
    Status.WARN,
    Status.FAIL,
    Status.SKIP,
    Status.ERROR,
)

#: Results listed as findings by default; passes and skips only with --verbose.
FINDING_STATUSES: frozenset[Status] = frozenset({Status.WARN, Status.FAIL, Status.ERROR})


def node_counts(report: Report) -> dict[str, int]:
    """The JSON ``summary`` object: how many NODES ended in each status."""
    counts = {"nodes": len(report.nodes)}
    for status in NODE_STATUSES:
        counts[status.value] = sum(1 for n in report.nodes if n.status is status)
    return counts


def result_counts(node: NodeReport) -> dict[Status, int]:
    """How many results of one node ended in each status; evidence that could not be
    collected counts as one error. Every format shows these numbers, so they agree."""
    counts = dict.fromkeys(NODE_STATUSES, 0)
    for result in node.results:
        counts[result.status] += 1
    if node.error is not None:
        counts[Status.ERROR] += 1
    return counts


def target(result: CheckResult) -> str:
    """What a result is about: ``bond0/ens224``, ``bond0``, or ``node`` for node checks."""
    if result.bond and result.port:
        return safe(f"{result.bond}/{result.port}")
    if result.bond or result.port:
        return safe(result.bond or result.port or "")
    return "node"


def value_labels(result: CheckResult) -> tuple[str, str]:
    """What a result's ``expected``/``observed`` are called: a drift (``verify --baseline``)
    holds the baseline's value and today's, not the policy's."""
    if result.check.startswith("DRIFT-"):
        return "before", "after"
    return "expected", "observed"


def findings(node: NodeReport, *, verbose: bool = False) -> list[CheckResult]:
    """The results a human report lists for a node: problems, or everything with verbose."""
    if verbose:
        return list(node.results)
    return [r for r in node.results if r.status in FINDING_STATUSES]


def status_counts(report: Report) -> str:
    """``2 pass, 0 warn, 1 fail, 0 error``: nodes per status (skip only when there is one)."""
    counts = node_counts(report)
    return ", ".join(
        f"{counts[s.value]} {s.value}"
        for s in NODE_STATUSES
        if s is not Status.SKIP or counts[s.value]
    )


def summary_line(report: Report) -> str:
    """One line for stderr / the end of the table, naming the nodes that need attention."""
    nodes = len(report.nodes)
    text = (
        f"{nodes} node{'s' if nodes != 1 else ''} checked against {safe(report.policy)}: "
        + status_counts(report)
    )
    bad = [n for n in report.nodes if n.status in (Status.FAIL, Status.ERROR)]
    if bad:
        shown = ", ".join(f"{safe(n.node)} ({n.status.value})" for n in bad[:5])
        if len(bad) > 5:
            shown += f", +{len(bad) - 5} more"
        text += f" - {shown}"
    return text


def jsonable(value: Any) -> Any:
    """``expected``/``observed`` values as JSON types, whatever a check put there.

    Checks may use tuples, frozen dataclasses (ExpectedAddress), enums or sets; a report must
    never fail to serialise because of that, so anything unknown becomes its ``str()``.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=str)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return str(value)


def display(value: Any) -> str:
    """A short human rendering of an expected/observed value (for table and markdown)."""
    return safe(_display(jsonable(value)))


def _display(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_display(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
