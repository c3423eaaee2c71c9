"""``bondcheck checks`` (the catalog) and ``bondcheck explain ID`` (one check in full).

This module is the commands' Typer signatures (options, help); what they do is in
``bondcheck.cli.actions``, shared with the fast path in ``cli/fast.py``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bondcheck.cli.actions import catalog, explain_check, list_checks
from bondcheck.cli.common import ColorOpt, SimpleFormat, color_of

__all__ = ["catalog", "checks", "explain"]


def checks(
    ctx: typer.Context,
    output: Annotated[
        SimpleFormat,
        typer.Option("--output", "-o", envvar="BONDCHECK_CHECKS_OUTPUT", help="Format."),
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
