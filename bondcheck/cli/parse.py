"""``bondcheck parse FILE|-``: show what bondcheck reads in one /proc/net/bonding file.

This module is the command's Typer signature (options, help); what it does is
``bondcheck.cli.actions.parse_file``, shared with the fast path in ``cli/fast.py``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bondcheck.cli.actions import MAX_INPUT, bond_name_for, parse_file, read_input
from bondcheck.cli.common import ColorOpt, SimpleFormat, color_of

__all__ = ["MAX_INPUT", "bond_name_for", "parse", "read_input"]


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
        typer.Option("--output", "-o", envvar="BONDCHECK_PARSE_OUTPUT", help="Format."),
    ] = SimpleFormat.table,
    name: Annotated[
        str | None,
        typer.Option("--name", help="The bond's name (default: the file name under .../bonding/)."),
    ] = None,
    color: ColorOpt = None,
) -> None:
    """Parse /proc/net/bonding/<bond> text and print what bondcheck sees (table or JSON)."""
    parse_file(file, output.value, name, color_of(ctx, color))
