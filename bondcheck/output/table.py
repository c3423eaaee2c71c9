"""``-o table`` (the default): what an engineer reads in a terminal at 3 a.m.

A per-node summary table, then every finding that needs attention (check ID, bond/port, the
message, the kernel line that shows it, the remediation), then the policy's notes (what
bondcheck does not verify), then one summary line. Passing results are listed only with
``--verbose``. Colour comes from Rich, which turns it off when
the stream is not a terminal and honours NO_COLOR / FORCE_COLOR; this module never forces it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from bondcheck.model import CheckResult, NodeReport, Report, Status
from bondcheck.output.summary import (
    NODE_STATUSES,
    display,
    findings,
    result_counts,
    safe,
    summary_line,
    target,
    value_labels,
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


def _summary_table(report: Report) -> tuple[str, object]:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    # A header rule and no vertical borders, like `kubectl get`. Node names are never broken
    # (a name split over two rows reads as two nodes); when every node came through one
    # transport it goes in the title instead of a column, which leaves them the room.
    transports = {node.transport for node in report.nodes}
    one_transport = len(transports) == 1
    title = f"bondcheck verify: {escape(safe(report.policy))}"
    if one_transport:
        title += f" (via {escape(safe(next(iter(transports))))})"
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=0,  # the box's blank column separator is the gap
        highlight=False,
    )
    table.add_column("Node", no_wrap=True)
    if not one_transport:
        table.add_column("Transport", no_wrap=True, min_width=9)
    table.add_column("Status", no_wrap=True, min_width=6)
    for status in NODE_STATUSES:
        table.add_column(status.value.capitalize(), justify="right", no_wrap=True)
    for node in report.nodes:
        counts = result_counts(node)
        cells = [escape(safe(node.node))]
        if not one_transport:
            cells.append(escape(safe(node.transport)))
        table.add_row(
            *cells,
            _badge(node.status),
            *(str(counts[s]) for s in NODE_STATUSES),
        )
    return title, table


def _print_finding(
    console: Console, node: str, result: CheckResult, *, show_fix: bool = True
) -> None:
    from rich.markup import escape

    _say(
        console,
        f"{_badge(result.status)} {escape(safe(node))} [bold]{escape(safe(result.check))}[/] "
        f"{escape(target(result))}: {escape(safe(result.message))}",
    )
    if result.status is not Status.PASS and (
        result.expected is not None or result.observed is not None
    ):
        was, now = value_labels(result)
        _say(
            console,
            f"    {was}: {escape(display(result.expected))}  "
            f"{now}: {escape(display(result.observed))}",
            indent=8,
        )
    if result.evidence:
        _say(console, f"    evidence: [cyan]{escape(safe(result.evidence))}[/]", indent=8)
    if show_fix and result.remediation and result.status is not Status.PASS:
        _say(console, f"    fix: {escape(safe(result.remediation))}", indent=8)


def _wrap_width(console: Console) -> int | None:
    """The width to wrap findings at: the terminal's, or COLUMNS when the caller set it; a
    pipe or a log file keeps one finding per line (grep-able) otherwise."""
    if console.is_terminal or os.environ.get("COLUMNS", "").isdigit():
        return console.width
    return None


def _say(console: Console, markup: str, *, indent: int = 4) -> None:
    """One finding line; wrapped at the width with a hanging indent, words kept whole."""
    from rich.text import Text

    width = _wrap_width(console)
    if width is None or width <= indent + 20:
        console.print(markup, soft_wrap=True)
        return
    text = Text.from_markup(markup)
    lines = text.wrap(console, width - indent, overflow="fold")
    for number, line in enumerate(lines):
        if number:
            line = Text(" " * indent) + line
        console.print(line, soft_wrap=True)


def _print_node(console: Console, node: NodeReport, verbose: bool) -> None:
    from rich.markup import escape

    if node.error is not None:
        _say(
            console,
            f"{_badge(Status.ERROR)} {escape(safe(node.node))}: {node.error_label}: "
            f"{escape(safe(node.error))}",
        )
    shown: set[tuple[str, str | None]] = set()
    for result in findings(node, verbose=verbose):
        # The same fix under every port of one check is noise: print it once per node.
        key = (result.check, result.remediation)
        _print_finding(console, node.node, result, show_fix=key not in shown)
        shown.add(key)
    for text in node.notes:
        _say(console, f"[dim]note {escape(safe(node.node))}: {escape(safe(text))}[/]")


def _listed(node: NodeReport, verbose: bool) -> bool:
    """A node gets its own block when it has an error, findings, or notes to show."""
    return node.error is not None or bool(node.notes) or bool(findings(node, verbose=verbose))


def render(report: Report, console: Console, *, verbose: bool = False) -> None:
    """Print the report on ``console`` (stdout or a file; colour decided by the console)."""
    print_trimmed(console, lambda: _render(report, console, verbose=verbose))


def print_trimmed(console: Console, draw: Callable[[], None]) -> None:
    """What ``draw`` prints on ``console``, written once with trailing blanks removed: Rich
    pads every line of a table to its width, which a terminal at 80 columns shows as wrapped
    empty lines."""
    with console.capture() as captured:
        draw()
    text = "\n".join(_TRAILING.sub(r"\1", line) for line in captured.get().split("\n"))
    console.file.write(text)
    console.file.flush()


#: Blanks at the end of a line, before any closing colour codes.
_TRAILING = re.compile(r"[ ]+((?:\x1b\[[0-9;]*m)*)$")


def _render(report: Report, console: Console, *, verbose: bool = False) -> None:
    from rich.markup import escape

    title, table = _summary_table(report)
    _say(console, title)
    console.print(table)
    for node in report.nodes:
        if _listed(node, verbose):
            console.print()
            _print_node(console, node, verbose)
    if report.notes:
        # Not dim like a node's notes: an unverified OVS bond is what a reader must not miss.
        console.print()
        for text in report.notes:
            _say(console, f"note: {escape(safe(text))}")
    console.print()
    _say(console, escape(summary_line(report)))
