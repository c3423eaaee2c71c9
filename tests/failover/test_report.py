"""Report formats and exit codes of a failover run."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

from bondcheck.failover.report import render_json, render_junit, render_markdown, write_report
from bondcheck.failover.result import FailoverReport, NodeOutcome, PortOutcome, Verdict

PASS = PortOutcome("ens224", "bond0", Verdict.PASS, "failed over and rejoined", lost_probes=0,
                   probes_sent=700, max_gap_ms=10.0, rejoin_ms=2900.0)  # fmt: skip
FAIL = PortOutcome("ens256", "bond0", Verdict.FAIL, "ens256 did not rejoin within 60 s",
                   lost_probes=3, max_gap_ms=40.0, problems=("ens256 did not rejoin within 60 s",),
                   timer="left armed")  # fmt: skip
REFUSED = PortOutcome("ens224", "bond0", Verdict.REFUSED, "pulling ens224 would leave bond0 "
                      "without a working port")  # fmt: skip


def report(*nodes: NodeOutcome) -> FailoverReport:
    return FailoverReport(policy="worker-bond-lacp", nodes=nodes)


def test_exit_codes_follow_the_worst_outcome() -> None:
    assert report(NodeOutcome("a", (PASS,))).exit_code == 0
    assert report(NodeOutcome("a", (PASS, FAIL))).exit_code == 1
    assert report(NodeOutcome("a", (REFUSED,))).exit_code == 4
    assert report(NodeOutcome("a", error="unreachable")).exit_code == 3
    assert report(NodeOutcome("a", (REFUSED,)), NodeOutcome("b", error="x")).exit_code == 3
    assert report(NodeOutcome("a", (FAIL,)), NodeOutcome("b", error="x")).exit_code == 1
    assert report(NodeOutcome("a", (PASS,)), NodeOutcome("b", refused="not started")).exit_code == 4
    assert report().exit_code == 3


def test_json_contract() -> None:
    data = json.loads(
        render_json(report(NodeOutcome("w0", (PASS, FAIL)), NodeOutcome("w1", error="x")))
    )
    assert data["schema_version"] == 1 and data["policy"] == "worker-bond-lacp"
    node = data["nodes"][0]
    assert node["node"] == "w0" and node["status"] == "fail"
    port = node["ports"][0]
    for key in ("port", "status", "lost_probes", "max_gap_ms", "rejoin_ms",
                "active_port_before", "active_port_during", "message"):  # fmt: skip
        assert key in port
    assert (port["status"], port["lost_probes"], port["max_gap_ms"], port["rejoin_ms"]) == (
        "pass",
        0,
        10.0,
        2900.0,
    )
    assert node["ports"][1]["restore_timer"] == "left armed"
    assert data["nodes"][1] == {"node": "w1", "status": "error", "transport": "ssh",
                                "message": "x", "ports": []}  # fmt: skip


def test_junit_is_well_formed_and_maps_verdicts() -> None:
    text = render_junit(report(NodeOutcome("w0", (PASS, FAIL)), NodeOutcome("w1", (REFUSED,))))
    root = ET.fromstring(text.split("\n", 1)[1])
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["w0", "w1"]
    assert suites[0].get("failures") == "1" and suites[0].get("tests") == "2"
    failure = suites[0].find("testcase[@name='failover bond0/ens256']/failure")
    assert failure is not None and "did not rejoin" in (failure.get("message") or "")
    assert suites[1].find("testcase/skipped") is not None


def test_markdown_and_table() -> None:
    rep = report(NodeOutcome("w0", (PASS, FAIL)))
    md = render_markdown(rep)
    assert "| w0 | bond0/ens224 | pass | 0/700 | 10 ms | 2900 ms |" in md
    assert "**Result: FAIL**" in md
    out = io.StringIO()
    write_report(rep, "table", out, color="never")
    text = out.getvalue()
    assert "bond0/ens256" in text and "FAIL w0 bond0/ens256: ens256 did not rejoin" in text
