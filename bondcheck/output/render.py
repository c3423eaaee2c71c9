"""Pick a format and write a Report to a stream.

The text formats (json, junit, markdown) are pure functions of the Report and import nothing
heavy; only the table imports Rich, and only when it is chosen, so ``-o json`` in a CronJob
starts fast.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bondcheck.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from bondcheck.model import Report

FORMATS: tuple[str, ...] = ("table", "json", "junit", "markdown", "prometheus")


def make_console(stream: TextIO | None = None, color: str = "auto") -> Console:
    """A Rich console on ``stream`` whose colour follows ``--color``.

    ``auto`` leaves the decision to Rich: colour only on a terminal, never with NO_COLOR set,
    forced by FORCE_COLOR. ``always`` forces ANSI (CI logs that render it); ``never`` prints
    plain text even on a terminal.

    Emoji codes stay off: node data is printed as it is (a MAC address ``02:ab:cd:...`` holds
    the codes ``:ab:`` and ``:cd:``, which Rich would turn into pictures), and Rich's emoji
    table then need not be loaded at all.
    """
    from rich.console import Console

    if color == "always":
        return Console(
            file=stream, force_terminal=True, no_color=False, highlight=False, emoji=False
        )
    if color == "never":
        return Console(file=stream, color_system=None, no_color=True, highlight=False, emoji=False)
    return Console(file=stream, highlight=False, emoji=False)


def render_text(report: Report, fmt: str, *, verbose: bool = False) -> str:
    """The report as text for json, junit and markdown."""
    if fmt == "json":
        from bondcheck.output import jsonfmt

        return jsonfmt.render(report)
    if fmt == "junit":
        from bondcheck.output import junit

        return junit.render(report)
    if fmt == "markdown":
        from bondcheck.output import markdown

        return markdown.render(report, verbose=verbose)
    if fmt == "prometheus":
        from bondcheck.output import prometheus

        return prometheus.render(report)
    raise InputError(f"unknown output format {fmt!r}; choose one of {', '.join(FORMATS)}")


def write_report(
    report: Report,
    fmt: str,
    stream: TextIO,
    *,
    verbose: bool = False,
    color: str = "auto",
) -> None:
    """Render ``report`` in ``fmt`` onto ``stream``."""
    if fmt == "table":
        from bondcheck.output import table

        table.render(report, make_console(stream, color), verbose=verbose)
        return
    if fmt == "json":
        from bondcheck.output import jsonfmt

        jsonfmt.write(report, stream)  # node by node: bounded memory on large fleets
        stream.flush()
        return
    stream.write(render_text(report, fmt, verbose=verbose))
    stream.flush()


def write_file(path: Path, write: Callable[[TextIO], None]) -> None:
    """Write a report file atomically: a temporary file in the same directory, then a rename.

    A reader (node_exporter's textfile collector, a CI step, a dashboard) sees the old file or
    the whole new one, never half of it. The file gets the usual 0644-under-umask mode that a
    plain ``open(path, "w")`` would give. Raises InputError with one line when it cannot.
    """
    directory = path.parent if str(path.parent) else Path(".")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            write(handle)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
