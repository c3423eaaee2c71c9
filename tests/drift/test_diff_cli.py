"""``bondcheck diff`` and ``verify --baseline`` through the real CLI, on real lab captures."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bondcheck.cli.app import build_app
from bondcheck.drift.catalog import DRIFT_IDS
from bondcheck.drift.model import span

from .helpers import ROOT, copy_capture

POLICY = str(ROOT / "fixtures" / "policies" / "worker-bond-lacp.yaml")
HEALTHY = "healthy-802.3ad"
ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "COLUMNS": "200"}


@pytest.fixture(autouse=True)
def _no_bondcheck_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("BONDCHECK_"):
            monkeypatch.delenv(key)


def cli(*args: str):
    return CliRunner().invoke(build_app(), list(args), env=ENV, catch_exceptions=False)


def tree(root: Path, nodes: dict[str, str], at: str | None = None) -> Path:
    """A capture tree: node name -> lab capture (as lab node 0), with meta.json's time."""
    root.mkdir(parents=True, exist_ok=True)
    for node, capture in nodes.items():
        path = copy_capture(capture, root / node)
        if at:
            (path / "meta.json").write_text(json.dumps({"collected_at": at}))
    return root


@pytest.fixture
def before(tmp_path: Path) -> Path:
    nodes = {"worker-0": "healthy-802.3ad", "worker-1": "healthy-802.3ad"}
    return tree(tmp_path / "before", nodes, "2026-12-05T06:00:00Z")


def test_nothing_changed_exits_0(before: Path, tmp_path: Path) -> None:
    after = tree(tmp_path / "after", {"worker-0": "healthy-802.3ad", "worker-1": "healthy-802.3ad"})
    result = cli("diff", str(before), str(after), "-o", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["summary"] == {
        "nodes": 2, "changed": 0, "added": 0, "removed": 0, "error": 0, "same": 2, "changes": 0,
    }  # fmt: skip
    assert [n["status"] for n in data["nodes"]] == ["same", "same"]


def test_the_json_contract(before: Path, tmp_path: Path) -> None:
    after = tree(
        tmp_path / "after",
        {"worker-0": "healthy-802.3ad", "worker-1": "fault-ip-on-port", "worker-2": HEALTHY},
        "2026-12-05T08:12:30Z",
    )
    result = cli("diff", str(before), str(after), "-o", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert (data["schema_version"], data["kind"]) == (1, "diff")
    assert data["before"] == {"dir": str(before), "collected_at": "2026-12-05T06:00:00Z"}
    assert data["after"] == {"dir": str(after), "collected_at": "2026-12-05T08:12:30Z"}
    assert data["interval_s"] == 2 * 3600 + 12 * 60 + 30
    nodes = {n["node"]: n for n in data["nodes"]}
    assert [n["status"] for n in data["nodes"]] == ["same", "changed", "added"]
    assert nodes["worker-1"]["changes"] == [
        {
            "id": "DRIFT-ADDRESSES",
            "bond": "bond0",
            "port": "ens256",
            "before": None,
            "after": {"address": "192.168.100.20/24", "device": "ens256"},
            "message": "192.168.100.20/24 appeared on ens256",
        }
    ]
    assert [c["id"] for c in nodes["worker-2"]["changes"]] == ["DRIFT-NODE"]
    assert data["summary"]["changes"] == 2 and data["summary"]["added"] == 1
    assert "2h 12m" in result.stderr  # the summary line on stderr


def test_the_table_names_each_change_and_the_time_between(before: Path, tmp_path: Path) -> None:
    after = tree(
        tmp_path / "after",
        {"worker-0": "fault-port-removed", "worker-1": HEALTHY},
        "2026-12-05T06:45:10Z",
    )
    result = cli("diff", str(before), str(after), "--color", "never")
    assert result.exit_code == 1
    out = result.stdout
    assert "45m 10s apart" in out
    assert "DRIFT-PORTS worker-0 bond0/ens256: ens256 left bond0" in out
    rows = [line.split()[:3] for line in out.splitlines() if line.startswith(" worker-")]
    assert rows[1] == ["worker-1", "SAME", "0"]
    assert rows[0][:2] == ["worker-0", "CHANGED"]
    assert not any(line != line.rstrip() for line in out.splitlines())


def test_a_node_removed_and_the_markdown_and_junit_forms(before: Path, tmp_path: Path) -> None:
    after = tree(tmp_path / "after", {"worker-0": "fault-all-cables-pulled"})
    md = cli("diff", str(before), str(after), "-o", "markdown")
    assert md.exit_code == 1
    assert "### worker-1 (removed)" in md.stdout
    assert "- `DRIFT-MII` `bond0`: bond0 MII status up -> down" in md.stdout
    junit = cli("diff", str(before), str(after), "-o", "junit")
    root = ET.fromstring(junit.stdout.split("\n", 1)[1])
    suites = {s.get("name"): s for s in root}
    cases = suites["worker-0"].findall("testcase")
    assert [c.get("name") for c in cases] == list(DRIFT_IDS)  # stable names for CI history
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert failed == ["DRIFT-MII", "DRIFT-FLAPS", "DRIFT-AGGREGATOR"]
    assert suites["worker-1"].get("failures") == "1"


def test_unreadable_evidence_is_an_error_not_a_change(before: Path, tmp_path: Path) -> None:
    after = tree(tmp_path / "after", {"worker-0": HEALTHY, "worker-1": HEALTHY})
    (after / "worker-1" / "error.txt").write_text("ssh: connection refused\n")
    result = cli("diff", str(before), str(after), "-o", "json")
    assert result.exit_code == 3, result.output
    worker1 = json.loads(result.stdout)["nodes"][1]
    assert worker1["status"] == "error" and worker1["changes"] == []
    assert worker1["error"] == "after: ssh: connection refused"
    garbled = tree(tmp_path / "garbled", {"worker-0": "fault-ip-on-port", "worker-1": HEALTHY})
    (garbled / "worker-1" / "proc/net/bonding/bond0").write_text("not a bonding file\n")
    mixed = cli("diff", str(before), str(garbled), "-o", "json")
    assert mixed.exit_code == 1  # a change outranks an unreadable node
    assert json.loads(mixed.stdout)["summary"]["error"] == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["/nonexistent/before", "{after}"], "BEFORE /nonexistent/before: not a directory"),
        (["{before}", "{empty}"], "AFTER {empty}: no node directories"),
        (["{before}"], "Missing argument 'AFTER'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    before: Path, tmp_path: Path, args: list[str], says: str
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    names = {"before": str(before), "after": str(before), "empty": str(empty)}
    result = cli("diff", *[a.format(**names) for a in args])
    assert result.exit_code == 2
    assert says.format(**names) in result.stderr
    assert "Traceback" not in result.output


def test_a_sosreport_against_a_collect_tree(tmp_path: Path) -> None:
    """A sosreport of the node before the change, bondcheck's own capture after it."""
    sos = copy_capture(HEALTHY, tmp_path / "sosreport-worker-0-2026-12-01")
    (sos / "sos_commands" / "date").mkdir(parents=True)
    (sos / "sos_commands" / "date" / "date_--utc").write_text("Tue Dec  1 09:30:00 UTC 2026\n")
    (sos / "hostname").write_text("worker-0\n")
    after = tree(tmp_path / "after", {"worker-0": "fault-ip-on-port"}, "2026-12-05T09:30:00Z")
    result = cli("diff", str(sos), str(after), "-o", "json")
    data = json.loads(result.stdout)
    assert data["before"]["collected_at"] == "2026-12-01T09:30:00Z"
    assert data["interval_s"] == 4 * 86400 and span(data["interval_s"]) == "4d 0h"
    assert [c["id"] for c in data["nodes"][0]["changes"]] == ["DRIFT-ADDRESSES"]


# --- verify --baseline ------------------------------------------------------------------


def test_verify_baseline_adds_drift_as_warnings(before: Path, tmp_path: Path) -> None:
    after = tree(tmp_path / "now", {"worker-0": HEALTHY, "worker-1": "fault-slow-rate-layer2"})
    args = ["verify", "--policy-file", POLICY, "--from-dir", str(after), "-o", "json"]
    plain = cli(*args, "--only", "PORT-MII")
    assert plain.exit_code == 0
    result = cli(*args, "--only", "PORT-MII", "--baseline", str(before))
    assert result.exit_code == 0, result.output  # drift warns: a planned change passes the gate
    nodes = {n["node"]: n for n in json.loads(result.stdout)["nodes"]}
    assert nodes["worker-0"]["status"] == "pass"
    drift = [r for r in nodes["worker-1"]["results"] if r["check"].startswith("DRIFT-")]
    options = [r for r in drift if r["check"] == "DRIFT-OPTIONS"]
    assert [(r["status"], r["message"], r["expected"], r["observed"]) for r in options] == [
        ("warn", "bond0 xmit_hash_policy: layer3+4 -> layer2", "layer3+4", "layer2"),
        ("warn", "bond0 lacp_rate: fast -> slow", "fast", "slow"),
    ]
    assert nodes["worker-1"]["status"] == "warn"
    strict = cli(*args, "--only", "PORT-MII", "--baseline", str(before), "--strict")
    assert strict.exit_code == 1
    table = cli(*args[:-2], "--only", "PORT-MII", "--baseline", str(before), "--color", "never")
    assert "WARN worker-1 DRIFT-OPTIONS bond0: bond0 lacp_rate: fast -> slow" in table.stdout
    assert "before: fast  after: slow" in table.stdout


@pytest.mark.parametrize("fmt", ["markdown", "junit", "prometheus"])
def test_verify_baseline_drift_is_in_every_format(before: Path, tmp_path: Path, fmt: str) -> None:
    now = tree(tmp_path / "now", {"worker-0": HEALTHY, "worker-1": "fault-ip-on-port"})
    args = ["verify", "--policy-file", POLICY, "--from-dir", str(now), "-o", fmt, "-q"]
    result = cli(*args, "--baseline", str(before))
    assert result.exit_code == 1  # PORT-NO-IP fails; the drift itself only warns
    out = result.stdout
    if fmt == "markdown":
        assert "- **WARN** `DRIFT-ADDRESSES` `bond0/ens256`: 192.168.100.20/24 appeared" in out
        assert "before `-`, after `address=192.168.100.20/24, device=ens256`" in out
    elif fmt == "junit":
        root = ET.fromstring(out.split("\n", 1)[1])
        [case] = [c for c in root.iter("testcase") if c.get("name") == "DRIFT-ADDRESSES bond0"]
        assert case.get("classname") == "bondcheck.worker-1"
        assert (case.findtext("system-out") or "").startswith("WARN bond0/ens256: 192.168.100.20")
    else:
        line = (
            'bondcheck_check_result{bond="bond0",check="DRIFT-ADDRESSES",node="worker-1",'
            'policy="worker-bond-lacp",port="ens256",result="warn"} 1.0'
        )
        assert line in out.splitlines()


def test_verify_baseline_nodes_that_appeared_or_vanished(before: Path, tmp_path: Path) -> None:
    now = tree(tmp_path / "now", {"worker-0": HEALTHY, "worker-2": HEALTHY})
    args = ["verify", "--policy-file", POLICY, "--from-dir", str(now), "-o", "json"]
    data = json.loads(cli(*args, "--baseline", str(before)).stdout)
    drift = {
        n["node"]: [r["message"] for r in n["results"] if r["check"] == "DRIFT-NODE"]
        for n in data["nodes"]
    }
    assert drift == {
        "worker-0": [],
        "worker-1": ["worker-1 is in the baseline but not in this run"],
        "worker-2": ["worker-2 is not in the baseline"],
    }
    narrowed = json.loads(cli(*args, "--baseline", str(before), "--node", "worker-0").stdout)
    assert [n["node"] for n in narrowed["nodes"]] == ["worker-0"]  # --node: not "vanished"


def test_verify_baseline_bad_input(before: Path, tmp_path: Path) -> None:
    args = ["verify", "--policy-file", POLICY, "--from-dir", str(before)]
    missing = cli(*args, "--baseline", str(tmp_path / "nope"))
    assert missing.exit_code == 2
    assert "--baseline " in missing.stderr and "not a directory" in missing.stderr
    nns = cli("verify", "--policy-file", POLICY, "--via", "nns", "--baseline", str(before))
    assert nns.exit_code == 2 and "NodeNetworkState" in nns.stderr


# --- checks and explain -----------------------------------------------------------------


def test_checks_lists_drift_ids_apart_and_explain_knows_them() -> None:
    data = json.loads(cli("checks", "-o", "json").stdout)
    assert [d["id"] for d in data["drift"]] == list(DRIFT_IDS)
    assert not any(c["id"].startswith("DRIFT-") for c in data["checks"])
    assert {d["scope"] for d in data["drift"]} == {"drift"}
    explained = cli("explain", "drift-flaps")
    assert explained.exit_code == 0
    assert explained.stdout.startswith("DRIFT-FLAPS: ")
    assert "reset" in explained.stdout and "When it was not planned:" in explained.stdout
    close = cli("explain", "DRIFT-PARTNR")
    assert close.exit_code == 2 and "DRIFT-PARTNER" in close.stderr


def test_every_drift_id_is_documented_and_used() -> None:
    doc = (ROOT / "docs" / "checks.md").read_text()
    source = (ROOT / "bondcheck" / "drift" / "compare.py").read_text()
    source += (ROOT / "bondcheck" / "drift" / "run.py").read_text()
    for drift in DRIFT_IDS:
        assert f"\n## {drift}\n" in doc
        assert f'"{drift}"' in source, f"{drift} is described but never reported"


def test_a_nodenetworkstate_capture_is_not_compared_as_empty(before: Path, tmp_path: Path) -> None:
    """A capture taken --via nns has no /proc text: "no bonds" would be a false DRIFT-BOND and
    "same" a false all-clear, so the node is reported as not comparable."""
    after = tree(tmp_path / "after", {"worker-0": HEALTHY, "worker-1": HEALTHY})
    node = after / "worker-1"
    (node / "proc/net/bonding/bond0").unlink()
    (node / "nns.json").write_text(json.dumps({"interfaces": [{"name": "bond0", "type": "bond"}]}))
    result = cli("diff", str(before), str(after), "-o", "json")
    worker1 = json.loads(result.stdout)["nodes"][1]
    assert (result.exit_code, worker1["status"]) == (3, "error")
    assert "NodeNetworkState only" in worker1["error"]


def test_diff_as_prometheus_metrics(before: Path, tmp_path: Path) -> None:
    """``diff -o prometheus``: each node one-hot over its diff status, changes counted by
    drift ID and place; the real promtool accepts the exposition."""
    from tests.prom.stack import run_promtool
    from tests.prom.test_exposition import series, value

    after = tree(tmp_path / "after", {"worker-0": HEALTHY, "worker-1": "fault-ip-on-port",
                                      "worker-2": HEALTHY})  # fmt: skip
    out = tmp_path / "diff.prom"
    result = cli("diff", str(before), str(after), "-o", "prometheus", "--output-file", str(out))
    assert result.exit_code == 1, result.output
    text = out.read_text()
    assert run_promtool("check", "metrics", stdin=text).returncode == 0
    s = series(text)
    assert value(s, "bondcheck_diff_node_status", node="worker-0", status="same") == 1
    assert value(s, "bondcheck_diff_node_status", node="worker-1", status="changed") == 1
    assert value(s, "bondcheck_diff_node_status", node="worker-2", status="added") == 1
    assert value(s, "bondcheck_diff_node_status", node="worker-1", status="same") == 0
    assert value(s, "bondcheck_drift_changes", node="worker-1", drift="DRIFT-ADDRESSES",
                 port="ens256") == 1  # fmt: skip
    assert not [k for k in s if k[0] == "bondcheck_drift_changes" and ("node", "worker-0") in k[1]]


def test_diff_reports_a_recabled_port_from_lldp_json(tmp_path: Path) -> None:
    lldp = ROOT / "fixtures" / "lldp"
    before = tree(tmp_path / "b", {"worker-0": HEALTHY})
    after = tree(tmp_path / "a", {"worker-0": HEALTHY})
    (before / "worker-0" / "lldp.json").write_text(
        (lldp / "lldpctl-two-ports-one-switch.json").read_text()
    )
    (after / "worker-0" / "lldp.json").write_text(
        (lldp / "lldpctl-two-ports-two-switches.json").read_text()
    )
    result = cli("diff", str(before), str(after), "-o", "json")
    assert result.exit_code == 1, result.output
    changes = json.loads(result.stdout)["nodes"][0]["changes"]
    cabling = {c["port"]: (c["before"], c["after"]) for c in changes if c["id"] == "DRIFT-CABLING"}
    # Two real lldpd runs: every chassis ID differs, so both ports count as re-cabled, and
    # the one whose names stayed says it is another switch by the same name.
    assert cabling == {
        "ens224": ("leaf-1 Ethernet1/7", "leaf-1 Ethernet1/7"),
        "ens256": ("leaf-1 Ethernet1/8", "leaf-2 Ethernet1/7"),
    }
    same_name = [c["message"] for c in changes if c.get("port") == "ens224"]
    assert "another switch by the same name" in same_name[0]
