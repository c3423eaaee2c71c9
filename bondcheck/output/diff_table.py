"""``bondcheck diff`` (the default table): what changed, node by node, in a terminal.

The two snapshots and how far apart they are, a row per node, then every change as one line
(``DRIFT-ID bond/port: message (before -> after)``), then one summary line. Nodes that did
not change get a row and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bondcheck.drift.model import DiffReport
from bondcheck.output.diff_text import heading, place, summary_line, values
from bondcheck.output.summary import safe
from bondcheck.output.table import print_trimmed

if TYPE_CHECKING:
    from rich.console import Console

STYLE = {
    "same": "green",
    "changed": "yellow",
    "added": "yellow",
    "removed": "yellow",
    "error": "bold magenta",
}


def render(report: DiffReport, console: Console) -> None:
    """Print the diff on ``console`` (colour decided by the console)."""
    print_trimmed(console, lambda: _render(report, console))


def _render(report: DiffReport, console: Console) -> None:
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    console.print(f"bondcheck diff: {escape(heading(report))}", soft_wrap=True)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, padding=0, highlight=False)
    table.add_column("Node", no_wrap=True)
    table.add_column("Status", no_wrap=True, min_width=8)
    table.add_column("Changes", justify="right", min_width=8)
    table.add_column("Drift")
    for node in report.nodes:
        ids = ", ".join(dict.fromkeys(c.id for c in node.changes)) or "-"
        style = STYLE.get(node.status, "")
        table.add_row(
            escape(safe(node.node)),
            f"[{style}]{node.status.upper()}[/]",
            str(len(node.changes)),
            ids,
        )
    console.print(table)
    for node in report.nodes:
        if node.status == "same" and not node.notes:
            continue
        console.print()
        name = escape(safe(node.node))
        if node.error:
            console.print(
                f"[bold magenta]ERROR[/] {name}: evidence could not be read: "
                f"{escape(safe(node.error))}",
                soft_wrap=True,
            )
        for change in node.changes:
            console.print(
                f"[yellow]{change.id}[/] {name} {escape(place(change))}: "
                f"{escape(safe(change.message))}[dim]{escape(values(change))}[/]",
                soft_wrap=True,
            )
        for text in node.notes:
            console.print(f"[dim]note {name}: {escape(safe(text))}[/]", soft_wrap=True)
    console.print()
    console.print(escape(summary_line(report)), soft_wrap=True)
