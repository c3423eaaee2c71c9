"""The options before the subcommand: --version, --debug, --color."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from bondcheck import __version__
from bondcheck.cli.common import Color, opt


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"bondcheck {__version__}\n")
        raise typer.Exit(0)


def root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        opt(
            "--version",
            "-V",
            help="Print the version and exit.",
            envvar=False,
            callback=_version,
            is_eager=True,
        ),
    ] = False,
    debug: Annotated[
        bool,
        opt("--debug", help="Also show the traceback of an error (the exit code stays the same)."),
    ] = False,
    color: Annotated[
        Color,
        opt("--color", help="Colour: auto (terminal only, off with NO_COLOR), always, never."),
    ] = Color.auto,
) -> None:
    """Prove that bonded NICs match their nmstate NNCP: bonds, ports, LACP, addresses.

    Exit codes: 0 all pass - 1 a check failed - 2 usage or invalid input -
    3 evidence not collected from a node (and nothing failed).
    """
    ctx.obj = {"debug": debug, "color": color.value}
