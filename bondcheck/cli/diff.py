"""``bondcheck diff BEFORE AFTER``: what changed between two evidence trees.

Options in, DiffReport and exit code out; the comparison itself is bondcheck.drift.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, TextIO

import typer

from bondcheck.cli.common import ColorOpt, ReportFormat, color_of, deliver, note, opt

_OUT = "Output and exit code"


def diff(
    ctx: typer.Context,
    before: Annotated[
        Path,
        typer.Argument(
            metavar="BEFORE",
            help="Evidence before the change: a 'bondcheck collect --out' directory, a "
            "sosreport, or a directory of them.",
            show_default=False,
        ),
    ],
    after: Annotated[
        Path,
        typer.Argument(
            metavar="AFTER", help="Evidence after the change (the same kinds).", show_default=False
        ),
    ],
    output: Annotated[
        ReportFormat,
        opt(
            "--output",
            "-o",
            help="Report format.",
            panel=_OUT,
            metavar="FORMAT",
            envvar="BONDCHECK_DIFF_OUTPUT",
        ),
    ] = ReportFormat.table,
    output_file: Annotated[
        Path | None,
        opt(
            "--output-file",
            help="Write the report to this file (a summary line still goes to stderr).",
            panel=_OUT,
            envvar="BONDCHECK_DIFF_OUTPUT_FILE",
        ),
    ] = None,
    exit_zero: Annotated[
        bool,
        opt(
            "--exit-zero",
            help="Always exit 0 when the report was produced.",
            panel=_OUT,
        ),
    ] = False,
    quiet: Annotated[
        bool,
        opt("--quiet", "-q", help="No summary on stderr.", panel=_OUT),
    ] = False,
    color: ColorOpt = None,
) -> None:
    """Show what changed between two snapshots, per node, bond and port (DRIFT-* IDs).

    Exit codes: 0 nothing changed - 1 something changed - 2 usage or invalid input -
    3 nothing changed, but a node's evidence could not be read on one side.
    """
    from bondcheck.drift.run import diff_dirs, diff_exit_code
    from bondcheck.output.diff_text import render_text, summary_line
    from bondcheck.output.render import make_console

    report = diff_dirs(str(before), str(after))

    def write(stream: TextIO) -> None:
        if output is ReportFormat.table:
            from bondcheck.output import diff_table

            diff_table.render(report, make_console(stream, color_of(ctx, color)))
        else:
            stream.write(render_text(report, output.value))
            stream.flush()

    deliver(write, output_file, output.value, quiet=quiet)
    if not quiet and (output_file is not None or output is not ReportFormat.table):
        note(summary_line(report))
    raise typer.Exit(diff_exit_code(report, exit_zero=exit_zero))
