"""``bondcheck checks`` (the catalog) and ``bondcheck explain ID`` (one check in full)."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from bondcheck.cli.common import ColorOpt, SimpleFormat, color_of, opt
from bondcheck.errors import InputError


def catalog() -> list[dict[str, Any]]:
    """Every check ID with its title, scope, remediation and explain text, in catalog order."""
    from bondcheck.checks.catalog import CATALOG

    return [
        {
            "id": c.id,
            "title": c.title,
            "scope": c.scope,
            "remediation": c.remediation,
            "explain": c.explain,
        }
        for c in CATALOG
    ]


def list_checks(output: str, color: str) -> None:
    """``bondcheck checks``: the catalog as a table or JSON."""
    entries = catalog()
    if output == "json":
        import json

        sys.stdout.write(json.dumps({"schema_version": 1, "checks": entries}, indent=2) + "\n")
        sys.stdout.flush()
        return
    from rich import box
    from rich.table import Table

    from bondcheck.output.render import make_console

    table = Table(
        title=f"{len(entries)} checks (bondcheck explain ID for details)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("ID", no_wrap=True, style="bold")
    table.add_column("Scope")
    table.add_column("Verifies")
    for entry in entries:
        table.add_row(entry["id"], entry["scope"], entry["title"])
    make_console(None, color).print(table)


def explain_check(check_id: str) -> None:
    """``bondcheck explain ID``: one check in full, or InputError naming close matches."""
    from bondcheck.run import unknown_id_message

    entries = {e["id"]: e for e in catalog()}
    entry = entries.get(check_id.strip().upper())
    if entry is None:
        raise InputError(unknown_id_message(check_id, list(entries)))
    sys.stdout.write(
        f"{entry['id']}: {entry['title']}\n\n{entry['explain'].rstrip()}\n\n"
        f"Remediation: {entry['remediation']}\n"
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
        str, typer.Argument(metavar="ID", help="A check ID, e.g. LACP-PARTNER.", show_default=False)
    ],
) -> None:
    """Explain one check: what it verifies, why it matters, when it fails, how to fix it."""
    explain_check(check_id)
