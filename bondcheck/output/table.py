"""``-o table`` (the default): what an engineer reads in a terminal at 3 a.m.

A per-node summary table, then every finding that needs attention (check ID, bond/port, the
message, the kernel line that shows it, the remediation), then the policy's notes (what
bondcheck does not verify), then one summary line. Passing results are listed only with
``--verbose``. Colour comes from Rich, which turns it off when
the stream is not a terminal and honours NO_COLOR / FORCE_COLOR; this module never forces it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bondcheck.model import CheckResult, NodeReport, Report, Status
from bondcheck.output.summary import (
    display,
    findings,
    result_counts,
    safe,
    summary_line,
    target,
)

if TYPE_CHECKING:
    from rich.console import Console

STYLE: dict[Status, str] = {
    Status.PASS: "green",
    Status.WARN: "yellow",
    Status.FAIL: "bold red",
    Status.ERROR: "bold magenta",
    Status.SKIP: "dim",
}


def _badge(status: Status) -> str:
    return f"[{STYLE[status]}]{status.value.upper()}[/]"


def _summary_table(report: Report) -> object:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    # A header rule and no vertical borders, like `kubectl get`: node names keep their room
    # and the status column is never the one Rich shortens.
    table = Table(
        title=f"bondcheck verify: {escape(safe(report.policy))}",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
        highlight=False,
    )
    table.add_column("Node", overflow="fold")
    table.add_column("Transport", no_wrap=True, min_width=9)
    table.add_column("Status", no_wrap=True, min_width=6)
    for status in (Status.PASS, Status.WARN, Status.FAIL, Status.SKIP, Status.ERROR):
        table.add_column(status.value.capitalize(), justify="right", no_wrap=True)
    for node in report.nodes:
        counts = result_counts(node)
        table.add_row(
            escape(safe(node.node)),
            escape(safe(node.transport)),
            _badge(node.status),
            *(str(counts[s]) for s in (Status.PASS, Status.WARN, Status.FAIL, Status.SKIP)),
            str(counts[Status.ERROR]),
        )
    return table


def _print_finding(
    console: Console, node: str, result: CheckResult, *, show_fix: bool = True
) -> None:
    from rich.markup import escape

    console.print(
        f"{_badge(result.status)} {escape(safe(node))} [bold]{escape(safe(result.check))}[/] "
        f"{escape(target(result))}: {escape(safe(result.message))}",
        soft_wrap=True,
    )
    if result.status is not Status.PASS and (
        result.expected is not None or result.observed is not None
    ):
        console.print(
            f"    expected: {escape(display(result.expected))}  "
            f"observed: {escape(display(result.observed))}",
            soft_wrap=True,
        )
    if result.evidence:
        console.print(f"    evidence: [cyan]{escape(safe(result.evidence))}[/]", soft_wrap=True)
    if show_fix and result.remediation and result.status is not Status.PASS:
        console.print(f"    fix: {escape(safe(result.remediation))}", soft_wrap=True)


def _print_node(console: Console, node: NodeReport, verbose: bool) -> None:
    from rich.markup import escape

    if node.error is not None:
        console.print(
            f"{_badge(Status.ERROR)} {escape(safe(node.node))}: evidence could not be collected: "
            f"{escape(safe(node.error))}",
            soft_wrap=True,
        )
    shown: set[tuple[str, str | None]] = set()
    for result in findings(node, verbose=verbose):
        # The same fix under every port of one check is noise: print it once per node.
        key = (result.check, result.remediation)
        _print_finding(console, node.node, result, show_fix=key not in shown)
        shown.add(key)
    for text in node.notes:
        console.print(
            f"[dim]note {escape(safe(node.node))}: {escape(safe(text))}[/]", soft_wrap=True
        )


def _listed(node: NodeReport, verbose: bool) -> bool:
    """A node gets its own block when it has an error, findings, or notes to show."""
    return node.error is not None or bool(node.notes) or bool(findings(node, verbose=verbose))


def render(report: Report, console: Console, *, verbose: bool = False) -> None:
    """Print the report on ``console`` (stdout or a file; colour decided by the console)."""
    from rich.markup import escape

    console.print(_summary_table(report))
    for node in report.nodes:
        if _listed(node, verbose):
            console.print()
            _print_node(console, node, verbose)
    if report.notes:
        # Not dim like a node's notes: an unverified OVS bond is what a reader must not miss.
        console.print()
        for text in report.notes:
            console.print(f"note: {escape(safe(text))}", soft_wrap=True)
    console.print()
    console.print(summary_line(report), soft_wrap=True, markup=False, highlight=False)
