"""Run ``parse``, ``checks`` and ``explain`` without importing Typer, when that is safe.

Why: importing Typer (and the Click it carries) and building the app costs more than the
whole of ``bondcheck parse -o json`` does, and ``parse`` is the command people run by hand
and in loops over many files. So ``app.run`` first offers the argument list to this module.

The rule that keeps it honest: this front understands only the plain forms of these three
commands (root ``--debug`` / ``--color X``, then the command, its positional argument and
its value options as ``--opt X``, ``--opt=X`` or ``-o X``, each at most once, values from the
same choices and environment variables as the Typer options). Anything else - ``--help``,
``-h``, an unknown option, a bad or missing value, a repeated option, ``--``, a value
starting with ``-``, an unusual BONDCHECK_* variable, shell completion - returns None, and
the Typer path runs instead, so help texts and usage errors are always Typer's own.

The commands' bodies are shared with the Typer commands (``cli/actions.py``); so are the
error policy and the colour precedence (``cli/base.py``). A test holds the option spellings
and variables below equal to the Typer definitions and runs a matrix of argument lists both
ways, comparing stdout, stderr and exit code byte for byte.
"""

from __future__ import annotations

import errno
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from bondcheck.cli.base import Color, SimpleFormat, exit_code_for, resolve_color

_COLORS = tuple(c.value for c in Color)
_FORMATS = tuple(f.value for f in SimpleFormat)

#: Values each parameter accepts (None: any string that does not start with ``-``).
CHOICES: dict[str, tuple[str, ...] | None] = {
    "output": _FORMATS,
    "color": _COLORS,
    "name": None,
    "file": None,
    "check_id": None,
}

#: The root options this front understands (``--version`` is answered earlier by app.run).
ROOT_OPTIONS: dict[str, str] = {"--color": "color"}
ROOT_FLAGS: dict[str, str] = {"--debug": "debug"}
ROOT_ENV: dict[str, str] = {"color": "BONDCHECK_COLOR"}

#: command -> (its positional parameter, {option spelling: parameter}, {parameter: envvar}).
COMMANDS: dict[str, tuple[str | None, dict[str, str], dict[str, str]]] = {
    "parse": (
        "file",
        {"--output": "output", "-o": "output", "--name": "name", "--color": "color"},
        {"output": "BONDCHECK_PARSE_OUTPUT", "color": "BONDCHECK_COLOR"},
    ),
    "checks": (
        None,
        {"--output": "output", "-o": "output", "--color": "color"},
        {"output": "BONDCHECK_CHECKS_OUTPUT", "color": "BONDCHECK_COLOR"},
    ),
    "explain": ("check_id", {}, {}),
}

#: BONDCHECK_DEBUG values whose meaning this front is sure of (Click reads others).
_DEBUG_ENV = {"": False, "0": False, "1": True}


def _valid(param: str, value: str) -> bool:
    choices = CHOICES[param]
    return value in choices if choices is not None else not value.startswith("-")


def _scan(
    tokens: list[str],
    options: Mapping[str, str],
    flags: Mapping[str, str],
    positional: str | None,
    *,
    stop_at_positional: bool = False,
) -> tuple[dict[str, Any], list[str]] | None:
    """Read ``tokens`` as Click would for these options; None at anything unusual.

    Returns the values by parameter and, with ``stop_at_positional``, the tokens from the
    first positional on (the subcommand and its arguments) unread.
    """
    values: dict[str, Any] = {}
    rest = list(tokens)
    while rest:
        token = rest.pop(0)
        spelling, attached = token, None
        if token.startswith("--") and "=" in token:
            spelling, attached = token.split("=", 1)
        value: str | bool
        if spelling in flags and attached is None:
            param, value = flags[spelling], True
        elif spelling in options:
            if attached is None:
                if not rest:
                    return None
                attached = rest.pop(0)
            param, value = options[spelling], attached
            if not _valid(param, attached):
                return None
        elif token.startswith("-") and token != "-":
            return None  # --help, -h, --, an unknown option, a value given to a flag
        elif stop_at_positional:
            return values, [token, *rest]
        elif positional is not None and positional not in values:
            param, value = positional, token
        else:
            return None  # an extra argument: Typer says what is wrong
        if param in values:
            return None  # repeated: leave Click's rules to Click
        values[param] = value
    return (values, []) if not stop_at_positional else None


def _from_env(
    values: dict[str, Any], envvars: Mapping[str, str], environ: Mapping[str, str]
) -> bool:
    """Fill parameters not given from their variables (empty means unset, as in Click);
    False when a variable holds a value the option would reject."""
    for param, envvar in envvars.items():
        value = environ.get(envvar, "")
        if param in values or not value:
            continue
        if not _valid(param, value):
            return False
        values[param] = value
    return True


def understand(args: Sequence[str], environ: Mapping[str, str]) -> dict[str, Any] | None:
    """The command, its parameters and the debug and colour settings ``args`` ask for, or
    None when the argument list is not one of the plain forms (the Typer path then runs)."""
    if "_BONDCHECK_COMPLETE" in environ or environ.get("BONDCHECK_DEBUG", "") not in _DEBUG_ENV:
        return None
    root = _scan(list(args), ROOT_OPTIONS, ROOT_FLAGS, None, stop_at_positional=True)
    if root is None:
        return None
    root_values, rest = root
    if rest[0] not in COMMANDS:
        return None
    positional, options, envvars = COMMANDS[rest[0]]
    scanned = _scan(rest[1:], options, {}, positional)
    if scanned is None:
        return None
    values, _ = scanned
    if positional is not None and positional not in values:
        return None  # missing argument: Typer's usage error
    if not (_from_env(values, envvars, environ) and _from_env(root_values, ROOT_ENV, environ)):
        return None
    values["command"] = rest[0]
    debug_env = _DEBUG_ENV[environ.get("BONDCHECK_DEBUG", "")]
    values["debug"] = bool(root_values.get("debug")) or debug_env
    values["color"] = resolve_color(values.get("color"), root_values.get("color"))
    return values


def _call(values: Mapping[str, Any]) -> None:
    from bondcheck.cli import actions

    command = values["command"]
    if command == "parse":
        output = values.get("output", SimpleFormat.table.value)
        actions.parse_file(values["file"], output, values.get("name"), values["color"])
    elif command == "checks":
        actions.list_checks(values.get("output", SimpleFormat.table.value), values["color"])
    else:
        actions.explain_check(values["check_id"])


class _Pacified:
    """A stream whose flush ignores EPIPE (the reader has gone), as Click does on exit."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as exc:
            if exc.errno != errno.EPIPE:
                raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def try_fast(args: Sequence[str], environ: Mapping[str, str]) -> int | None:
    """Run ``args`` here and return the exit code, or None to let the Typer path run it."""
    values = understand(args, environ)
    if values is None:
        return None
    try:
        _call(values)
    except BrokenPipeError:
        sys.stdout = _Pacified(sys.stdout)
        sys.stderr = _Pacified(sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        return exit_code_for(exc, values["debug"])
    return 0
