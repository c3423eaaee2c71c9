"""``-o markdown``: a report to paste into a change ticket.

A heading, the policy's notes (what bondcheck does not verify), the per-node summary table,
then the findings of each node that needs attention
(evidence in code spans, so kernel lines survive the ticket system), then the remediation of
each failing check once, with the nodes it applies to (a ticket reads better without the same
paragraph under every port). Plain text only: no ANSI, no HTML.
"""

from __future__ import annotations

from bondcheck.model import CheckResult, Report, Status
from bondcheck.output.summary import (
    cell,
    display,
    findings,
    result_counts,
    safe,
    status_counts,
    target,
    value_labels,
)


def _code(text: str) -> str:
    """An inline code span that holds any text (backticks inside need a longer fence)."""
    text = safe(text)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _finding(result: CheckResult) -> list[str]:
    lines = [
        f"- **{result.status.value.upper()}** `{result.check}` {_code(target(result))}: "
        f"{safe(result.message)}"
    ]
    if result.expected is not None or result.observed is not None:
        was, now = value_labels(result)
        lines.append(
            f"  - {was} {_code(display(result.expected))}, {now} {_code(display(result.observed))}"
        )
    if result.evidence:
        lines.append(f"  - evidence: {_code(result.evidence)}")
    return lines


def render(report: Report, *, verbose: bool = False) -> str:
    """The Markdown document, ending in a newline."""
    out = [
        f"# bondcheck verify: {safe(report.policy)}",
        "",
        f"bondcheck {report.tool_version}"
        + (f" at {report.generated_at}" if report.generated_at else "")
        + f" checked {len(report.nodes)} node(s): {status_counts(report)}.",
        "",
    ]
    if report.notes:
        out += [*(f"- note: {safe(text)}" for text in report.notes), ""]
    out += [
        "| Node | Transport | Status | Pass | Warn | Fail | Skip | Error |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for node in report.nodes:
        c = result_counts(node)
        out.append(
            f"| {cell(node.node)} | {cell(node.transport)} | **{node.status.value.upper()}** | "
            f"{c[Status.PASS]} | {c[Status.WARN]} | {c[Status.FAIL]} | {c[Status.SKIP]} | "
            f"{c[Status.ERROR]} |"
        )
    sections: list[str] = []
    for node in report.nodes:
        listed = findings(node, verbose=verbose)
        if node.error is None and not listed and not node.notes:
            continue
        sections += ["", f"### {safe(node.node)} ({node.status.value})", ""]
        if node.error is not None:
            sections.append(f"- **ERROR** {node.error_label}: {safe(node.error)}")
        for result in listed:
            sections += _finding(result)
        sections += [f"- note: {safe(text)}" for text in node.notes]
    if sections:
        out += ["", "## Findings", *sections]
    remedies: dict[str, tuple[str, list[str]]] = {}
    for node in report.nodes:
        for result in node.results:
            if result.status in (Status.FAIL, Status.WARN, Status.ERROR) and result.remediation:
                entry = remedies.setdefault(result.check, (result.remediation, []))
                if node.node not in entry[1]:
                    entry[1].append(node.node)
    if remedies:
        out += ["", "## Remediation", ""]
        for check_id, (text, nodes) in remedies.items():
            out.append(f"- `{check_id}` ({safe(', '.join(nodes))}): {safe(text)}")
    return "\n".join(out) + "\n"
