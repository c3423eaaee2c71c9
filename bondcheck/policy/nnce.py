"""Reading NodeNetworkConfigurationEnactments (NNCE) into Enactment values; pure, no I/O.

An NNCE is kubernetes-nmstate's per-node record of applying one policy. Its conditions are
Available, Failing, Progressing, Pending and Aborted; exactly one is normally "True" and that
one is the node's status (``kubectl get nnce`` prints the same). bondcheck reads them itself,
rather than trusting the NNCP's "3/3 nodes" message, because that count is known to go stale
(kubernetes-nmstate#1098) and because a node whose NNCE is for an older policy generation has
not applied what the policy says today.

Tolerances, all seen in real clusters:

* unknown condition types (a newer operator) are reported verbatim, never dropped;
* operators before v0.71 wrote ``lastHearbeatTime`` (sic): timestamps are not needed, so both
  spellings are simply accepted;
* a "Retrying" enactment has Failing=True *and* Progressing=True: Failing wins (see
  ``PRECEDENCE``), with the reason "Retrying" telling the user it is not final;
* failure messages are whole nmstatectl logs (Python tracebacks in nmstate 0.x/1.x, Rust log
  lines in 2.x); ``failure_line`` extracts the line that says what went wrong.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bondcheck.model import Enactment
from bondcheck.vocabulary import as_int

POLICY_LABEL = "nmstate.io/policy"
NODE_LABEL = "nmstate.io/node"

#: When several conditions are True at once, the first of these wins.
PRECEDENCE = ("Failing", "Aborted", "Progressing", "Pending", "Available")

_NMSTATE_ERROR = re.compile(r"(?:[A-Za-z_][\w]*\.)*(Nmstate\w*Error\b.*)")
_LOG_ERROR = re.compile(r"\bERROR\b\s*(.*)")


def failure_line(message: str | None, *, limit: int = 300) -> str | None:
    """The one line of an NNCE message that says what failed.

    Prefers the last ``Nmstate…Error: …`` line (module path dropped), then the last log line
    marked ERROR, then the first non-empty line.
    """
    if message is None:
        return None
    lines = [ln.strip() for ln in message.splitlines() if ln.strip()]
    if not lines:
        return None
    for line in reversed(lines):
        match = _NMSTATE_ERROR.search(line)
        if match:
            return match.group(1).strip()[:limit]
    for line in reversed(lines):
        match = _LOG_ERROR.search(line)
        if match and match.group(1):
            return match.group(1).strip()[:limit]
    return lines[0][:limit]


def enactment_node(obj: Mapping[str, Any], policy: str) -> str | None:
    """The node an NNCE belongs to: its ``nmstate.io/node`` label, else ``<node>.<policy>``."""
    meta = obj.get("metadata") or {}
    labels = meta.get("labels") or {}
    node = labels.get(NODE_LABEL)
    if isinstance(node, str) and node:
        return node
    name = str(meta.get("name") or "")
    suffix = f".{policy}"
    if name.endswith(suffix) and len(name) > len(suffix):
        return name[: -len(suffix)]
    return None


def true_condition(conditions: Any) -> Mapping[str, Any] | None:
    """The condition that decides the status: status "True", by ``PRECEDENCE``, then unknown
    types in the order the object lists them."""
    if not isinstance(conditions, list):
        return None
    true = [c for c in conditions if isinstance(c, dict) and str(c.get("status")) == "True"]
    for wanted in PRECEDENCE:
        for cond in true:
            if cond.get("type") == wanted:
                return cond
    return true[0] if true else None


def enactment_from_object(
    obj: Mapping[str, Any], *, policy: str, generation: int | None, node: str | None = None
) -> Enactment:
    """Turn one NNCE object (as the API returns it) into an Enactment.

    ``generation`` is the NNCP's ``metadata.generation``; an NNCE whose ``policyGeneration``
    differs is marked ``stale`` (it describes an older version of the policy).
    ``message`` holds the one relevant line of the condition message (``failure_line``).
    """
    status_obj = obj.get("status") or {}
    node = node or enactment_node(obj, policy) or "?"
    policy_generation = as_int(status_obj.get("policyGeneration"))
    stale = (
        generation is not None and policy_generation is not None and policy_generation != generation
    )
    cond = true_condition(status_obj.get("conditions"))
    if cond is None:
        return Enactment(
            node=node,
            policy=policy,
            status="Unknown",
            message="no condition is True yet"
            if status_obj.get("conditions")
            else "the enactment has no conditions yet",
            policy_generation=policy_generation,
            stale=stale,
        )
    reason = cond.get("reason")
    return Enactment(
        node=node,
        policy=policy,
        status=str(cond.get("type") or "Unknown"),
        reason=str(reason) if reason else None,
        message=failure_line(cond.get("message")),
        policy_generation=policy_generation,
        stale=stale,
    )


def missing_enactment(node: str, policy: str) -> Enactment:
    """The Enactment for a node that has no NNCE for the policy at all."""
    return Enactment(
        node=node,
        policy=policy,
        status="Missing",
        message=f"no NodeNetworkConfigurationEnactment {node}.{policy}: "
        "the nmstate handler has not processed this policy on the node",
    )
