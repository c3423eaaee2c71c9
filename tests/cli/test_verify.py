"""``bondcheck verify`` offline: every exit code, every format, --output-file, bad input."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from bondcheck.judge import exit_code
from bondcheck.model import NodeFailure
from bondcheck.policy.loader import load_policy_file
from bondcheck.run import VerifyRequest, build_report, verify
from bondcheck.transport.base import Transport

from . import scenarios


def _verify(cli, policy, root, *extra, env=None):
    return cli("verify", "--policy-file", policy, "--from-dir", str(root), *extra, env=env)


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bondcheck: error: ")
    assert "Traceback" not in result.stderr
    return lines[0]


# --- exit codes -------------------------------------------------------------------------


def test_exit_0_when_every_node_passes(cli, capture, policy):
    result = _verify(cli, policy, capture(worker_0="healthy", worker_1="healthy"))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "2 nodes checked against worker-bond-lacp: 2 pass, 0 warn, 0 fail, 0 error" in (
        result.stdout
    )
    assert "FAIL" not in result.stdout


def test_exit_1_when_a_check_fails(cli, capture, policy):
    result = _verify(cli, policy, capture(worker_0="healthy", worker_1="no-partner"))
    assert result.exit_code == 1
    assert "FAIL worker-1 LACP-PARTNER bond0/ens224" in result.stdout
    assert "evidence: " in result.stdout and "fix: " in result.stdout


def test_exit_1_beats_3_when_one_node_fails_and_another_was_not_collected(cli, capture, policy):
    result = _verify(cli, policy, capture(a="no-partner", b="error"))
    assert result.exit_code == 1


def test_exit_3_when_a_node_was_not_collected_and_nothing_failed(cli, capture, policy):
    result = _verify(cli, policy, capture(worker_0="healthy", worker_9="error"))
    assert result.exit_code == 3
    assert "worker-9: evidence could not be collected: ssh: connection timed out" in result.stdout


def test_exit_3_for_evidence_that_does_not_parse(cli, capture, policy):
    result = _verify(cli, policy, capture(worker_0="healthy", worker_1="garbage"))
    assert result.exit_code == 3
    assert "EVIDENCE-PARSE bond0" in result.stdout


def test_exit_3_for_an_empty_node_directory(cli, capture, policy):
    root = capture(worker_0="healthy")
    (root / "worker-2").mkdir()
    result = _verify(cli, policy, root)
    assert result.exit_code == 3
    assert "no evidence in" in result.stdout


def test_exit_3_through_the_run_module_with_a_transport_failure():
    """A failure record from a live transport -> an ERROR node carrying its message."""
    failure = NodeFailure("worker-7", "ssh", "ssh: Permission denied (publickey)")
    policy = load_policy_file(str(scenarios.POLICY))
    evidence = scenarios.node("worker-0", scenarios.healthy_text())
    report = build_report(policy, [evidence, failure], transport="ssh")
    assert [n.node for n in report.nodes] == ["worker-0", "worker-7"]
    assert report.nodes[1].error == "ssh: Permission denied (publickey)"
    assert report.nodes[1].transport == "ssh"
    assert exit_code(report) == 3
    assert exit_code(report, exit_zero=True) == 0


def test_strict_turns_warnings_into_exit_1(cli, capture, policy):
    root = capture(worker_0="healthy", worker_1="nonroot")
    plain = _verify(cli, policy, root)
    assert plain.exit_code == 0
    assert "WARN worker-1 LACP-VISIBILITY" in plain.stdout
    assert _verify(cli, policy, root, "--strict").exit_code == 1
    assert _verify(cli, policy, root, env={"BONDCHECK_STRICT": "1"}).exit_code == 1


def test_exit_zero_forces_0(cli, capture, policy):
    root = capture(worker_0="no-partner", worker_1="error")
    assert _verify(cli, policy, root).exit_code == 1
    result = _verify(cli, policy, root, "--exit-zero", "--strict")
    assert result.exit_code == 0
    assert "FAIL worker-0 LACP-PARTNER" in result.stdout  # the report is still complete


# --- exit 2: usage and input errors, one line, no traceback -----------------------------


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--node", "worker-7"], "node worker-7 not in"),
        (["--node", "../../etc"], "node name '../../etc'"),
        (["--only", "LACP-PARTNR"], "did you mean LACP-PARTNER"),
        (["--skip", "NOPE-NOPE"], "unknown check ID 'NOPE-NOPE'"),
        (["--via", "ssh"], "cannot be combined with --via ssh"),
        (["--output", "yaml"], "yaml"),
        (["--bogus"], "No such option: --bogus"),
    ],
)
def test_exit_2_with_one_line(cli, capture, policy, args, needle):
    result = _verify(cli, policy, capture(worker_0="healthy"), *args)
    assert result.exit_code == 2
    if "--bogus" in args or "--output" in args:
        assert needle in result.stderr  # Click's own usage message (Typer's panel here)
    else:
        assert needle in _one_error_line(result)


def test_exit_2_for_a_missing_policy_file(cli, capture, tmp_path):
    result = _verify(cli, str(tmp_path / "nope.yaml"), capture(worker_0="healthy"))
    assert result.exit_code == 2
    assert "nope.yaml" in _one_error_line(result)


def test_exit_2_for_a_missing_capture_dir(cli, policy, tmp_path):
    result = _verify(cli, policy, tmp_path / "missing")
    assert result.exit_code == 2
    assert "not a directory" in _one_error_line(result)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ([], "--policy NAME or --policy-file FILE"),
        (["--policy-file", str(scenarios.POLICY)], "--from-dir DIR"),
        (["--policy-file", str(scenarios.POLICY), "--via", "capture"], "--via capture needs"),
    ],
)
def test_exit_2_when_the_source_is_not_said(cli, args, needle):
    result = cli("verify", *args)
    assert result.exit_code == 2
    assert needle in _one_error_line(result)


# --- formats ----------------------------------------------------------------------------


def test_json_output(cli, capture, policy):
    result = _verify(cli, policy, capture(a="healthy", b="no-partner", c="error"), "-o", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1 and data["policy"] == "worker-bond-lacp"
    assert data["summary"] == {"nodes": 3, "pass": 1, "warn": 0, "fail": 1, "skip": 0, "error": 1}
    statuses = {n["node"]: n["status"] for n in data["nodes"]}
    assert statuses == {"a": "pass", "b": "fail", "c": "error"}
    assert all(n["transport"] == "capture" for n in data["nodes"])
    failing = [r for r in data["nodes"][1]["results"] if r["status"] == "fail"]
    assert {r["check"] for r in failing} == {"LACP-PARTNER"}
    # The summary line goes to stderr, never into the JSON.
    assert "3 nodes checked against worker-bond-lacp" in result.stderr


def test_junit_output_parses_and_counts(cli, capture, policy):
    result = _verify(cli, policy, capture(a="healthy", b="port-ip"), "-o", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    assert [s.get("name") for s in root.findall("testsuite")] == ["a", "b"]
    failures = root.findall(".//failure")
    assert [f.get("type") for f in failures] == ["PORT-NO-IP"]
    assert root.get("failures") == "1"
    assert root.find("testsuite[@name='b']/testcase[@name='PORT-NO-IP bond0']") is not None


def test_markdown_output(cli, capture, policy):
    result = _verify(cli, policy, capture(a="healthy", b="missing"), "-o", "markdown")
    assert result.exit_code == 1
    assert result.stdout.startswith("# bondcheck verify: worker-bond-lacp")
    assert "### b (fail)" in result.stdout and "`BOND-PRESENT`" in result.stdout
    assert "\x1b[" not in result.stdout


def test_verbose_table_lists_passes(cli, capture, policy):
    root = capture(a="healthy")
    assert "PASS a BOND-MODE" not in _verify(cli, policy, root).stdout
    assert "PASS a BOND-MODE bond0" in _verify(cli, policy, root, "-v").stdout


def test_output_file(cli, capture, policy, tmp_path):
    out = tmp_path / "report.xml"
    result = _verify(cli, policy, capture(a="no-partner"), "-o", "junit", "--output-file", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    ET.parse(out)  # a complete, valid document
    assert f"junit report written to {out}" in result.stderr
    assert "1 node checked against worker-bond-lacp: 0 pass, 0 warn, 1 fail, 0 error" in (
        result.stderr
    )


def test_output_file_table_is_plain_text(cli, capture, policy, tmp_path):
    out = tmp_path / "report.txt"
    result = _verify(
        cli, policy, capture(a="no-partner"), "--output-file", str(out), env={"FORCE_COLOR": None}
    )
    assert result.exit_code == 1
    text = out.read_text()
    assert "FAIL a LACP-PARTNER" in text and "\x1b[" not in text


def test_output_file_that_cannot_be_written(cli, capture, policy, tmp_path):
    bad = tmp_path / "no-such-dir" / "r.json"
    result = _verify(cli, policy, capture(a="healthy"), "-o", "json", "--output-file", str(bad))
    assert result.exit_code == 2
    assert "cannot write" in _one_error_line(result)


def test_output_file_is_replaced_whole_never_rewritten_in_place(cli, capture, policy, tmp_path):
    """A textfile collector or CI step reading the file sees the old or the new report, never
    half of one: the file is a new inode renamed over the old, and no temporary is left."""
    out = tmp_path / "textfile" / "bondcheck.prom"
    out.parent.mkdir()
    out.write_text("old\n")
    before = out.stat().st_ino
    reader = out.open()  # a reader holding the old file keeps reading the old content
    result = _verify(
        cli, policy, capture(a="no-partner"), "-o", "prometheus", "--output-file", str(out)
    )
    assert result.exit_code == 1
    assert out.stat().st_ino != before
    assert reader.read() == "old\n"
    reader.close()
    assert 'bondcheck_node_status{node="a",policy="worker-bond-lacp",status="fail"} 1.0' in (
        out.read_text()
    )
    assert sorted(p.name for p in out.parent.iterdir()) == ["bondcheck.prom"]
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    import os

    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_node_filter_and_env_vars(cli, capture, policy):
    root = capture(a="healthy", b="no-partner")
    assert _verify(cli, policy, root, "--node", "a").exit_code == 0
    env = {"BONDCHECK_POLICY_FILE": policy, "BONDCHECK_FROM_DIR": str(root),
           "BONDCHECK_OUTPUT": "json", "BONDCHECK_NODE": "a"}  # fmt: skip
    result = cli("verify", env=env)
    assert result.exit_code == 0
    assert [n["node"] for n in json.loads(result.stdout)["nodes"]] == ["a"]


def test_only_limits_the_checks(cli, capture, policy):
    root = capture(a="no-partner")
    result = _verify(cli, policy, root, "--only", "BOND-MODE", "-o", "json")
    assert result.exit_code == 0
    checks = {r["check"] for r in json.loads(result.stdout)["nodes"][0]["results"]}
    assert checks == {"BOND-MODE"}
    assert _verify(cli, policy, root, "--skip", "LACP-PARTNER").exit_code == 0


def test_run_module_without_the_cli(capture, policy):
    report = verify(VerifyRequest(policy_file=policy, from_dir=str(capture(a="healthy"))))
    assert report.policy == "worker-bond-lacp"
    assert [n.status.value for n in report.nodes] == ["pass"]


# --- live path, with a stand-in transport (no network) -----------------------------------


class _FakeTransport(Transport):
    """Answers like a real transport: Evidence for known nodes, CollectError otherwise."""

    name = "ssh"
    default_concurrency = 4

    def __init__(self, nodes):
        self.nodes = nodes
        self.closed = False
        self.asked: list[tuple[str, tuple[str, ...]]] = []

    def collect(self, target, bonds, timeout):
        from bondcheck.errors import CollectError

        self.asked.append((target.name, tuple(bonds)))
        if target.name not in self.nodes:
            raise CollectError(f"{target.name}: ssh: connect timed out")
        return scenarios.node(target.name, self.nodes[target.name])

    def close(self):
        self.closed = True


def test_live_ssh_path_collects_judges_and_closes(cli, policy, monkeypatch):
    import bondcheck.transport.factory as factory

    fake = _FakeTransport({"w0": scenarios.healthy_text(), "w1": scenarios.no_partner_text()})
    monkeypatch.setattr(factory, "make_transport", lambda via, opts: fake)
    result = cli("verify", "--policy-file", policy, "--via", "ssh", "--node", "w0", "--node",
                 "w1", "-o", "json", "--ssh-user", "core")  # fmt: skip
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {n["node"]: n["status"] for n in data["nodes"]} == {"w0": "pass", "w1": "fail"}
    assert sorted(fake.asked) == [("w0", ("bond0",)), ("w1", ("bond0",))]
    assert fake.closed


def test_live_unreachable_node_is_exit_3(cli, policy, monkeypatch):
    import bondcheck.transport.factory as factory

    fake = _FakeTransport({"w0": scenarios.healthy_text()})
    monkeypatch.setattr(factory, "make_transport", lambda via, opts: fake)
    result = cli("verify", "--policy-file", policy, "--via", "ssh", "--node", "w0", "--node",
                 "w9")  # fmt: skip
    assert result.exit_code == 3
    assert "w9: evidence could not be collected: w9: ssh: connect timed out" in result.stdout
    assert "[w9] evidence not collected" in result.stderr  # progress line on stderr
