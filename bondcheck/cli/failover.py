"""``bondcheck failover``: pull each port of a bond in turn and prove the bond copes.

The command only turns options into a FailoverRequest, asks for consent, and renders the
report; the safety rails live in bondcheck.failover. Consent: ``--yes``, or an interactive
``y`` per node after its pre-check; a run without a terminal and without ``--yes`` is refused
before any node is contacted. SIGTERM and SIGHUP are turned into the same interrupt as Ctrl-C
so an interrupted run still brings the port back before it exits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from bondcheck.cli import transport_opts as t
from bondcheck.cli.common import (
    ColorOpt,
    ReportFormat,
    color_of,
    deliver,
    duration_opt,
    error_line,
    note,
    opt,
)
from bondcheck.cli.selection_opts import SELECTION, PolicyFile, PolicyName, Timeout
from bondcheck.errors import EXIT_USAGE, InputError
from bondcheck.transport.options import TransportOptions

_TEST = "Test"
_OUT = "Output and exit code"
NON_INTERACTIVE = "refusing to pull links without --yes on a non-interactive run"


class Via(str, enum.Enum):
    ssh = "ssh"
    handler_exec = "handler-exec"
    oc_debug = "oc-debug"
    kubectl_debug = "kubectl-debug"


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM/SIGHUP raise KeyboardInterrupt, so recovery runs exactly as for Ctrl-C."""

    def handler(signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):  # not the main thread: leave as is
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _confirm(plan: str) -> bool:
    sys.stderr.write(plan + "\n")
    node = plan.split(":", 1)[0]
    return typer.confirm(f"Pull links on {node} now?", default=False, err=True)


@t.takes_transport_options
def failover(
    ctx: typer.Context,
    policy: PolicyName = None,
    policy_file: PolicyFile = None,
    node: Annotated[
        list[str] | None,
        opt(
            "--node",
            help="Node to test (repeatable; tested one after another, never at once).",
            panel=SELECTION,
        ),
    ] = None,
    port: Annotated[
        list[str] | None,
        opt(
            "--port",
            help="Port to pull (repeatable). Default: every port of the bond in turn.",
            panel=SELECTION,
        ),
    ] = None,
    bond: Annotated[
        str | None,
        opt(
            "--bond",
            help="Bond of the policy to test (needed when the policy has several).",
            panel=SELECTION,
        ),
    ] = None,
    target: Annotated[
        str | None,
        opt(
            "--target",
            help="IP address the node pings during the pull (default: the gateway "
            "of the bond's routes).",
            panel=_TEST,
        ),
    ] = None,
    pull_seconds: Annotated[
        float,
        duration_opt("--pull-seconds", help="How long each port stays down.", panel=_TEST),
    ] = 5.0,
    restore_after: Annotated[
        int,
        duration_opt(
            "--restore-after",
            help="Time after which the node itself brings the port back, whatever "
            "happens to bondcheck (the dead-man switch; whole seconds).",
            panel=_TEST,
            whole=True,
        ),
    ] = 30,
    rejoin_timeout: Annotated[
        float,
        duration_opt(
            "--rejoin-timeout",
            help="Time the port may take to rejoin after it is brought back.",
            panel=_TEST,
        ),
    ] = 60.0,
    max_gap_ms: Annotated[
        float,
        opt(
            "--max-gap-ms",
            help="Fail when the probe saw a longer gap between replies (0: no limit).",
            panel=_TEST,
        ),
    ] = 1000.0,
    max_lost: Annotated[
        int | None,
        opt(
            "--max-lost",
            help="Fail when more probes were lost (default: no limit).",
            panel=_TEST,
            min=0,
        ),
    ] = None,
    yes: Annotated[
        bool,
        opt(
            "--yes",
            "-y",
            help="Do not ask before pulling links (required without a terminal). Not read "
            "from the environment: consent is given per run.",
            panel=_TEST,
            envvar=False,
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        opt(
            "--dry-run",
            help="Run the read-only pre-check and print the exact commands; change nothing.",
            panel=_TEST,
        ),
    ] = False,
    keep_going: Annotated[
        bool,
        opt(
            "--keep-going",
            help="Go on with the next port/node after one did not pass.",
            panel=_TEST,
        ),
    ] = False,
    no_systemd: Annotated[
        bool,
        opt(
            "--no-systemd",
            help="Do not use a systemd-run timer as a second restore timer.",
            panel=_TEST,
        ),
    ] = False,
    via: Annotated[
        Via,
        opt("--via", help="How to run commands on the node.", panel=SELECTION, metavar="TRANSPORT"),
    ] = Via.ssh,
    timeout: Timeout = 60.0,
    output: Annotated[
        ReportFormat,
        opt("--output", "-o", help="Report format.", panel=_OUT, metavar="FORMAT"),
    ] = ReportFormat.table,
    output_file: Annotated[
        Path | None,
        opt("--output-file", help="Write the report to this file.", panel=_OUT),
    ] = None,
    quiet: Annotated[
        bool,
        opt("--quiet", "-q", help="No progress lines on stderr.", panel=_OUT),
    ] = False,
    color: ColorOpt = None,
    *,
    options: TransportOptions,
) -> None:
    """Pull each port of a bond in turn and prove the bond fails over and recovers.

    Safety: one node and one port at a time; a pre-check refuses unless the node passes
    verify and another port is working; a restore timer armed ON THE NODE brings the port
    back after --restore-after seconds even if bondcheck, its connection or the laptop dies.

    Exit codes: 0 all pass - 1 a failover failed - 2 usage - 3 could not run -
    4 refused by the pre-check (nothing was changed).
    """
    from bondcheck.failover.assess import Limits
    from bondcheck.failover.plan import Timing, checked_ports, choose_bonds
    from bondcheck.failover.probe import checked_target
    from bondcheck.failover.report import summary_line, write_report
    from bondcheck.failover.runner import FailoverRequest, run_failover
    from bondcheck.failover.shells import open_shells
    from bondcheck.run import VerifyRequest, load_policy
    from bondcheck.transport.capture import check_node_name

    if not node:
        raise InputError("say which node to test: --node NAME (repeatable)")
    nodes = tuple(check_node_name(n) for n in dict.fromkeys(node))
    ports = checked_ports(port or ())
    timing = Timing(pull_seconds=pull_seconds, restore_after=restore_after,
                    rejoin_timeout=rejoin_timeout)  # fmt: skip
    problems = timing.problems()
    if problems:
        raise InputError(problems[0])
    if target is not None:
        try:
            target = checked_target(target)
        except ValueError as exc:
            raise InputError(f"--target: {exc}") from None
    if not dry_run and not yes and not _interactive():
        error_line(NON_INTERACTIVE)
        raise typer.Exit(EXIT_USAGE)
    loaded = load_policy(VerifyRequest(
        policy_name=policy, policy_file=str(policy_file) if policy_file else None,
        options=options,
    ))  # fmt: skip
    choose_bonds(loaded, bond, ports)  # a usage error before any node is contacted
    request = FailoverRequest(
        policy=loaded, nodes=nodes, ports=ports, bond=bond, target=target, timing=timing,
        limits=Limits(max_gap_ms=max_gap_ms or None, max_lost=max_lost), dry_run=dry_run,
        keep_going=keep_going, use_systemd=not no_systemd, collect_timeout=timeout,
        transport=via.value,
    )  # fmt: skip
    shells = open_shells(via.value, options)
    request = dataclasses.replace(request, ephemeral=shells.ephemeral)
    started = time.monotonic()

    def log(line: str) -> None:
        if not quiet:
            note(f"{time.monotonic() - started:6.1f}s {line}")

    try:
        with _signals_interrupt():
            report = run_failover(
                request, shells.factory, confirm=None if (yes or dry_run) else _confirm, log=log
            )
    finally:
        with contextlib.suppress(Exception):
            shells.close()
    mode = color_of(ctx, color)
    deliver(
        lambda handle: write_report(report, output.value, handle, color=mode),
        output_file,
        output.value,
        quiet=quiet,
    )
    if not quiet:
        note(summary_line(report))
    raise typer.Exit(report.exit_code)
