"""POLICY-ENACTMENT: the node's NNCE says the policy's current generation is applied."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bondcheck.checks.base import CheckContext, CheckDef, check
from bondcheck.model import CheckResult, Enactment

_MAX_LINE = 240
_EXCEPTION_RE = re.compile(r"^[\w.]*(Error|Exception): ")
_LOG_ERROR_RE = re.compile(r"\bERROR\b")
_PREFERENCE: tuple[Callable[[str], bool], ...] = (
    lambda s: "NmstateError:" in s,
    lambda s: _EXCEPTION_RE.search(s) is not None,
    lambda s: _LOG_ERROR_RE.search(s) is not None,
    lambda s: "error" in s.lower(),
)


def first_error_line(message: str | None) -> str | None:
    """The line of an NNCE failure message a human should read first.

    The message is the whole nmstatectl output (a log, historically a Python traceback).
    Preference: `NmstateError: ...` (nmstate 2.x), a line that is an exception
    (`NmstateLibnmError: ...`, the last line of a traceback), a log line at level ERROR,
    any line mentioning "error", the first non-empty line.
    """
    if not message:
        return None
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    if not lines:
        return None
    for test in _PREFERENCE:
        for line in lines:
            if test(line):
                return _clip(line)
    return _clip(lines[0])


def _clip(line: str) -> str:
    """One line, from the error's own start (no log timestamp), at most _MAX_LINE long."""
    line = " ".join(line.split())
    for marker in ("NmstateError:", "ERROR "):
        start = line.find(marker)
        if start > 0:
            line = line[start:]
            break
    return line if len(line) <= _MAX_LINE else line[: _MAX_LINE - 3] + "..."


def _evidence(e: Enactment) -> str:
    parts = [f"nnce/{e.node}.{e.policy}: status {e.status}"]
    if e.reason:
        parts.append(f"reason {e.reason}")
    if e.policy_generation is not None:
        parts.append(f"policyGeneration {e.policy_generation}")
    return ", ".join(parts)


@check(
    "POLICY-ENACTMENT",
    nns_blind=None,
    title="The node's NNCE is Available for the policy's current generation",
    remediation=(
        "Read the node's enactment (oc get nnce <node>.<policy> -o yaml), fix the NNCP "
        "desiredState the error points to, and re-apply; check the handler pod on the node."
    ),
    scope="node",
    needs_bond=False,
)
def policy_enactment(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks the NodeNetworkConfigurationEnactment (NNCE) `<node>.<policy>` that the
    kubernetes-nmstate handler writes for this node: its condition must be `Available`
    for the policy's current `metadata.generation`.

    Why it matters: the NNCE is nmstate's own verdict for this node. Failing means nmstate
    rolled the node back to its previous network state; Progressing/Pending means the
    change is not on the node yet (`maxUnavailable` makes nodes wait); an enactment for an
    older generation means the latest edit of the NNCP has not been applied here. Bondcheck
    then judges a node that runs something other than the policy text.

    Passes when: Available for the current generation. Fails when: Failing or Aborted (the
    message shows nmstate's error line, e.g. `NmstateError: InvalidArgument: ...`).
    Warns when: Progressing, Pending, Unknown, stale (older policyGeneration), or no NNCE
    exists (the node does not match the nodeSelector, or runs no nmstate handler). Skips
    offline (`--policy-file` without a cluster): there is no enactment to read.

    How to fix: `oc get nnce -l nmstate.io/policy=<policy>` for all nodes; `oc get nnce
    <node>.<policy> -o jsonpath='{.status.conditions[?(@.type=="Failing")].message}'` for
    the full error; correct the NNCP (interface names, options nmstate rejects) and
    re-apply. A missing NNCE: check `oc get nncp <policy> -o yaml` nodeSelector against
    `oc get node <node> --show-labels` and `oc get pods -n openshift-nmstate -o wide`
    for a handler on the node.
    """
    e = ctx.enactment
    if e is None:
        yield c.skipped(
            ctx, "enactment status not available: the policy was not read from the cluster"
        )
        return
    name = f"{e.node}.{e.policy}"
    status = e.status
    gen = f" for generation {e.policy_generation}" if e.policy_generation is not None else ""
    why = f" ({e.reason})" if e.reason else ""
    kw = {"expected": "Available", "observed": status, "evidence": _evidence(e)}
    if status == "Missing":
        yield c.warned(
            ctx,
            f"no NNCE for {ctx.node}: not targeted or handler missing",
            **{**kw, "evidence": f"nnce/{name}: not found"},
        )
    elif e.stale:
        yield c.warned(
            ctx,
            f"NNCE {name} is {status}{why} for an older policy generation"
            f"{f' ({e.policy_generation})' if e.policy_generation is not None else ''}: "
            "the current policy is not applied yet",
            **kw,
        )
    elif status == "Available":
        yield c.passed(ctx, f"NNCE {name} is Available{why}{gen}", **kw)
    elif status in ("Failing", "Aborted"):
        line = first_error_line(e.message)
        yield c.failed(ctx, f"NNCE {name} is {status}{why}" + (f": {line}" if line else ""), **kw)
    elif status in ("Progressing", "Pending"):
        yield c.warned(ctx, f"NNCE {name} is {status}{why}: the policy is not applied yet", **kw)
    else:
        yield c.warned(ctx, f"NNCE {name} condition is {status}{why}", **kw)
