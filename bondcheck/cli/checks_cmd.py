"""``bondcheck checks`` (the catalog) and ``bondcheck explain ID`` (one check in full)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from bondcheck.cli.common import ColorOpt, SimpleFormat, color_of, opt
from bondcheck.errors import InputError


def catalog() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every check ID, then every DRIFT-* ID (``diff``, ``verify --baseline``; scope
    ``drift``), each with its title, scope, remediation and explain text, in catalog order."""
    from bondcheck.checks.catalog import CATALOG
    from bondcheck.drift.catalog import DRIFTS

    def entry(item: Any, scope: str) -> dict[str, Any]:
        return {
            "id": item.id,
            "title": item.title,
            "scope": scope,
            "remediation": item.remediation,
            "explain": item.explain,
        }

    return [entry(c, c.scope) for c in CATALOG], [entry(d, "drift") for d in DRIFTS]


def list_checks(output: str, color: str) -> None:
    """``bondcheck checks``: the catalog as a table or JSON; the drift IDs follow in their own
    list (``drift``), so ``checks`` stays exactly the IDs --only/--skip accept."""
    entries, drifts = catalog()
    if output == "json":
        import json

        document = {"schema_version": 1, "checks": entries, "drift": drifts}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
        sys.stdout.flush()
        return
    from rich import box
    from rich.table import Table

    from bondcheck.output.render import make_console

    console = make_console(None, color)
    for title, columns, rows in (
        (
            f"{len(entries)} checks (bondcheck explain ID for details)",
            ("Scope", "Verifies"),
            [(e["id"], e["scope"], e["title"]) for e in entries],
        ),
        (
            f"{len(drifts)} drift IDs (bondcheck diff, verify --baseline)",
            ("Reports",),
            [(e["id"], e["title"]) for e in drifts],
        ),
    ):
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
        table.add_column("ID", no_wrap=True, style="bold")
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
        console.print(table)


def explain_check(check_id: str) -> None:
    """``bondcheck explain ID``: one check in full, or InputError naming close matches."""
    from bondcheck.run import unknown_id_message

    checks, drifts = catalog()
    entries = {e["id"]: e for e in (*checks, *drifts)}
    entry = entries.get(check_id.strip().upper())
    if entry is None:
        raise InputError(unknown_id_message(check_id, list(entries)))
    fix = "When it was not planned" if entry["scope"] == "drift" else "Remediation"
    sys.stdout.write(
        f"{entry['id']}: {entry['title']}\n\n{entry['explain'].rstrip()}\n\n"
        f"{fix}: {entry['remediation']}\n"
    )
    sys.stdout.flush()


def checks(
    ctx: typer.Context,
    output: Annotated[
        SimpleFormat,
        opt("--output", "-o", help="Format.", envvar="BONDCHECK_CHECKS_OUTPUT"),
    ] = SimpleFormat.table,
    color: ColorOpt = None,
) -> None:
    """List every check ID and what it verifies (use the IDs with --only / --skip)."""
    list_checks(output.value, color_of(ctx, color))


def explain(
    check_id: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A check or drift ID, e.g. LACP-PARTNER or DRIFT-PORTS.",
            show_default=False,
        ),
    ],
) -> None:
    """Explain one check or drift ID: what it verifies, why it matters, how to fix it."""
    explain_check(check_id)
