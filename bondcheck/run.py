"""One verify run, without the CLI: policy -> nodes -> evidence -> judge -> Report.

The CLI only turns options into a VerifyRequest and a Report into output and an exit code;
everything in between lives here so tests, ``collect`` and ``failover`` reuse it. Nothing
heavy is imported until a live transport is asked for: the offline path (a policy file and a
capture directory) never loads kubernetes or paramiko.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from bondcheck import __version__
from bondcheck.errors import InputError
from bondcheck.model import Evidence, NodeFailure, NodeReport, Policy, Report
from bondcheck.progress import NullReporter, Reporter
from bondcheck.request import VerifyRequest
from bondcheck.timefmt import utc_now
from bondcheck.transport.factory import TRANSPORT_NAMES as LIVE_TRANSPORTS

if TYPE_CHECKING:
    from bondcheck.cabling import Cabling

TRANSPORTS: tuple[str, ...] = (*LIVE_TRANSPORTS, "capture")


def unknown_id_message(check_id: str, known: Sequence[str]) -> str:
    """``unknown check ID 'X'`` plus close matches, or where to find the list."""
    close = difflib.get_close_matches(check_id.upper(), list(known), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; see 'bondcheck checks'"
    return f"unknown check ID {check_id!r}{hint}"


def validate_check_ids(ids: Iterable[str]) -> None:
    """InputError for the first ID that no check has (a typo must not silently skip)."""
    ids = list(ids)
    if not ids:
        return
    from bondcheck.checks.catalog import CHECK_IDS

    known = CHECK_IDS
    for check_id in ids:
        if check_id.upper() not in known:
            raise InputError(unknown_id_message(check_id, known))


def validate_selection(request: VerifyRequest) -> None:
    """Known check IDs only, and at least one check left to run: a selection that runs
    nothing would mark every node green, which is never what a gate means."""
    validate_check_ids([*request.only, *request.skip])
    from bondcheck.checks.catalog import selected

    if (request.only or request.skip) and not selected(request.only, request.skip):
        only, skip = ", ".join(request.only) or "-", ", ".join(request.skip) or "-"
        raise InputError(
            f"{request.spelled('only')}/{request.spelled('skip')} leave no check to run "
            f"(only: {only}; skip: {skip})"
        )


def load_policy(request: VerifyRequest) -> Policy:
    """The policy from ``--policy-file`` (``--policy`` picks one NNCP in it) or the cluster."""
    if request.policy_file:
        from bondcheck.policy.loader import load_policy_file

        return load_policy_file(request.policy_file, name=request.policy_name)
    if not request.policy_name:
        raise InputError("say which policy to verify: --policy NAME or --policy-file FILE")
    from bondcheck.live import cluster_policy

    return cluster_policy(request)


def _source(request: VerifyRequest) -> str:
    """``capture`` or a live transport name; InputError for a contradictory choice."""
    via = request.via
    if request.from_dir:
        if request.selector:
            raise InputError(
                f"{request.spelled('selector')} narrows a live run's nodes by their labels; "
                f"a capture has no labels: name its nodes with --node"
            )
        if via not in (None, "capture"):
            raise InputError(
                f"{request.spelled('from_dir')} reads saved evidence; it cannot be combined "
                f"with {request.spelled('via')} {via}"
            )
        return "capture"
    if via is None:
        raise InputError(
            "say where the evidence comes from: --from-dir DIR (a saved capture) or "
            f"--via {'|'.join(LIVE_TRANSPORTS)}"
        )
    if via == "capture":
        raise InputError("--via capture needs --from-dir DIR")
    if via not in LIVE_TRANSPORTS:
        raise InputError(f"unknown transport {via!r}; choose one of {', '.join(TRANSPORTS)}")
    return via


def _note(message: str) -> None:
    return None


def per_node_policies(
    policy: Policy, items: Sequence[Evidence | NodeFailure]
) -> tuple[list[Evidence | NodeFailure], dict[str, Policy]]:
    """Each node's own policy when ``policy`` is templated (capture / ``{{ }}``).

    Such a policy means nothing until kubernetes-nmstate renders it per node; the rendering
    (NNCE ``status.desiredState``) travels with the node's Evidence, live or saved by
    ``collect``. A node without one - or with one that names no usable bond - is replaced by
    a NodeFailure of kind ``unrendered`` (ERROR, exit 3): judging it against the unrendered
    template would check nothing and pass.
    """
    if not policy.templated:
        return list(items), {}
    from bondcheck.errors import PolicyError
    from bondcheck.policy.desired import node_policy

    out: list[Evidence | NodeFailure] = []
    policies: dict[str, Policy] = {}
    for item in items:
        if not isinstance(item, Evidence):
            out.append(item)
            continue
        rendering = item.rendering
        if rendering is None:
            reason = (
                f"policy {policy.name} is templated and the evidence of {item.node} holds no "
                "rendering of it (desired-state.json, saved by 'bondcheck collect' from the "
                "cluster), so the bonds expected on this node are unknown"
            )
            out.append(NodeFailure(item.node, item.transport, reason, "unrendered"))
            continue
        if rendering.policy != policy.name:
            reason = (
                f"policy {policy.name} is templated and the rendering saved with {item.node} "
                f"is of policy {rendering.policy}, so the bonds expected on this node are unknown"
            )
            out.append(NodeFailure(item.node, item.transport, reason, "unrendered"))
            continue
        try:
            where = f"{item.node}: rendered desiredState"
            policies[item.node] = node_policy(policy, rendering.desired_state, where=where)
        except PolicyError as exc:
            out.append(NodeFailure(item.node, item.transport, str(exc), "unrendered"))
            continue
        out.append(item)
    return out, policies


def gather(
    request: VerifyRequest,
    policy: Policy,
    reporter: Reporter,
    notify: Callable[[str], None] = _note,
) -> tuple[str, list[Evidence | NodeFailure], dict[str, Policy]]:
    """The transport name, one Evidence (or failure record) per node, and per-node policies
    (only for templated NNCPs: see per_node_policies)."""
    via = _source(request)
    if via != "capture":
        from bondcheck.live import collect_live

        items = collect_live(request, via, policy, reporter, notify)
    else:
        from bondcheck.transport.capture import read_capture

        assert request.from_dir is not None
        items = read_capture(request.from_dir, [b.name for b in policy.bonds], request.nodes)
        for item in items:
            if isinstance(item, NodeFailure):
                reporter.done(item.node, False, item.message)
            else:
                reporter.done(item.node, True)
    judged, policies = per_node_policies(policy, items)
    return via, judged, policies


def _report_notes(policy: Policy, policies: Mapping[str, Policy] | None) -> tuple[str, ...]:
    """The policy's notes and its bonds' notes (``bond0: ...``), each once, in order.

    A templated policy is known only through its per-node renderings: they stand in for the
    template, whose notes may still hold ``{{ ... }}`` text (no rendering, no notes).
    """
    sources = list((policies or {}).values()) if policy.templated else [policy]
    notes: list[str] = []
    for source in sources:
        notes.extend(source.notes)
        notes.extend(f"{bond.name}: {note}" for bond in source.bonds for note in bond.notes)
    return tuple(dict.fromkeys(notes))


def build_report(
    policy: Policy,
    items: Sequence[Evidence | NodeFailure],
    *,
    transport: str,
    only: Iterable[str] = (),
    skip: Iterable[str] = (),
    policies: Mapping[str, Policy] | None = None,
    cabling: Cabling | None = None,
) -> Report:
    """Judge every Evidence; every other item is a node whose evidence was not collected.

    ``policies`` holds a node's own rendering of a templated policy, when it has one. The
    report's notes (once per report, never verdicts) say what the policy holds that
    bondcheck does not verify and how its bonds were read."""
    from bondcheck.judge import failed_node, judge_node

    only, skip = list(only), list(skip)
    nodes: list[NodeReport] = []
    for item in items:
        if isinstance(item, Evidence):
            own = (policies or {}).get(item.node, policy)
            try:
                nodes.append(judge_node(own, item, only=only, skip=skip, cabling=cabling))
            except Exception as exc:  # a bug on one node's evidence never ends the run
                why = f"internal error judging the evidence: {type(exc).__name__}: {exc}"
                nodes.append(failed_node(item.node, item.transport, why, "internal"))
        else:
            nodes.append(
                failed_node(item.node, item.transport or transport, item.message, item.kind)
            )
    return Report(
        policy=policy.name,
        tool_version=__version__,
        nodes=tuple(nodes),
        notes=_report_notes(policy, policies),
        generated_at=utc_now(),
    )


def verify(
    request: VerifyRequest,
    reporter: Reporter | None = None,
    notify: Callable[[str], None] = _note,
) -> Report:
    """The whole run. Raises BondcheckError for usage/input problems only; node problems
    end up in the Report. ``notify`` receives warnings meant for the operator (stderr)."""
    started = time.monotonic()
    reporter = reporter or NullReporter()
    validate_selection(request)
    if not (request.policy_file or request.policy_name):
        raise InputError("say which policy to verify: --policy NAME or --policy-file FILE")
    via = _source(request)  # a contradictory --via/--from-dir is reported before any I/O
    baseline = _baseline(request, via)
    cabling = _cabling(request)
    policy = load_policy(request)
    transport, items, policies = gather(request, policy, reporter, notify)
    report = build_report(
        policy,
        items,
        transport=transport,
        only=request.only,
        skip=request.skip,
        policies=policies,
        cabling=cabling,
    )
    if baseline is not None:
        from bondcheck.drift.baseline import add_drift

        report = add_drift(
            report,
            items,
            baseline,
            lambda node: [b.name for b in policies.get(node, policy).bonds],
            every_node=not (request.nodes or request.selector),
            where=str(request.baseline),
        )
    return replace(report, duration_s=round(time.monotonic() - started, 3))


def _cabling(request: VerifyRequest) -> Cabling | None:
    """The cabling expectations, read before any node is reached (a bad file is exit 2)."""
    from bondcheck.cabling import Cabling, load_cabling

    if request.cabling_file:
        required = request.require_distinct_switches
        return load_cabling(request.cabling_file, require_distinct_switches=required)
    if request.require_distinct_switches:
        return Cabling(require_distinct_switches=True)
    return None


def _baseline(request: VerifyRequest, via: str) -> list[Evidence | NodeFailure] | None:
    """The ``--baseline`` capture, read before any node is reached so a wrong directory is a
    usage error at once (exit 2), not after a fleet was collected."""
    if request.baseline is None:
        return None
    if via == "nns":
        raise InputError(
            f"{request.spelled('baseline')} compares what the kernel printed; "
            f"{request.spelled('via')} nns reads NodeNetworkState, which has none of it"
        )
    from bondcheck.transport.capture import read_capture

    return read_capture(request.baseline, label=request.spelled("baseline"))
