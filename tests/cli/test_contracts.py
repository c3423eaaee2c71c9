"""Contracts CI systems depend on: zero checks is never green, one count in every format,
and a message names the option the way the operator gave it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from .test_verify import _one_error_line, _verify


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--only", "LACP-PARTNER", "--skip", "lacp-partner"], None, "--only/--skip"),
        (["--skip", "LACP-PARTNER"], {"BONDCHECK_ONLY": "LACP-PARTNER"}, "BONDCHECK_ONLY/--skip"),
        (["--only", "EVIDENCE-PARSE"], None, "--only/--skip"),  # reported, never "run"
    ],
)
def test_a_selection_that_runs_no_check_is_a_usage_error(cli, capture, policy, args, env, named):
    result = _verify(cli, policy, capture(worker_0="healthy"), *args, env=env)
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert f"{named} leave no check to run" in line
    assert result.stdout == ""


def test_a_node_on_which_every_selected_check_skipped_is_skip_in_every_format(cli, capture, policy):
    """Offline there is no NNCE, so POLICY-ENACTMENT alone skips: the node is not PASS."""
    root = capture(worker_0="healthy")
    args = ("--only", "POLICY-ENACTMENT")
    table = _verify(cli, policy, root, *args)
    assert table.exit_code == 0
    assert "SKIP" in table.stdout and "1 skip" in table.stdout and "1 pass" not in table.stdout
    data = json.loads(_verify(cli, policy, root, *args, "-o", "json").stdout)
    assert data["nodes"][0]["status"] == "skip"
    assert data["summary"] == {"nodes": 1, "pass": 0, "warn": 0, "fail": 0, "skip": 1, "error": 0}
    markdown = _verify(cli, policy, root, *args, "-o", "markdown").stdout
    assert "**SKIP**" in markdown and "1 skip" in markdown
    junit = ET.fromstring(_verify(cli, policy, root, *args, "-o", "junit").stdout)
    suite = junit.find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["node_status"] == "skip"


def test_a_node_not_collected_counts_one_error_in_every_format(cli, capture, policy):
    root = capture(worker_9="error")
    data = json.loads(_verify(cli, policy, root, "-o", "json").stdout)
    assert data["nodes"][0]["counts"]["error"] == 1
    assert data["summary"]["error"] == 1
    markdown = _verify(cli, policy, root, "-o", "markdown").stdout
    row = next(line for line in markdown.splitlines() if line.startswith("| worker-9 "))
    assert row.endswith("| 0 | 0 | 0 | 0 | 1 |")
    junit = ET.fromstring(_verify(cli, policy, root, "-o", "junit").stdout)
    assert junit.get("errors") == "1"
    table = _verify(cli, policy, root).stdout
    row = next(line for line in table.splitlines() if line.lstrip().startswith("worker-9"))
    assert row.split()[-5:] == ["0", "0", "0", "0", "1"]


def test_a_value_from_the_environment_is_named_as_such(cli, capture, policy):
    result = _verify(cli, policy, capture(worker_0="healthy"), env={"BONDCHECK_VIA": "oc-debug"})
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert "--from-dir reads saved evidence; it cannot be combined with BONDCHECK_VIA oc-debug" in (
        line
    )


def test_no_kubeconfig_says_what_to_pass_instead(cli, capture, policy, tmp_path):
    """Runs that need a cluster only because of how they were asked say so, and the way out."""
    env = {"HOME": str(tmp_path), "KUBECONFIG": None}
    root = capture(worker_0="healthy")
    by_name = cli("verify", "--policy", "worker-bond-lacp", "--from-dir", str(root), env=env)
    assert by_name.exit_code == 2
    line = _one_error_line(by_name)
    assert "no kubeconfig found" in line and "pass --policy-file FILE" in line
    ssh = cli("verify", "--policy-file", policy, "--via", "ssh", env=env)
    assert ssh.exit_code == 2
    line = _one_error_line(ssh)
    assert "no kubeconfig found" in line and "name them with --node NAME instead" in line
