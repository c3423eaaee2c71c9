"""The four report formats render the same Report faithfully (and never judge)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET

import pytest

from bondcheck.errors import InputError
from bondcheck.model import Report
from bondcheck.output import jsonfmt, junit, markdown
from bondcheck.output.render import FORMATS, make_console, render_text, write_report
from bondcheck.output.summary import jsonable, node_counts, summary_line, target

from .sample import IP_PASS, PARTNER_FAIL, report

ANSI = re.compile("\x1b\\[")


# --- json -------------------------------------------------------------------------------


def test_json_follows_the_verify_contract():
    data = json.loads(jsonfmt.render(report()))
    assert data["schema_version"] == 1
    assert data["policy"] == "worker-bond-lacp" and data["tool_version"] == "9.9.9"
    assert data["summary"] == {"nodes": 5, "pass": 1, "warn": 1, "fail": 1, "skip": 0, "error": 2}
    nodes = {n["node"]: n for n in data["nodes"]}
    assert [n["node"] for n in data["nodes"]] == ["w0", "w1", "w2", "w3", "w4"]
    assert {k: v["status"] for k, v in nodes.items()} == {
        "w0": "pass",
        "w1": "warn",
        "w2": "fail",
        "w3": "error",
        "w4": "error",
    }
    assert nodes["w4"]["error"] == "ssh: connection timed out" and nodes["w4"]["results"] == []
    assert nodes["w2"]["transport"] == "ssh" and nodes["w2"]["error"] is None
    fail = nodes["w2"]["results"][1]
    for key in (
        "check",
        "status",
        "bond",
        "port",
        "expected",
        "observed",
        "message",
        "remediation",
    ):
        assert key in fail
    assert fail["check"] == "LACP-PARTNER" and fail["status"] == "fail"
    assert fail["port"] == "ens224" and fail["observed"] == "00:00:00:00:00:00"
    assert fail["evidence"].endswith("00:00:00:00:00:00")
    # A dataclass value (ExpectedAddress) serialises as an object, tuples as lists.
    assert nodes["w0"]["results"][0]["expected"] == [{"ip": "192.168.100.10", "prefix_length": 24}]


def test_jsonable_never_fails():
    class Odd:
        def __str__(self) -> str:
            return "odd"

    assert jsonable({"a": (1, {2}), "b": Odd()}) == {"a": [1, [2]], "b": "odd"}


# --- junit ------------------------------------------------------------------------------


def test_junit_is_valid_xml_with_correct_counts():
    text = junit.render(report())
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.split("\n", 1)[1])
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == ["w0", "w1", "w2", "w3", "w4"]
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites.values():
        cases = suite.findall("testcase")
        counted = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counted.items():
            assert suite.get(key) == str(value), (suite.get("name"), key)
            total[key] += value
    for key, value in total.items():
        assert root.get(key) == str(value)
    assert total == {"tests": 9, "failures": 1, "errors": 2, "skipped": 2}


def test_junit_case_names_and_failure_text():
    root = ET.fromstring(junit.render(report()).split("\n", 1)[1])
    w2 = root.find("testsuite[@name='w2']")
    names = [c.get("name") for c in w2.findall("testcase")]
    assert names == ["BOND-IP bond0", "LACP-PARTNER bond0", "LACP-RATE bond0"]
    assert {c.get("classname") for c in w2.findall("testcase")} == {"bondcheck.w2"}
    failure = w2.find("testcase[@name='LACP-PARTNER bond0']/failure")
    assert failure.get("message") == PARTNER_FAIL.message
    assert failure.text.startswith("bond0/ens224: ")
    assert failure.get("type") == "LACP-PARTNER"
    assert "evidence: details partner lacp pdu" in failure.text
    assert "remediation: Configure the switch" in failure.text


def test_junit_names_do_not_change_with_the_outcome_and_stay_unique():
    """One testcase per check and bond, passing or failing: findings per port (or actor and
    partner) go into one testcase's body, so CI history keys on the same names every run."""
    from dataclasses import replace

    from bondcheck.model import CheckResult, NodeReport, Status

    def suite(results: list[CheckResult]) -> ET.Element:
        doc = Report("p", "1", nodes=(NodeReport("n", "ssh", tuple(results)),), generated_at="T")
        found = ET.fromstring(junit.render(doc).split("\n", 1)[1]).find("testsuite")
        assert found is not None
        return found

    passing = CheckResult("LACP-PARTNER", Status.PASS, "2 ports have a partner", bond="bond0")
    fail_a = replace(PARTNER_FAIL, bond="bond0", port="ens224")
    fail_b = replace(PARTNER_FAIL, bond="bond0", port="ens256")
    actor = CheckResult("LACP-PORT-STATE", Status.FAIL, "actor 77", bond="bond0", port="ens224")
    partner = CheckResult("LACP-PORT-STATE", Status.FAIL, "partner 1", bond="bond0", port="ens224")
    good, bad = suite([passing]), suite([fail_a, fail_b, actor, partner])
    assert [c.get("name") for c in good.iter("testcase")] == ["LACP-PARTNER bond0"]
    assert [c.get("name") for c in bad.iter("testcase")] == [
        "LACP-PARTNER bond0",
        "LACP-PORT-STATE bond0",
    ]
    body = bad.find("testcase[@name='LACP-PARTNER bond0']/failure")
    assert body is not None and body.get("message") == "2 findings"
    assert "bond0/ens224: " in (body.text or "") and "bond0/ens256: " in (body.text or "")
    assert (bad.get("tests"), bad.get("failures")) == ("2", "2")
    assert (bad.get("hostname"), bad.get("timestamp")) == ("n", "T")
    props = {p.get("name"): p.get("value") for p in bad.iter("property")}
    assert props["bondcheck_version"] == "1" and props["generated_at"] == "T"


def test_junit_warn_passes_with_system_out_and_collect_error():
    root = ET.fromstring(junit.render(report()).split("\n", 1)[1])
    warn = root.find("testsuite[@name='w1']/testcase[@name='LACP-VISIBILITY bond0']")
    assert warn.find("failure") is None and warn.find("error") is None
    assert warn.find("system-out").text.startswith("WARN ")
    collect = root.find("testsuite[@name='w4']/testcase")
    assert collect.get("name") == "collect"
    assert "connection timed out" in collect.find("error").get("message")


def test_junit_escapes_control_characters():
    text = junit.render(report())
    assert "\x1b" not in text
    ET.fromstring(text.split("\n", 1)[1])  # still parses


# --- markdown ---------------------------------------------------------------------------


def test_markdown_has_summary_findings_and_remediation_without_ansi():
    text = markdown.render(report())
    assert text.startswith("# bondcheck verify: worker-bond-lacp\n")
    assert not ANSI.search(text)
    assert "| w2 | ssh | **FAIL** | 1 | 0 | 1 | 1 | 0 |" in text
    assert "### w2 (fail)" in text
    assert "`LACP-PARTNER` `bond0/ens224`" in text
    assert "## Remediation" in text
    assert "- `LACP-PARTNER` (w2): Configure the switch ports" in text
    assert "- **ERROR** evidence could not be collected: ssh: connection timed out" in text
    # Pipes inside code spans are fine; passes are not listed without verbose.
    assert "### w0" not in text
    assert "### w0" in markdown.render(report(), verbose=True)


# --- table ------------------------------------------------------------------------------


def _table(color: str, verbose: bool = False) -> str:
    out = io.StringIO()
    write_report(report(), "table", out, verbose=verbose, color=color)
    return out.getvalue()


def test_table_lists_problems_with_evidence_and_fix():
    text = _table("never")
    assert "bondcheck verify: worker-bond-lacp" in text
    assert "FAIL w2 LACP-PARTNER bond0/ens224: port ens224 has no LACP partner" in text
    assert "evidence: details partner lacp pdu: system mac address: 00:00:00:00:00:00" in text
    assert "fix: Configure the switch ports as one LACP port-channel." in text
    assert "WARN w1 LACP-VISIBILITY bond0" in text
    assert "ERROR w4: evidence could not be collected: ssh: connection timed out" in text
    assert IP_PASS.message not in text  # passes only with --verbose
    assert text.rstrip().endswith(summary_line(report()))
    assert IP_PASS.message in _table("never", verbose=True)


def test_table_colour_follows_the_mode():
    assert not ANSI.search(_table("never"))
    assert not ANSI.search(_table("auto"))  # a StringIO is not a terminal
    assert ANSI.search(_table("always"))


def test_auto_console_honours_no_color(monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)
    out = io.StringIO()
    make_console(out, "auto").print("[red]x[/]")
    assert ANSI.search(out.getvalue())
    monkeypatch.setenv("NO_COLOR", "1")
    out = io.StringIO()
    make_console(out, "auto").print("[red]x[/]")
    assert not ANSI.search(out.getvalue())


# --- shared -----------------------------------------------------------------------------


def test_summary_counts_nodes_and_names_the_bad_ones():
    assert node_counts(report()) == {
        "nodes": 5,
        "pass": 1,
        "warn": 1,
        "fail": 1,
        "skip": 0,
        "error": 2,
    }
    line = summary_line(report())
    assert "\n" not in line
    assert line.startswith("5 nodes checked against worker-bond-lacp: 1 pass, 1 warn, 1 fail")
    assert "w2 (fail), w3 (error), w4 (error)" in line


def test_target_names():
    assert target(PARTNER_FAIL) == "bond0/ens224"
    assert target(IP_PASS) == "bond0"


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "table"])
def test_text_formats_render_an_empty_report(fmt):
    from bondcheck.model import Report

    assert render_text(Report(policy="p", tool_version="0"), fmt).endswith("\n")


def test_unknown_format_is_an_input_error():
    with pytest.raises(InputError, match="unknown output format"):
        render_text(report(), "yaml")


def test_table_prints_a_repeated_fix_once_per_node():
    from dataclasses import replace

    from bondcheck.model import NodeReport, Report

    other_port = replace(PARTNER_FAIL, port="ens256", message="port ens256 has no LACP partner")
    two = Report(
        policy="p",
        tool_version="0",
        nodes=(
            NodeReport("a", "capture", (PARTNER_FAIL, other_port)),
            NodeReport("b", "capture", (PARTNER_FAIL,)),
        ),
    )
    out = io.StringIO()
    write_report(two, "table", out, color="never")
    text = out.getvalue()
    assert "port ens256 has no LACP partner" in text
    assert text.count("fix: Configure the switch ports") == 2  # once for a, once for b


# --- notes ------------------------------------------------------------------------------

NOTE = "ip-link.json is empty: treated as not collected"


def _noted() -> Report:
    """A passing node with a note (listed only for it) and a failing node with one."""
    from bondcheck.model import NodeReport

    return Report(
        policy="p",
        tool_version="0",
        nodes=(
            NodeReport("quiet", "capture", (IP_PASS,), notes=(NOTE,)),
            NodeReport("loud", "ssh", (PARTNER_FAIL,), notes=("sos: no ip -j \x1b[2J",)),
            NodeReport("plain", "capture", (IP_PASS,)),
        ),
    )


def test_json_carries_node_notes():
    nodes = {n["node"]: n for n in json.loads(jsonfmt.render(_noted()))["nodes"]}
    assert nodes["quiet"]["notes"] == [NOTE]
    assert nodes["plain"]["notes"] == []
    assert nodes["quiet"]["status"] == "pass"  # a note is not a verdict


def test_table_prints_notes_dim_under_their_node():
    out = io.StringIO()
    write_report(_noted(), "table", out, color="never")
    lines = out.getvalue().splitlines()
    assert f"note quiet: {NOTE}" in lines  # a passing node is listed for its note
    fail = lines.index(next(ln for ln in lines if ln.startswith("FAIL loud LACP-PARTNER")))
    note = lines.index("note loud: sos: no ip -j \\x1b[2J")  # escaped, never sent raw
    assert note > fail
    assert not any(ln.startswith("note plain") for ln in lines)
    coloured = io.StringIO()
    write_report(_noted(), "table", coloured, color="always")
    assert f"\x1b[2mnote quiet: {NOTE}" in coloured.getvalue()  # dim (SGR 2)


def test_markdown_lists_notes_in_the_node_section():
    text = markdown.render(_noted())
    quiet = text.index("### quiet (pass)")
    assert text.index(f"- note: {NOTE}", quiet) > quiet
    assert "### plain" not in text


def test_junit_puts_notes_in_the_suite_system_out():
    root = ET.fromstring(junit.render(_noted()).split("\n", 1)[1])
    quiet = root.find("testsuite[@name='quiet']")
    assert quiet.find("system-out").text == f"note: {NOTE}"
    assert quiet.get("failures") == "0" and quiet.get("tests") == "1"
    assert root.find("testsuite[@name='plain']/system-out") is None
    loud = root.find("testsuite[@name='loud']/system-out").text
    assert loud.startswith("note: sos: no ip -j") and "\x1b" not in loud


def test_json_is_streamed_node_by_node_with_the_same_bytes() -> None:
    """The streaming writer must produce exactly what one json.dumps of the contract would,
    for no node, one node and many nodes."""
    import io
    import json

    from bondcheck.model import CheckResult, NodeReport, Report, Status
    from bondcheck.output import jsonfmt

    def node(name: str) -> NodeReport:
        return NodeReport(
            node=name,
            transport="ssh",
            results=(
                CheckResult(
                    "BOND-MII",
                    Status.FAIL,
                    'say "down"\n',
                    bond="bond0",
                    expected="up",
                    observed={"mii": ["down", 1]},
                ),
                CheckResult("PORT-MII", Status.PASS, "ok", bond="bond0", port="ens224"),
            ),
            notes=("read as root",),
        )

    for nodes in ((), (node("w0"),), tuple(node(f"w{i}") for i in range(5))):
        report = Report("worker-bond-lacp", "0.1.0", nodes)
        buffer = io.StringIO()
        jsonfmt.write(report, buffer)
        assert buffer.getvalue() == json.dumps(jsonfmt.report_to_json(report), indent=2) + "\n"
        assert json.loads(buffer.getvalue())["summary"]["nodes"] == len(nodes)
