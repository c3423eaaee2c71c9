"""``bondcheck parse FILE|-``: show what bondcheck reads in one /proc/net/bonding file.

Imports are local to the branch that needs them (json, the parser, Rich): start-up is what
this command is measured by.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from bondcheck.cli.common import ColorOpt, SimpleFormat, color_of, opt
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


def parse(
    ctx: typer.Context,
    file: Annotated[
        str,
        typer.Argument(
            help="/proc/net/bonding/<bond>, a saved copy, or - for stdin.", show_default=False
        ),
    ],
    output: Annotated[
        SimpleFormat,
        opt("--output", "-o", help="Format.", envvar="BONDCHECK_PARSE_OUTPUT"),
    ] = SimpleFormat.table,
    name: Annotated[
        str | None,
        opt(
            "--name",
            help="The bond's name (default: the file name under .../bonding/).",
            envvar=False,
        ),
    ] = None,
    color: ColorOpt = None,
) -> None:
    """Parse /proc/net/bonding/<bond> text and print what bondcheck sees (table or JSON)."""
    parse_file(file, output.value, name, color_of(ctx, color))
