"""``-o junit``: one <testsuite> per node, one <testcase> per check and place.

Mapping (what CI dashboards show):

* pass  -> a passed testcase;
* fail  -> ``<failure message=... type=CHECK-ID>`` whose text holds the evidence line and the
  remediation;
* error -> ``<error>``, same text;
* skip  -> ``<skipped message=...>``;
* warn  -> a *passed* testcase with a ``<system-out>`` that starts with ``WARN`` and the same
  text. JUnit has no warning state, and a warning must not fail a pipeline unless the run was
  ``--strict`` (which the exit code, not this report, expresses);
* a node whose evidence could not be collected -> one testcase named ``collect`` with
  ``<error>``;
* the node's notes (what the collection said about its evidence) -> the suite's
  ``<system-out>``, one ``note: ...`` line each;
* the report's notes (about the policy: what bondcheck does not verify) -> one
  ``<property name="note">`` each in every suite's ``<properties>``, next to ``policy``.
  JUnit has no report-level place a dashboard shows, and the suite properties are where the
  policy already is.

Testcases are named ``<CHECK-ID> <bond>`` (the ID alone for node checks) with classname
``bondcheck.<node>``, one per check and bond whatever the outcome, so CI history (Jenkins,
GitLab) keys on stable names; the findings of one check on one bond (one per port, or actor
and partner) go together into that testcase's body, its status the worst of them. Suites carry
``hostname`` (the node), ``timestamp`` (when the report was made) and the bondcheck version
and time in their properties; the root carries the run's ``time`` (per-check times are not
measured: checks take microseconds, collection is shared). Built with xml.etree, so the
document is always well formed; characters XML 1.0 forbids (control bytes from a mangled
capture) are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from bondcheck.model import CheckResult, NodeReport, Report, Status, worst
from bondcheck.output.summary import display, target, value_labels

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced."""
    return _XML_BAD.sub("\ufffd", text)


def document(root: ET.Element) -> str:
    """The indented XML document of ``root``, with an XML declaration."""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def case_name(result: CheckResult) -> str:
    """``CHECK-ID bond0`` (just the ID for node-level checks): the same whatever the outcome,
    so CI history keys on it across runs."""
    return f"{result.check} {result.bond or ''}".strip()


def _detail(result: CheckResult) -> str:
    lines = [f"{target(result)}: {result.message}"]
    if result.expected is not None or result.observed is not None:
        was, now = value_labels(result)
        lines.append(f"  {was}: {display(result.expected)}")
        lines.append(f"  {now}: {display(result.observed)}")
    if result.evidence:
        lines.append(f"  evidence: {result.evidence}")
    if result.remediation:
        lines.append(f"  remediation: {result.remediation}")
    return "\n".join(lines)


def _places(results: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    """Results grouped by testcase name, in the order the checks reported them."""
    places: dict[str, list[CheckResult]] = {}
    for result in results:
        places.setdefault(case_name(result), []).append(result)
    return places


_TAGS = {Status.FAIL: "failure", Status.ERROR: "error", Status.SKIP: "skipped"}


def _testcase(parent: ET.Element, node: str, name: str, results: list[CheckResult]) -> Status:
    """One testcase for every result of one check at one place; returns its status."""
    case = ET.SubElement(
        parent, "testcase", classname=clean(f"bondcheck.{node}"), name=clean(name), time="0"
    )
    status = worst([r.status for r in results])
    if all(r.status is Status.SKIP for r in results):
        status = Status.SKIP
    shown = [r for r in results if r.status is status]
    message = clean(shown[0].message if len(shown) == 1 else f"{len(shown)} findings")
    text = clean("\n".join(_detail(r) for r in results if r.status is not Status.PASS))
    if status in _TAGS:
        child = ET.SubElement(case, _TAGS[status], message=message)
        if status is not Status.SKIP:
            child.set("type", results[0].check)
            child.text = text
    elif status is Status.WARN:
        ET.SubElement(case, "system-out").text = "WARN " + text
    return status


def _suite(root: ET.Element, node: NodeReport, report: Report) -> tuple[int, int, int, int]:
    suite = ET.SubElement(
        root,
        "testsuite",
        name=clean(node.node),
        hostname=clean(node.node),
        timestamp=report.generated_at or "",
        time="0",
    )
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("policy", report.policy),
        ("transport", node.transport),
        ("node_status", node.status.value),
        ("bondcheck_version", report.tool_version),
        ("generated_at", report.generated_at),
        *(("note", text) for text in report.notes),
    ):
        ET.SubElement(props, "property", name=key, value=clean(value))
    if node.error is not None:
        case = ET.SubElement(
            suite, "testcase", classname=clean(f"bondcheck.{node.node}"), name="collect", time="0"
        )
        message = clean(f"{node.error_label}: {node.error}")
        ET.SubElement(case, "error", message=message, type="COLLECT").text = message
        statuses = [Status.ERROR]
    else:
        statuses = [
            _testcase(suite, node.node, name, results)
            for name, results in _places(node.results).items()
        ]
    if node.notes:
        out = ET.SubElement(suite, "system-out")
        out.text = clean("\n".join(f"note: {text}" for text in node.notes))
    counts = (
        len(statuses),
        statuses.count(Status.FAIL),
        statuses.count(Status.ERROR),
        statuses.count(Status.SKIP),
    )
    for key, count in zip(("tests", "failures", "errors", "skipped"), counts, strict=True):
        suite.set(key, str(count))
    return counts


def render(report: Report) -> str:
    """The JUnit XML document (``<testsuites>`` root), with an XML declaration."""
    root = ET.Element("testsuites", name=clean(f"bondcheck verify {report.policy}"))
    if report.generated_at:
        root.set("timestamp", report.generated_at)
    if report.duration_s is not None:
        root.set("time", f"{report.duration_s:.3f}")
    totals = [0, 0, 0, 0]
    for node in report.nodes:
        for i, value in enumerate(_suite(root, node, report)):
            totals[i] += value
    for key, value in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(key, str(value))
    return document(root)
