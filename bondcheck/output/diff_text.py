"""``bondcheck diff -o json|markdown|junit``: the DiffReport as text (no Rich, no verdicts).

The JSON is the ``kind: diff`` contract of docs/usage.md (schema_version 1: fields may be
added, never renamed). Markdown is for the change ticket; JUnit gives CI one testsuite per
node and one testcase per drift ID, whatever the outcome, so CI history keys on stable names.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from bondcheck.drift.catalog import DRIFT_IDS
from bondcheck.drift.model import NODE_STATUSES, Change, DiffReport, NodeDiff, counts, span
from bondcheck.output.junit import document
from bondcheck.output.summary import cell, display, jsonable, safe

SCHEMA_VERSION = 1


def place(change: Change) -> str:
    """What a change is about: ``bond0/ens224``, ``bond0`` or ``node``."""
    if change.bond and change.port:
        return safe(f"{change.bond}/{change.port}")
    return safe(change.bond or change.port or "node")


def values(change: Change) -> str:
    """`` (before -> after)`` for a human line, or nothing when the message already says it."""
    if any(v is None or isinstance(v, dict) for v in (change.before, change.after)):
        return ""  # presence, partners, addresses: the message names both sides
    was, now = display(change.before), display(change.after)
    if was in change.message and now in change.message:
        return ""
    return f" ({was} -> {now})"


def change_to_json(change: Change) -> dict[str, Any]:
    """One entry of ``nodes[].changes``."""
    return {
        "id": change.id,
        "bond": change.bond,
        "port": change.port,
        "before": jsonable(change.before),
        "after": jsonable(change.after),
        "message": change.message,
    }


def node_to_json(node: NodeDiff) -> dict[str, Any]:
    return {
        "node": node.node,
        "status": node.status,
        "error": node.error,
        "collected_at": {"before": node.before_at, "after": node.after_at},
        "notes": list(node.notes),
        "changes": [change_to_json(c) for c in node.changes],
    }


def to_json(report: DiffReport) -> dict[str, Any]:
    """The whole ``bondcheck diff -o json`` object."""
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "diff",
        "tool_version": report.tool_version,
        "generated_at": report.generated_at or None,
        "before": {"dir": report.before.dir, "collected_at": report.before.collected_at},
        "after": {"dir": report.after.dir, "collected_at": report.after.collected_at},
        "interval_s": report.interval_s,
        "summary": counts(report),
        "nodes": [node_to_json(n) for n in report.nodes],
    }


def render_json(report: DiffReport) -> str:
    return json.dumps(to_json(report), indent=2) + "\n"


def summary_line(report: DiffReport) -> str:
    """One line: how many nodes in each state, how many changes, how far apart."""
    c = counts(report)
    states = ", ".join(f"{c[s]} {s}" for s in NODE_STATUSES if c[s] or s in ("changed", "same"))
    text = f"{c['nodes']} node{'s' if c['nodes'] != 1 else ''}: {states}; {c['changes']} change"
    text += "s" if c["changes"] != 1 else ""
    if report.interval_s is not None:
        text += f" in {span(report.interval_s)}"
    return text


def heading(report: DiffReport) -> str:
    """``before/ (2026-12-05T08:00:00Z) -> after/ (...), 2h 5m apart``."""

    def side(dir: str, at: str | None) -> str:
        return safe(dir) + (f" ({at})" if at else " (collection time unknown)")

    text = (
        f"{side(report.before.dir, report.before.collected_at)} -> "
        f"{side(report.after.dir, report.after.collected_at)}"
    )
    if report.interval_s is not None:
        text += f", {span(report.interval_s)} apart"
    return text


def render_markdown(report: DiffReport) -> str:
    """The Markdown document: heading, per-node table, then each node's changes."""
    out = [
        "# bondcheck diff",
        "",
        f"{heading(report)}.",
        "",
        f"{summary_line(report)}.",
        "",
        "| Node | Status | Changes |",
        "|---|---|---:|",
    ]
    out += [f"| {cell(n.node)} | **{n.status}** | {len(n.changes)} |" for n in report.nodes]
    for node in report.nodes:
        if node.status == "same" and not node.notes:
            continue
        out += ["", f"### {safe(node.node)} ({node.status})", ""]
        if node.error:
            out.append(f"- **ERROR** evidence could not be read: {safe(node.error)}")
        for change in node.changes:
            out.append(f"- `{change.id}` `{place(change)}`: {safe(change.message)}")
        out += [f"- note: {safe(text)}" for text in node.notes]
    return "\n".join(out) + "\n"


def render_junit(report: DiffReport) -> str:
    """JUnit XML: a suite per node, a testcase per drift ID (failed when that drift occurred);
    a node whose evidence could not be read is one ``read`` testcase in error."""
    root = ET.Element("testsuites", name="bondcheck diff")
    if report.generated_at:
        root.set("timestamp", report.generated_at)
    totals = [0, 0, 0]
    for node in report.nodes:
        suite = ET.SubElement(root, "testsuite", name=safe(node.node), hostname=safe(node.node))
        props = ET.SubElement(suite, "properties")
        for key, value in (
            ("before", report.before.dir),
            ("after", report.after.dir),
            ("node_status", node.status),
        ):
            ET.SubElement(props, "property", name=key, value=safe(value))
        tests = failures = errors = 0
        if node.error:
            case = ET.SubElement(suite, "testcase", classname=f"bondcheck.{safe(node.node)}")
            case.set("name", "read")
            message = safe(f"evidence could not be read: {node.error}")
            ET.SubElement(case, "error", message=message, type="READ").text = message
            tests, errors = 1, 1
        else:
            for drift in DRIFT_IDS:
                found = [c for c in node.changes if c.id == drift]
                case = ET.SubElement(suite, "testcase", classname=f"bondcheck.{safe(node.node)}")
                case.set("name", drift)
                tests += 1
                if found:
                    failures += 1
                    message = safe(found[0].message if len(found) == 1 else f"{len(found)} changes")
                    failure = ET.SubElement(case, "failure", message=message, type=drift)
                    failure.text = "\n".join(f"{place(c)}: {safe(c.message)}" for c in found)
        for key, count in (("tests", tests), ("failures", failures), ("errors", errors)):
            suite.set(key, str(count))
        totals = [totals[0] + tests, totals[1] + failures, totals[2] + errors]
    for key, count in zip(("tests", "failures", "errors"), totals, strict=True):
        root.set(key, str(count))
    return document(root)


def render_text(report: DiffReport, fmt: str) -> str:
    """json, markdown, junit or prometheus."""
    if fmt == "json":
        return render_json(report)
    if fmt == "markdown":
        return render_markdown(report)
    if fmt == "junit":
        return render_junit(report)
    if fmt == "prometheus":
        from bondcheck.output.prometheus import render_diff

        return render_diff(report)
    raise ValueError(f"not a text format of diff: {fmt}")
