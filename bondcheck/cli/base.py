"""The CLI pieces that need no Typer: choices, message lines, colour and the error policy.

They live apart from ``common`` (which builds Typer option aliases) because ``app`` uses them
before and around building the Typer application.
"""

from __future__ import annotations

import enum
import os
import sys
import traceback

from bondcheck.errors import BondcheckError

PREFIX = "bondcheck: "


class Color(str, enum.Enum):
    auto = "auto"
    always = "always"
    never = "never"


class ReportFormat(str, enum.Enum):
    table = "table"
    json = "json"
    junit = "junit"
    markdown = "markdown"
    prometheus = "prometheus"


class SimpleFormat(str, enum.Enum):
    table = "table"
    json = "json"


def note(message: str) -> None:
    """A line for the human on stderr (never mixed into the report on stdout)."""
    sys.stderr.write(f"{PREFIX}{message}\n")
    sys.stderr.flush()


def error_line(message: str) -> None:
    """The one-line error format every failure uses."""
    text = " ".join(str(message).split()) or "unknown error"
    sys.stderr.write(f"{PREFIX}error: {text}\n")
    sys.stderr.flush()


def debug_from_env() -> bool:
    """BONDCHECK_DEBUG asks for tracebacks whatever the option parser made of it."""
    return os.environ.get("BONDCHECK_DEBUG", "") not in ("", "0")


def exit_code_for(exc: BaseException, debug: bool) -> int:
    """Turn a command's exception into ONE stderr line and its exit code: a BondcheckError
    carries its own code and message, anything else is a bug, reported as an internal error
    with exit 2 rather than a traceback. ``--debug`` prints the traceback first and changes
    nothing else: a job's exit code never depends on how verbosely it failed."""
    if debug:
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    if isinstance(exc, BondcheckError):
        error_line(str(exc))
        return exc.exit_code
    error_line(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for a traceback)")
    return 2
