"""``bondcheck collect``: save each node's evidence in the capture layout, judge it later.

Why a separate command rather than ``verify --save``: evidence is what an incident needs to
keep (attach it to a ticket, diff it after a change window, re-judge it against tomorrow's
policy), and collecting it must not depend on whether today's policy passes. The nodes are
reached exactly as ``verify --via`` reaches them (bondcheck.run.gather: same node selection,
same transports, same NNCE conditions), and each node is written with
bondcheck.transport.capture.write_capture, the layout ``verify --from-dir`` reads back into
the same Evidence. A node that could not be collected gets an ``error.txt``, so the capture
says so too when it is judged later.

An existing non-empty DIR is refused unless ``--force``: evidence from an earlier incident is
worth more than a typo in ``--out``. With ``--force`` each collected node's own files are
replaced (a bond that disappeared leaves no stale file) and every other entry is left alone.
"""

from __future__ import annotations

import enum
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bondcheck.cli import transport_opts as t
from bondcheck.cli.common import LineReporter, note, notifier, opt
from bondcheck.cli.selection_opts import (
    SELECTION,
    Jobs,
    PolicyFile,
    PolicyName,
    Selector,
    Timeout,
)
from bondcheck.errors import EXIT_COLLECT, EXIT_OK, InputError
from bondcheck.model import Evidence, NodeFailure
from bondcheck.transport.options import TransportOptions

if TYPE_CHECKING:
    from collections.abc import Sequence

_OUT = "Output"


class LiveVia(str, enum.Enum):
    """The transports that reach nodes (collect never reads a capture)."""

    ssh = "ssh"
    oc_debug = "oc-debug"
    kubectl_debug = "kubectl-debug"
    handler_exec = "handler-exec"
    nns = "nns"


class _StageReporter(LineReporter):
    """Progress stages with --verbose only: the one line per node is collect's own."""

    def done(self, node: str, ok: bool, message: str = "") -> None:
        return None


def prepare_out_dir(out: Path, *, force: bool) -> bool:
    """Check that ``out`` may receive evidence; True when it does not exist yet.

    A non-empty directory is refused without ``force`` (one line naming what is there), so
    an earlier capture is never overwritten by accident.
    """
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a directory")
    if not out.exists():
        return True
    try:
        entries = sorted(os.listdir(out))
    except OSError as exc:
        raise InputError(f"--out {out}: {exc.strerror or exc}") from None
    if entries and not force:
        shown = ", ".join(entries[:3]) + (f", +{len(entries) - 3} more" if len(entries) > 3 else "")
        raise InputError(
            f"--out {out} is not empty ({shown}); refusing to mix in new evidence: choose an "
            "empty directory, or --force to replace the collected nodes' files"
        )
    return False


def describe_saved(evidence: Evidence) -> str:
    """What was saved for one node, e.g. ``bond0, ip-addr.json, kernel.txt; absent: bond1``."""
    present = [b for b, text in sorted(evidence.bonds.items()) if text is not None]
    absent = [b for b, text in sorted(evidence.bonds.items()) if text is None]
    from bondcheck.transport.capture import evidence_files

    files = list(evidence_files(evidence))
    text = ", ".join([*present, *files]) or "no evidence files"
    return text + (f"; absent: {', '.join(absent)}" if absent else "")


def save_items(items: Sequence[Evidence | NodeFailure], out: Path, *, quiet: bool) -> list[str]:
    """Write every Evidence (and every failure as error.txt); the nodes not collected."""
    from bondcheck.transport.capture import write_capture, write_failure

    failed: list[str] = []
    for item in items:
        node = item.node
        try:
            if isinstance(item, Evidence):
                where = write_capture(item, out)
                line = f"[{node}] saved {where}: {describe_saved(item)}"
            else:
                reason = item.message
                where = write_failure(node, reason, out)
                failed.append(node)
                line = f"[{node}] not collected: {' '.join(reason.split())}; see {where}/error.txt"
        except OSError as exc:
            raise InputError(f"cannot write evidence of {node} into {out}: {exc}") from None
        if not quiet:
            note(line)
    return failed


def summary_text(policy: str, out: Path, total: int, failed: list[str]) -> str:
    """``evidence of worker-bond-lacp saved in cap: 1 of 2 nodes, 1 not collected - w9``."""
    text = (
        f"evidence of {policy} saved in {out}: {total - len(failed)} of {total} "
        f"node{'s' if total != 1 else ''}, {len(failed)} not collected"
    )
    return text + (f" - {', '.join(failed)}" if failed else "")


@t.takes_transport_options
def collect(
    policy: PolicyName = None,
    policy_file: PolicyFile = None,
    out: Annotated[
        Path | None,
        opt(
            "--out",
            help="Directory to write DIR/<node>/... into (must be empty unless --force).",
            panel=_OUT,
        ),
    ] = None,
    node: Annotated[
        list[str] | None,
        opt(
            "--node",
            help="Node to collect (repeatable). Default: the policy's nodeSelector.",
            panel=SELECTION,
        ),
    ] = None,
    selector: Selector = None,
    via: Annotated[
        LiveVia | None,
        opt("--via", help="How to reach nodes.", panel=SELECTION, metavar="TRANSPORT"),
    ] = None,
    jobs: Jobs = None,
    timeout: Timeout = 60.0,
    force: Annotated[
        bool,
        opt(
            "--force",
            help="Write into a non-empty DIR, replacing the collected nodes' files.",
            panel=_OUT,
        ),
    ] = False,
    verbose: Annotated[
        bool,
        opt("--verbose", "-v", help="Show per-node progress stages.", panel=_OUT),
    ] = False,
    quiet: Annotated[
        bool,
        opt("--quiet", "-q", help="Nothing on stderr but errors.", panel=_OUT),
    ] = False,
    *,
    options: TransportOptions,
) -> None:
    """Save each node's evidence (bonding text, ip -j, kernel) for verify --from-dir.

    Exit codes: 0 every node collected - 2 usage or invalid input, or a
    non-empty --out without --force - 3 a node not collected (see its error.txt).
    """
    from bondcheck.run import VerifyRequest, gather, load_policy

    if not (policy or policy_file):
        raise InputError("say which policy to collect for: --policy NAME or --policy-file FILE")
    if via is None:
        live = "|".join(v.value for v in LiveVia)
        raise InputError(f"say how to reach the nodes: --via {live}")
    if out is None:
        raise InputError("say where to write the evidence: --out DIR")
    created = prepare_out_dir(out, force=force)
    request = VerifyRequest(
        policy_name=policy,
        policy_file=str(policy_file) if policy_file else None,
        nodes=tuple(node or ()),
        selector=selector,
        via=via.value,
        concurrency=jobs,
        timeout=timeout,
        options=options,
    )
    loaded = load_policy(request)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out {out}: {exc.strerror or exc}") from None
    try:
        _, items, _ = gather(
            request,
            loaded,
            _StageReporter(verbose=verbose, quiet=quiet),
            notify=notifier(quiet),
        )
    except BaseException:
        if created and not any(out.iterdir()):
            out.rmdir()  # a run that collected nothing leaves no empty directory behind
        raise
    failed = save_items(items, out, quiet=quiet)
    from bondcheck.transport.capture import write_policy

    try:
        write_policy(loaded, out)
    except OSError as exc:
        raise InputError(f"cannot write the policy into {out}: {exc.strerror or exc}") from None
    if not quiet:
        note(summary_text(loaded.name, out, len(items), failed))
    raise typer.Exit(EXIT_COLLECT if failed else EXIT_OK)
