"""Pieces every subcommand shares: choices, the --color option, stderr messages, progress.

Human output goes to stdout; notes, progress and the one-line summary go to stderr, so
``-o json > report.json`` stays clean. The parts that need no Typer live in
``bondcheck.cli.base`` and are re-exported here.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from bondcheck.cli.base import (
    PREFIX,
    Color,
    ReportFormat,
    SimpleFormat,
    error_line,
    note,
)

__all__ = [
    "PREFIX",
    "Color",
    "ColorOpt",
    "LineReporter",
    "ReportFormat",
    "SimpleFormat",
    "color_of",
    "error_line",
    "note",
]


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|h|m|s)", re.ASCII)
_SECONDS = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def parse_duration(value: str | float) -> float:
    """Seconds from kubectl's duration form (``30s``, ``2m``, ``1m30s``, ``500ms``, ``1h``) or
    plain seconds (``0.5``, ``60``); ASCII digits only, more than zero, at most a day."""
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = value.strip()
        if _SECONDS.fullmatch(text):
            seconds = float(text)
        else:
            parts = list(_DURATION_PART.finditer(text))
            if not parts or "".join(m.group() for m in parts) != text:
                raise typer.BadParameter(
                    f"{value!r} is not a duration: use seconds (0.5, 30) or 30s, 2m, 1m30s, 500ms"
                )
            seconds = sum(float(m[1]) * _UNITS[m[2]] for m in parts)
    if not 0 < seconds <= 86400:
        raise typer.BadParameter(f"{value!r}: a duration must be more than 0 and at most 24h")
    return seconds


def parse_whole_seconds(value: str | float) -> int:
    """A duration that must be whole seconds (a timer on the node counts in seconds)."""
    seconds = parse_duration(value)
    if seconds != int(seconds):
        raise typer.BadParameter(f"{value!r}: whole seconds only (e.g. 30, 30s, 1m)")
    return int(seconds)


def duration_opt(*flags: str, help: str, whole: bool = False, **kw: Any) -> Any:
    """An ``opt`` that reads a duration (see parse_duration) and shows DURATION as its type."""
    parser = parse_whole_seconds if whole else parse_duration
    return opt(*flags, help=help, parser=parser, metavar="DURATION", **kw)


def envvar_for(flag: str) -> str:
    """The one rule for environment variables: ``--output-file`` -> ``BONDCHECK_OUTPUT_FILE``."""
    return "BONDCHECK_" + flag.lstrip("-").replace("-", "_").upper()


def opt(
    *flags: str, help: str, panel: str | None = None, envvar: str | bool = True, **kw: Any
) -> Any:
    """A ``typer.Option`` that reads its ``BONDCHECK_*`` variable by the one rule (``envvar``
    names another variable, or False for none), shown under the help panel ``panel``."""
    env = envvar_for(flags[0]) if envvar is True else (envvar or None)
    return typer.Option(*flags, envvar=env, rich_help_panel=panel, help=help, **kw)


def from_env(ctx: typer.Context) -> dict[str, str]:
    """The command's parameters whose value came from a BONDCHECK_* variable, by name."""

    found: dict[str, str] = {}
    for param in ctx.command.params:
        source = ctx.get_parameter_source(param.name or "")
        envvar = getattr(param, "envvar", None)
        if source is not None and source.name == "ENVIRONMENT" and isinstance(envvar, str):
            found[param.name or ""] = envvar
    return found


ColorOpt = Annotated[
    Color | None,
    typer.Option(
        "--color",
        envvar="BONDCHECK_COLOR",
        help="Colour: auto (only on a terminal, off with NO_COLOR), always, never.",
        show_default=False,
        metavar="WHEN",
    ),
]


def deliver(
    write: Callable[[TextIO], None], output_file: Path | None, fmt: str, *, quiet: bool
) -> None:
    """Write a report to ``--output-file`` (atomically, saying so on stderr) or to stdout:
    verify, failover and diff share it so the three behave alike."""
    if output_file is None:
        write(sys.stdout)
        return
    from bondcheck.output.render import write_file

    write_file(output_file, write)
    if not quiet:
        note(f"{fmt} report written to {output_file}")


def notifier(quiet: bool) -> Callable[[str], None]:
    """Where a run's warnings go: ``warning: ...`` lines on stderr, or nowhere with --quiet."""
    return (lambda message: None) if quiet else (lambda message: note(f"warning: {message}"))


def color_of(ctx: typer.Context, local: Color | None) -> str:
    """The colour mode: this command's --color (or BONDCHECK_COLOR), else the global one,
    else auto."""
    if local is not None:
        return local.value
    obj = ctx.find_root().obj
    return str(obj["color"]) if isinstance(obj, dict) and obj.get("color") else "auto"


class LineReporter:
    """Progress as plain stderr lines: failures always, every stage with --verbose.

    Works the same in a terminal and in a CI log; the fleet runner calls it from worker
    threads, so writes are serialised.
    """

    def __init__(self, *, verbose: bool = False, quiet: bool = False) -> None:
        self._verbose = verbose
        self._quiet = quiet
        self._lock = threading.Lock()

    def _write(self, text: str) -> None:
        with self._lock:
            sys.stderr.write(f"{PREFIX}{text}\n")
            sys.stderr.flush()

    def stage(self, node: str, stage: str) -> None:
        if self._verbose and not self._quiet:
            self._write(f"[{node}] {stage}")

    def done(self, node: str, ok: bool, message: str = "") -> None:
        if self._quiet:
            return
        if not ok:
            self._write(f"[{node}] evidence not collected: {' '.join(message.split())}")
        elif self._verbose:
            self._write(f"[{node}] collected{': ' + message if message else ''}")
