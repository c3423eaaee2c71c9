"""Report-level notes (about the policy, not a node) appear once in every format.

They tell the reader what the policy holds that bondcheck does not verify (an Open vSwitch
bond) and how its bonds were read; they are never verdicts.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from bondcheck.judge import exit_code
from bondcheck.model import NodeReport, Report
from bondcheck.output import jsonfmt, junit, markdown
from bondcheck.output.render import write_report
from bondcheck.output.summary import summary_line

from .sample import IP_PASS, PARTNER_FAIL

OVS = (
    "OVS bond ovs-bond1 of ovs-bridge br-ex (mode balance-slb; ports ens6, ens7) is not "
    "verified: bondcheck reads kernel bonds (/proc/net/bonding); check it with "
    "ovs-appctl bond/show ovs-bond1"
)
SLAVES = "bond0: deprecated 'slaves' key: rejected by nmstate >= 2.0"
HOSTILE = "bond|0: odd \x1b[2J name"


def _report(notes: tuple[str, ...] = (OVS, SLAVES, HOSTILE)) -> Report:
    return Report(
        policy="mixed",
        tool_version="0",
        nodes=(
            NodeReport("w0", "capture", (IP_PASS,), notes=("read as root",)),
            NodeReport("w1", "capture", (PARTNER_FAIL,)),
        ),
        notes=notes,
    )


def _table(report: Report) -> list[str]:
    out = io.StringIO()
    write_report(report, "table", out, color="never")
    return out.getvalue().splitlines()


# --- json ------------------------------------------------------------------------------------


def test_json_has_top_level_notes_before_nodes() -> None:
    data = json.loads(jsonfmt.render(_report()))
    assert data["notes"] == [OVS, SLAVES, HOSTILE]
    keys = list(data)
    assert keys.index("notes") == keys.index("nodes") - 1  # nodes stays last
    assert keys[-1] == "nodes"
    assert all(n["notes"] != [OVS] for n in data["nodes"])  # not repeated per node


def test_json_notes_are_an_empty_list_when_there_are_none() -> None:
    assert json.loads(jsonfmt.render(_report(())))["notes"] == []


def test_streamed_json_with_notes_is_byte_identical() -> None:
    for report in (_report(), Report("p", "0", (), notes=(OVS,))):
        buffer = io.StringIO()
        jsonfmt.write(report, buffer)
        assert buffer.getvalue() == json.dumps(jsonfmt.report_to_json(report), indent=2) + "\n"


# --- table -----------------------------------------------------------------------------------


def test_table_prints_each_note_once_before_the_summary_line() -> None:
    lines = _table(_report())
    assert lines.count(f"note: {OVS}") == 1
    assert lines.count(f"note: {SLAVES}") == 1
    assert "note: bond|0: odd \\x1b[2J name" in lines  # escaped, never sent raw
    summary = lines.index(summary_line(_report()))
    assert lines.index(f"note: {OVS}") < lines.index(f"note: {SLAVES}") < summary
    assert lines.index(f"note: {OVS}") > lines.index("note w0: read as root")


def test_table_without_notes_prints_no_note_line() -> None:
    lines = _table(_report(()))
    assert not any(line.startswith("note:") for line in lines)


def test_a_report_of_no_nodes_still_shows_its_notes() -> None:
    assert f"note: {OVS}" in _table(Report("p", "0", (), notes=(OVS,)))


# --- markdown --------------------------------------------------------------------------------


def test_markdown_lists_notes_under_the_title_once() -> None:
    text = markdown.render(_report())
    title = text.index("# bondcheck verify: mixed")
    first = text.index(f"- note: {OVS}")
    assert title < first < text.index("| Node | Transport |")
    assert text.count(f"- note: {OVS}") == 1
    assert "- note: bond|0: odd \\x1b[2J name" in text
    assert "\x1b" not in text


def test_markdown_without_notes_has_no_note_list() -> None:
    text = markdown.render(_report(()))
    head = text[: text.index("| Node | Transport |")]
    assert "- note:" not in head
    assert "- note: read as root" in text  # the node's own note stays in its section


# --- junit -----------------------------------------------------------------------------------


def test_junit_gives_every_suite_a_note_property_per_note() -> None:
    root = ET.fromstring(junit.render(_report()).split("\n", 1)[1])
    for suite in root.findall("testsuite"):
        props = [(p.get("name"), p.get("value")) for p in suite.findall("properties/property")]
        notes = [value for name, value in props if name == "note"]
        assert notes[:2] == [OVS, SLAVES]
        assert len(notes) == 3 and "\x1b" not in notes[2]
        assert ("policy", "mixed") in props
    # The node's own note stays in its system-out, apart from the policy's.
    assert root.find("testsuite[@name='w0']/system-out").text == "note: read as root"
    assert root.find("testsuite[@name='w1']/system-out") is None


def test_junit_counts_do_not_change_because_of_notes() -> None:
    with_notes = ET.fromstring(junit.render(_report()).split("\n", 1)[1])
    without = ET.fromstring(junit.render(_report(())).split("\n", 1)[1])
    for key in ("tests", "failures", "errors", "skipped"):
        assert with_notes.get(key) == without.get(key)


# --- not a verdict ---------------------------------------------------------------------------


def test_notes_never_change_the_exit_code() -> None:
    assert exit_code(_report()) == exit_code(_report(())) == 1
    passing = Report("p", "0", (NodeReport("w0", "capture", (IP_PASS,)),), notes=(OVS,))
    assert exit_code(passing) == 0
    assert exit_code(passing, strict=True) == 0
