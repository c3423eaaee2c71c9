"""The ``bondcheck`` command: a thin Typer app with one module per subcommand.

Error policy: every failure the user can cause or meet ends as ONE line on stderr,
``bondcheck: error: ...``, with the documented exit code (BondcheckError carries it; usage
errors exit 2), never a traceback. ``--debug`` (or BONDCHECK_DEBUG=1) re-raises instead, to
show one. Rich's pretty tracebacks stay off: their local variables could print a kubeconfig
token or a key passphrase.

Start-up: ``bondcheck --version`` answers before Typer is imported; the app registers only
the subcommand asked for; and subcommand modules import their heavy parts (Rich, the checks,
the transports) only when they run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from bondcheck import __version__
from bondcheck.cli.base import debug_from_env

#: Subcommand -> (module, function), in the order ``--help`` lists them.
COMMANDS: dict[str, tuple[str, str]] = {
    "parse": ("bondcheck.cli.parse", "parse"),
    "verify": ("bondcheck.cli.verify", "verify"),
    "collect": ("bondcheck.cli.collect", "collect"),
    "diff": ("bondcheck.cli.diff", "diff"),
    "failover": ("bondcheck.cli.failover", "failover"),
    "checks": ("bondcheck.cli.checks_cmd", "checks"),
    "explain": ("bondcheck.cli.checks_cmd", "explain"),
    "agent": ("bondcheck.cli.agent", "agent"),
}
_ROOT_OPTIONS_WITH_VALUE = ("--color",)


def requested_command(args: Sequence[str]) -> str | None:
    """The subcommand ``args`` names, if it is a known one (root options may come first)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _ROOT_OPTIONS_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _click_exceptions() -> Any:
    """Click's exception module (vendored inside newer Typer releases, separate in older)."""
    try:
        from typer._click import exceptions  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - typer < 0.20 uses the click package
        from click import exceptions  # type: ignore[no-redef,import-not-found,unused-ignore]
    return exceptions


def _aborts(cx: Any) -> tuple[type[BaseException], ...]:
    """Click's own Abort where it is a separate class from Typer's (older Typer releases)."""
    return tuple(getattr(cx, name) for name in ("Abort",) if hasattr(cx, name))


def _debug_requested(ctx: Any) -> bool:
    obj = ctx.find_root().obj if ctx is not None else None
    if isinstance(obj, dict) and obj.get("debug"):
        return True
    return debug_from_env()


def build_app(only: str | None = None) -> Any:
    """The Typer application, built on demand so importing this module stays cheap.

    ``only`` registers just that subcommand: a run of ``bondcheck parse`` then never imports
    (nor builds the options of) verify, failover or the transports.
    """
    import importlib

    import typer
    from typer.core import TyperGroup

    from bondcheck.cli import root
    from bondcheck.cli.base import exit_code_for

    cx = _click_exceptions()
    passthrough: tuple[type[BaseException], ...] = (
        cx.ClickException,
        typer.Exit,
        typer.Abort,
        BrokenPipeError,
        *(getattr(cx, name) for name in ("Exit", "Abort") if hasattr(cx, name)),
    )

    class BondcheckGroup(TyperGroup):
        """Turns every error of a subcommand into one line and its exit code."""

        def invoke(self, ctx: Any) -> Any:
            try:
                return super().invoke(ctx)
            except passthrough:
                raise
            except Exception as exc:  # BondcheckError: its line and code; else internal, 2
                raise typer.Exit(exit_code_for(exc, _debug_requested(ctx))) from None

    app = typer.Typer(
        cls=BondcheckGroup,
        name="bondcheck",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    app.callback()(root.root)

    for name in [only] if only in COMMANDS else list(COMMANDS):
        module_name, function = COMMANDS[name]
        app.command(name)(getattr(importlib.import_module(module_name), function))
    return app


#: Root options that are plain flags: accepted after the subcommand too, where people type them
#: (``bondcheck verify --debug ...``), by moving them in front of it.
_ROOT_FLAGS = ("--debug",)


def _root_flags_first(args: list[str]) -> list[str]:
    """``verify --debug --node x`` -> ``--debug verify --node x`` (values of other options and
    anything after ``--`` are left where they are)."""
    end = args.index("--") if "--" in args else len(args)
    moved = [a for a in args[:end] if a in _ROOT_FLAGS]
    if not moved:
        return args
    rest = [a for a in args[:end] if a not in _ROOT_FLAGS]
    return [*dict.fromkeys(moved), *rest, *args[end:]]


def prog_name(argv0: str) -> str:
    """``bondcheck``, or ``kubectl bondcheck`` / ``oc bondcheck`` when run as a plugin."""
    base = os.path.basename(argv0)
    for tool in ("kubectl", "oc"):
        if base == f"{tool}-bondcheck":
            return f"{tool} bondcheck"
    return "bondcheck"


def run(argv: Sequence[str], prog: str = "bondcheck") -> int:
    """Run the CLI on ``argv`` and return the exit code (usage errors as one line, 2)."""
    args = _root_flags_first(list(argv))
    if args in (["--version"], ["-V"]):  # answer before importing Typer: fast and safe
        sys.stdout.write(f"bondcheck {__version__}\n")
        return 0
    import typer

    from bondcheck.cli.base import error_line

    cx = _click_exceptions()
    command = typer.main.get_command(build_app(requested_command(args)))
    try:
        result = command.main(args=args, prog_name=prog, standalone_mode=False)
    except cx.NoArgsIsHelpError:
        return 2  # the help text was already printed
    except cx.UsageError as exc:
        where = exc.ctx.command_path if exc.ctx is not None else prog
        error_line(f"{exc.format_message()} (see '{where} --help')")
        return exc.exit_code
    except cx.ClickException as exc:
        error_line(exc.format_message())
        return exc.exit_code
    except (typer.Abort, *_aborts(cx)):  # type: ignore[misc]
        error_line("aborted")
        return 130
    return result if isinstance(result, int) else 0


def main() -> None:
    """Console-script entry point (``bondcheck = bondcheck.cli.app:main``)."""
    try:
        code = run(sys.argv[1:], prog_name(sys.argv[0]))
    except Exception as exc:  # last resort: a bug outside any subcommand, still one line
        from bondcheck.cli.base import exit_code_for

        code = exit_code_for(exc, "--debug" in sys.argv[1:] or _debug_requested(None))
    sys.exit(code)
