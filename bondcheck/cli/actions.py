"""What ``parse``, ``checks`` and ``explain`` do, as plain functions with no Typer.

Both ways into these commands call them: the Typer commands (``cli/parse.py``,
``cli/checks_cmd.py``), which own the options and the help texts, and the fast path
(``cli/fast.py``), which runs the common argument forms without importing Typer. One body
per command means the two paths cannot drift apart in what they print.

Options arrive here already resolved to plain strings (``output="json"``, ``color="never"``).
Imports are local to the branch that needs them (json, the parser, Rich): start-up is what
these commands are measured by.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from bondcheck.errors import InputError
from bondcheck.ifname import ifname_problem

MAX_INPUT = 8 * 1024 * 1024


def read_input(file: str) -> str:
    """The text of FILE, or of stdin for ``-``; InputError (one line) when unreadable."""
    if file == "-":
        return sys.stdin.read(MAX_INPUT + 1)[:MAX_INPUT]
    path = Path(file)
    if path.is_dir():
        raise InputError(f"{file}: is a directory (give /proc/net/bonding/<bond>)")
    try:
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            return handle.read(MAX_INPUT)
    except OSError as exc:
        raise InputError(f"cannot read {file}: {exc.strerror or exc}") from None


def bond_name_for(file: str) -> str | None:
    """The bond's name when the path says it: ``.../bonding/<bond>`` (the kernel's layout).

    Any other file name (``bond0-before-change.txt``) is not taken as the bond's name.
    """
    if file == "-":
        return None
    path = Path(file)
    if path.parent.name == "bonding" and ifname_problem(path.name) is None:
        return path.name
    return None


def parse_file(file: str, output: str, name: str | None, color: str) -> None:
    """``bondcheck parse``: parse one /proc/net/bonding text and print it (table or JSON)."""
    from bondcheck.parse.procfs import bond_to_json, parse_bonding

    if name is not None and ifname_problem(name):
        raise InputError(f"--name {name!r} {ifname_problem(name)}")
    text = read_input(file)
    source = "<stdin>" if file == "-" else file
    bond = parse_bonding(text, name=name or bond_name_for(file), source=source)
    if output == "json":
        import json

        sys.stdout.write(json.dumps(bond_to_json(bond), indent=2) + "\n")
        sys.stdout.flush()  # a closed pipe fails here, as one quiet exit 1, not at shutdown
        return
    from bondcheck.output.bond_view import render
    from bondcheck.output.render import make_console

    render(bond, make_console(None, color))


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

        sys.stdout.write(json.dumps(entries, indent=2) + "\n")
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
