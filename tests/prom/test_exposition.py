"""``-o prometheus`` on real kernel captures: the series an alert keys on flip with each fault,
and the real ``promtool check metrics`` accepts every exposition bondcheck writes.

The captures are the lab's (fixtures/captures/lab: printed by a real 6.1 kernel with a real
LACP partner); promtool is Debian's, unpacked (tests/debpkg.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bondcheck.model import CheckResult, NodeReport, Report, Status
from bondcheck.output.prometheus import label_problem, render
from bondcheck.run import VerifyRequest, verify
from tests.prom.stack import run_promtool

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "fixtures" / "captures" / "lab"
POLICIES = ROOT / "fixtures" / "policies" / "lab"

Series = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _report(scenario: str, mode: str = "802.3ad") -> Report:
    request = VerifyRequest(
        policy_file=str(POLICIES / f"{mode}.yaml"), from_dir=str(LAB / scenario)
    )
    return verify(request)


def series(text: str) -> Series:
    """Every sample as (name, sorted labels) -> value, read by prometheus_client's parser."""
    out: Series = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(samples: Series, name: str, **labels: str) -> float:
    """The one sample of ``name`` whose labels include ``labels``."""
    found = [
        v
        for (n, lab), v in samples.items()
        if n == name and all(dict(lab).get(k) == want for k, want in labels.items())
    ]
    assert len(found) == 1, f"{name}{labels}: {len(found)} samples"
    return found[0]


def names(samples: Series) -> set[str]:
    return {name for name, _ in samples}


SCENARIOS = sorted(p.name for p in LAB.iterdir() if p.is_dir())


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_promtool_accepts_every_exposition(scenario: str) -> None:
    mode = scenario.removeprefix("healthy-").removesuffix("-nonroot")
    text = render(_report(scenario, mode if scenario.startswith("healthy") else "802.3ad"))
    lint = run_promtool("check", "metrics", stdin=text)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert lint.stdout.strip() == "" and lint.stderr.strip() == ""


def test_healthy_lacp_bond() -> None:
    s = series(render(_report("healthy-802.3ad")))
    node = "healthy-802.3ad"
    assert value(s, "bondcheck_node_status", node=node, status="pass") == 1
    assert value(s, "bondcheck_node_status", node=node, status="fail") == 0
    assert value(s, "bondcheck_bond_info", node=node, bond="bond0") == 1
    assert value(s, "bondcheck_bond_info", mode="802.3ad", lacp_rate="fast") == 1
    assert value(s, "bondcheck_bond_ports", node=node, bond="bond0") == 2
    assert value(s, "bondcheck_bond_ports_expected", node=node, bond="bond0") == 2
    for port in ("ens224", "ens256"):
        at = {"node": node, "bond": "bond0", "port": port}
        assert value(s, "bondcheck_port_mii_up", **at) == 1
        assert value(s, "bondcheck_lacp_partner_present", **at) == 1
        assert value(s, "bondcheck_lacp_port_in_active_aggregator", **at) == 1
        assert value(s, "bondcheck_lacp_actor_port_state", **at) == 63  # real LACP, in sync
        assert value(s, "bondcheck_lacp_partner_port_state", **at) == 63
        assert value(s, "bondcheck_port_link_failures_total", **at) >= 0
        assert value(s, "bondcheck_lacp_churned", side="partner", **at) == 0
    # One series per check and bond (the JUnit place), one-hot over the five results.
    place = {"node": node, "check": "LACP-PARTNER", "bond": "bond0", "port": ""}
    assert [value(s, "bondcheck_check_result", result=r, **place) for r in
            ("pass", "warn", "fail", "skip", "error")] == [1, 0, 0, 0, 0]  # fmt: skip
    assert value(s, "bondcheck_exposition_dropped_series") == 0
    assert value(s, "bondcheck_build_info") == 1
    assert value(s, "bondcheck_last_run_timestamp_seconds", policy="lab-bond0-802.3ad") > 1.7e9


@pytest.mark.parametrize(
    ("scenario", "name", "labels", "want"),
    [
        ("fault-no-lacp-partner", "bondcheck_lacp_partner_present", {"port": "ens224"}, 0),
        ("fault-no-lacp-partner", "bondcheck_lacp_partner_present", {"port": "ens256"}, 0),
        ("fault-node-port-down", "bondcheck_port_mii_up", {"port": "ens224"}, 0),
        ("fault-node-port-down", "bondcheck_port_mii_up", {"port": "ens256"}, 1),
        ("fault-switch-cable-pull", "bondcheck_port_mii_up", {"port": "ens224"}, 0),
        ("fault-port-removed", "bondcheck_bond_ports", {"bond": "bond0"}, 1),
        ("fault-port-removed", "bondcheck_bond_ports_expected", {"bond": "bond0"}, 2),
        (
            "fault-split-aggregators",
            "bondcheck_lacp_port_in_active_aggregator",
            {"port": "ens256"},
            0,
        ),
        (
            "fault-ip-on-port",
            "bondcheck_check_result",
            {"check": "PORT-NO-IP", "port": "ens256", "result": "fail"},
            1,
        ),
        (
            "fault-port-removed",
            "bondcheck_check_result",
            {"check": "PORT-ENSLAVED", "port": "ens256", "result": "fail"},
            1,
        ),
        ("fault-no-bond", "bondcheck_bond_ports", {"bond": "bond0"}, 0),
        ("fault-no-bond", "bondcheck_node_status", {"status": "fail"}, 1),
    ],
)
def test_each_fault_flips_its_series(
    scenario: str, name: str, labels: dict[str, str], want: float
) -> None:
    s = series(render(_report(scenario)))
    assert value(s, name, node=scenario, **labels) == want
    assert value(s, "bondcheck_node_status", node=scenario, status="pass") == 0


def test_an_absent_bond_has_no_info_or_port_series() -> None:
    s = series(render(_report("fault-no-bond")))
    assert "bondcheck_bond_info" not in names(s)
    assert "bondcheck_port_mii_up" not in names(s)


def test_active_backup_has_no_lacp_series() -> None:
    s = series(render(_report("healthy-active-backup", "active-backup")))
    assert value(s, "bondcheck_bond_info", mode="active-backup") == 1
    assert not {n for n in names(s) if n.startswith("bondcheck_lacp_")}


def test_a_node_not_judged_is_status_error_without_check_series() -> None:
    report = Report(
        policy="p",
        tool_version="0",
        nodes=(NodeReport("worker-9", "ssh", error="connection refused"),),
        generated_at="2026-12-05T00:00:00Z",
        duration_s=1.5,
    )
    s = series(render(report))
    assert value(s, "bondcheck_node_status", node="worker-9", status="error") == 1
    assert "bondcheck_check_result" not in names(s)
    assert value(s, "bondcheck_last_run_timestamp_seconds", policy="p") == 1796428800
    assert value(s, "bondcheck_run_duration_seconds", policy="p") == 1.5


@pytest.mark.parametrize(
    ("label", "bad"),
    [
        ("node", 'evil"} 1\nbondcheck_fake 1'),
        ("node", "back\\slash"),
        ("node", ""),  # allowed: the empty label
        ("policy", "x" * 300),
        ("port", "eth0 1"),
    ],
)
def test_a_series_with_a_bad_label_is_dropped_and_counted(label: str, bad: str) -> None:
    result = CheckResult("PORT-MII", Status.FAIL, "down", bond="bond0", port="ens224")
    node = NodeReport("worker-1", "ssh", results=(result,))
    fields = {"node": bad} if label == "node" else {}
    if label == "port":
        result = dataclasses.replace(result, port=bad)
        node = dataclasses.replace(node, results=(result,))
    report = Report(policy=bad if label == "policy" else "p", tool_version="0", nodes=(node,))
    if fields:
        report = dataclasses.replace(report, nodes=(dataclasses.replace(node, **fields),))
    text = render(report)
    s = series(text)  # still one well-formed exposition
    assert "bondcheck_fake" not in names(s)
    assert run_promtool("check", "metrics", stdin=text).returncode == 0
    dropped = value(s, "bondcheck_exposition_dropped_series")
    if bad == "":
        assert dropped == 0
    else:
        assert label_problem(label, bad) is not None
        assert dropped > 0
        assert all(dict(lab).get(label) != bad for _, lab in s)


def test_failover_report_as_metrics() -> None:
    from bondcheck.failover.result import FailoverReport, NodeOutcome, PortOutcome, Verdict

    port = PortOutcome(
        "ens224", "bond0", Verdict.PASS, "ok", lost_probes=2, probes_sent=50,
        max_gap_ms=420.0, rejoin_ms=1500.0,
    )  # fmt: skip
    refused = PortOutcome("ens256", "bond0", Verdict.REFUSED, "no other port up")
    report = FailoverReport(
        "worker-bond",
        (NodeOutcome("worker-1", (port, refused)),),
        generated_at="2026-12-05T01:00:00Z",
        duration_s=42.0,
    )
    from bondcheck.failover.report import render_prometheus

    text = render_prometheus(report)
    assert run_promtool("check", "metrics", stdin=text).returncode == 0
    s = series(text)
    at = {"node": "worker-1", "bond": "bond0", "port": "ens224"}
    assert value(s, "bondcheck_failover_gap_seconds", **at) == pytest.approx(0.42)
    assert value(s, "bondcheck_failover_lost_probes", **at) == 2
    assert value(s, "bondcheck_failover_rejoin_seconds", **at) == pytest.approx(1.5)
    assert value(s, "bondcheck_failover_result", result="pass", **at) == 1
    assert value(s, "bondcheck_failover_result", port="ens256", result="refused") == 1
    # A refused pull measured nothing: no gap series rather than a misleading 0.
    assert not [k for k in s if k[0] == "bondcheck_failover_gap_seconds" and
                ("port", "ens256") in k[1]]  # fmt: skip
