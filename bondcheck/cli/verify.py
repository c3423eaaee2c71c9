"""``bondcheck verify``: options in, report and exit code out; the run itself is bondcheck.run."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from bondcheck.cli import transport_opts as t
from bondcheck.cli.common import (
    ColorOpt,
    LineReporter,
    ReportFormat,
    color_of,
    deliver,
    from_env,
    note,
    notifier,
    opt,
)
from bondcheck.cli.progress_view import LiveReporter, wants_live_view
from bondcheck.cli.selection_opts import (
    SELECTION,
    Jobs,
    PolicyFile,
    PolicyName,
    Selector,
    Timeout,
)
from bondcheck.transport.options import TransportOptions

_OUT = "Output and exit code"
_CABLING = "Cabling (LLDP)"  # its own panel: a long flag would squeeze the others' help


class Via(str, enum.Enum):
    ssh = "ssh"
    oc_debug = "oc-debug"
    kubectl_debug = "kubectl-debug"
    handler_exec = "handler-exec"
    nns = "nns"
    capture = "capture"


@t.takes_transport_options
def verify(
    ctx: typer.Context,
    policy: PolicyName = None,
    policy_file: PolicyFile = None,
    node: Annotated[
        list[str] | None,
        opt(
            "--node",
            help="Node to check (repeatable). Default: every node of the capture, "
            "or the policy's nodeSelector on a cluster.",
            panel=SELECTION,
        ),
    ] = None,
    selector: Selector = None,
    via: Annotated[
        Via | None,
        opt(
            "--via",
            help="How to reach nodes (capture when --from-dir is given).",
            panel=SELECTION,
            metavar="TRANSPORT",
        ),
    ] = None,
    from_dir: Annotated[
        Path | None,
        opt(
            "--from-dir",
            help="Judge saved evidence: a directory per node (from 'bondcheck collect': "
            "proc/net/bonding/<bond>, ip-addr.json) or unpacked sosreports.",
            panel=SELECTION,
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        opt(
            "--baseline",
            help="Also report what changed since this capture (from 'bondcheck collect "
            "--out' before a change): DRIFT-* results, warn (they fail with --strict).",
            panel=SELECTION,
        ),
    ] = None,
    cabling: Annotated[
        Path | None,
        opt(
            "--cabling",
            help="Expected cabling map (YAML: node -> port -> switch and switch port), "
            "judged by LLDP-CABLING.",
            panel=SELECTION,
        ),
    ] = None,
    require_distinct_switches: Annotated[
        bool,
        opt(
            "--require-distinct-switches",
            help="LLDP-DISTINCT-SWITCH fails (not warns) when a bond's ports reach one switch.",
            panel=_CABLING,
        ),
    ] = False,
    jobs: Jobs = None,
    timeout: Timeout = 60.0,
    only: Annotated[
        list[str] | None,
        opt("--only", help="Run only this check ID (repeatable).", panel=SELECTION),
    ] = None,
    skip: Annotated[
        list[str] | None,
        opt("--skip", help="Do not run this check ID (repeatable).", panel=SELECTION),
    ] = None,
    output: Annotated[
        ReportFormat,
        opt("--output", "-o", help="Report format.", panel=_OUT, metavar="FORMAT"),
    ] = ReportFormat.table,
    output_file: Annotated[
        Path | None,
        opt(
            "--output-file",
            help="Write the report to this file (a summary line still goes to stderr).",
            panel=_OUT,
        ),
    ] = None,
    strict: Annotated[
        bool,
        opt("--strict", help="Warnings fail the run (exit 1).", panel=_OUT),
    ] = False,
    exit_zero: Annotated[
        bool,
        opt(
            "--exit-zero",
            help="Always exit 0 when the report was produced (report-only jobs).",
            panel=_OUT,
        ),
    ] = False,
    verbose: Annotated[
        bool,
        opt(
            "--verbose",
            "-v",
            help="List passing and skipped checks too; show progress.",
            panel=_OUT,
        ),
    ] = False,
    quiet: Annotated[
        bool,
        opt("--quiet", "-q", help="No progress or summary on stderr.", panel=_OUT),
    ] = False,
    color: ColorOpt = None,
    *,
    options: TransportOptions,
) -> None:
    """Verify nodes against an NNCP: bonds, ports, options, LACP state and addresses.

    Exit codes: 0 all pass (warnings allowed unless --strict) - 1 a check failed -
    2 usage or invalid input - 3 evidence not collected from a node and nothing failed.
    """
    from bondcheck.judge import exit_code
    from bondcheck.output.render import write_report
    from bondcheck.output.summary import summary_line
    from bondcheck.run import VerifyRequest
    from bondcheck.run import verify as run_verify

    request = VerifyRequest(
        policy_name=policy,
        policy_file=str(policy_file) if policy_file else None,
        nodes=tuple(node or ()),
        selector=selector,
        via=via.value if via else None,
        from_dir=str(from_dir) if from_dir else None,
        concurrency=jobs,
        timeout=timeout,
        only=tuple(only or ()),
        skip=tuple(skip or ()),
        options=options,
        from_env=from_env(ctx),
        baseline=str(baseline) if baseline else None,
        cabling_file=str(cabling) if cabling else None,
        require_distinct_switches=require_distinct_switches,
    )
    notify = notifier(quiet)
    if wants_live_view(live_source=from_dir is None, verbose=verbose, quiet=quiet):
        with LiveReporter(len(request.nodes) or None) as live:
            report = run_verify(request, live, notify=notify)
    else:
        report = run_verify(request, LineReporter(verbose=verbose, quiet=quiet), notify=notify)
    mode = color_of(ctx, color)
    deliver(
        lambda handle: write_report(report, output.value, handle, verbose=verbose, color=mode),
        output_file,
        output.value,
        quiet=quiet,
    )
    if not quiet and (output_file is not None or output is not ReportFormat.table):
        note(summary_line(report))
    raise typer.Exit(exit_code(report, strict=strict, exit_zero=exit_zero))
