"""``-o json``: the verify contract of DESIGN.md (schema_version 1).

The names fixed by the contract are never renamed; fields added here (``evidence`` per result,
``counts`` and ``notes`` per node, ``notes``, ``generated_at`` and ``duration_s`` of the
report, ``skip`` in the summary) are additive, so a consumer
written against the contract keeps working.
"""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap
from typing import Any, TextIO

from bondcheck.model import CheckResult, NodeReport, Report
from bondcheck.output.summary import jsonable, node_counts, result_counts

SCHEMA_VERSION = 1


def result_to_json(result: CheckResult) -> dict[str, Any]:
    """One entry of ``nodes[].results``."""
    return {
        "check": result.check,
        "status": result.status.value,
        "bond": result.bond,
        "port": result.port,
        "expected": jsonable(result.expected),
        "observed": jsonable(result.observed),
        "message": result.message,
        "remediation": result.remediation,
        "evidence": result.evidence,
    }


def node_to_json(node: NodeReport) -> dict[str, Any]:
    """One entry of ``nodes``; ``counts`` (results by status) and ``notes`` (what the
    collection said about the evidence) are additive."""
    return {
        "node": node.node,
        "status": node.status.value,
        "error": node.error,
        "error_kind": node.error_kind if node.error is not None else None,
        "transport": node.transport,
        "counts": {s.value: n for s, n in result_counts(node).items()},
        "notes": list(node.notes),
        "results": [result_to_json(r) for r in node.results],
    }


def report_to_json(report: Report) -> dict[str, Any]:
    """The whole ``bondcheck verify -o json`` object. ``notes`` (additive) are about the
    policy, once per report: what it holds that bondcheck does not verify, how its bonds were
    read. ``nodes`` stays the last key so ``write`` can stream it."""
    return {
        "schema_version": SCHEMA_VERSION,
        "policy": report.policy,
        "tool_version": report.tool_version,
        "generated_at": report.generated_at or None,
        "duration_s": report.duration_s,
        "summary": node_counts(report),
        "notes": list(report.notes),
        "nodes": [node_to_json(n) for n in report.nodes],
    }


def write(report: Report, stream: TextIO) -> None:
    """Pretty-printed JSON with a trailing newline (stable key order for diffs), one node at
    a time: the same bytes as ``json.dumps(report_to_json(report), indent=2)``, but a fleet
    of hundreds of nodes never holds more than one node's JSON text in memory."""
    head = report_to_json(dataclasses.replace(report, nodes=()))
    head["summary"] = node_counts(report)
    text = json.dumps(head, indent=2)
    empty = '"nodes": []\n}'
    assert text.endswith(empty), "nodes must stay the last key of the contract"
    if not report.nodes:
        stream.write(text + "\n")
        return
    stream.write(text[: -len(empty)] + '"nodes": [\n')
    last = len(report.nodes) - 1
    for index, node in enumerate(report.nodes):
        block = json.dumps(node_to_json(node), indent=2)
        stream.write(textwrap.indent(block, "    ") + (",\n" if index < last else "\n"))
    stream.write("  ]\n}\n")


def render(report: Report) -> str:
    """The whole report as one string (see ``write``)."""
    buffer = io.StringIO()
    write(report, buffer)
    return buffer.getvalue()
