"""``-o junit``: one <testsuite> per node, one <testcase> per check result.

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

Testcases are named ``<CHECK-ID> <bond>[/<port>]`` with classname ``bondcheck.<node>`` so
dashboards group by node. Built with xml.etree, so the document is always well formed;
characters XML 1.0 forbids (control bytes from a mangled capture) are replaced.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from bondcheck.model import CheckResult, NodeReport, Report, Status
from bondcheck.output.summary import display

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_BAD.sub("\ufffd", text)


def case_name(result: CheckResult) -> str:
    """``CHECK-ID bond0/ens224`` (or just the ID for node-level checks)."""
    where = result.bond or ""
    if result.port:
        where = f"{where}/{result.port}" if where else result.port
    return f"{result.check} {where}".strip()


def _detail(result: CheckResult) -> str:
    lines = [result.message]
    if result.expected is not None or result.observed is not None:
        lines.append(f"expected: {display(result.expected)}")
        lines.append(f"observed: {display(result.observed)}")
    if result.evidence:
        lines.append(f"evidence: {result.evidence}")
    if result.remediation:
        lines.append(f"remediation: {result.remediation}")
    return _clean("\n".join(lines))


def _testcase(parent: ET.Element, node: str, result: CheckResult) -> None:
    case = ET.SubElement(
        parent, "testcase", classname=_clean(f"bondcheck.{node}"), name=_clean(case_name(result))
    )
    text = _detail(result)
    message = _clean(result.message)
    if result.status is Status.FAIL:
        ET.SubElement(case, "failure", message=message, type=result.check).text = text
    elif result.status is Status.ERROR:
        ET.SubElement(case, "error", message=message, type=result.check).text = text
    elif result.status is Status.SKIP:
        ET.SubElement(case, "skipped", message=message)
    elif result.status is Status.WARN:
        ET.SubElement(case, "system-out").text = "WARN " + text


def _suite(root: ET.Element, node: NodeReport, report: Report) -> tuple[int, int, int, int]:
    suite = ET.SubElement(root, "testsuite", name=_clean(node.node))
    props = ET.SubElement(suite, "properties")
    for key, value in (
        ("policy", report.policy),
        ("transport", node.transport),
        ("node_status", node.status.value),
        *(("note", text) for text in report.notes),
    ):
        ET.SubElement(props, "property", name=key, value=_clean(value))
    if node.error is not None:
        case = ET.SubElement(
            suite, "testcase", classname=_clean(f"bondcheck.{node.node}"), name="collect"
        )
        message = _clean(f"evidence could not be collected: {node.error}")
        ET.SubElement(case, "error", message=message, type="COLLECT").text = message
        tests, failures, errors, skipped = 1, 0, 1, 0
    else:
        for result in node.results:
            _testcase(suite, node.node, result)
        tests = len(node.results)
        failures = sum(1 for r in node.results if r.status is Status.FAIL)
        errors = sum(1 for r in node.results if r.status is Status.ERROR)
        skipped = sum(1 for r in node.results if r.status is Status.SKIP)
    if node.notes:
        out = ET.SubElement(suite, "system-out")
        out.text = _clean("\n".join(f"note: {text}" for text in node.notes))
    counts = {"tests": tests, "failures": failures, "errors": errors, "skipped": skipped}
    for key, count in counts.items():
        suite.set(key, str(count))
    return tests, failures, errors, skipped


def render(report: Report) -> str:
    """The JUnit XML document (``<testsuites>`` root), with an XML declaration."""
    root = ET.Element("testsuites", name=_clean(f"bondcheck verify {report.policy}"))
    totals = [0, 0, 0, 0]
    for node in report.nodes:
        for i, value in enumerate(_suite(root, node, report)):
            totals[i] += value
    for key, value in zip(("tests", "failures", "errors", "skipped"), totals, strict=True):
        root.set(key, str(value))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
