"""The agent's evaluation loop in process: what it serves when evaluations fail, and the
policy and evidence sources' edge cases (a file narrowed by --policy, an API that serves no
NNCP version, a kernel read that hangs)."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn

from bondcheck.agent.serve import Agent
from bondcheck.agent.sources import ApiPolicies, CaptureTree, FilePolicies, LocalKernel
from bondcheck.errors import CollectError, PolicyError
from bondcheck.kube.cluster import Cluster
from bondcheck.kube.rest import ServiceAccountApi
from bondcheck.model import NodeFailure, Policy, Rendering

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"


class Flaky:
    """Policies from the lab file, failing on the evaluations listed in ``fail_on``."""

    def __init__(self, fail_on: Sequence[int]) -> None:
        self.calls = 0
        self.fail_on = set(fail_on)

    def policies(self) -> list[Policy]:
        self.calls += 1
        if self.calls in self.fail_on:
            raise CollectError("forbidden: cannot list nodenetworkconfigurationpolicies")
        return FilePolicies(str(POLICY)).policies()

    def rendering(self, policy: Policy) -> Rendering | None:
        return None


def test_the_last_good_verdicts_stay_served_and_failures_are_logged_once(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "fixtures" / "captures" / "lab" / "healthy-802.3ad", tree / "worker-0")
    lines: list[str] = []
    agent = Agent(Flaky([2, 3]), CaptureTree(str(tree), "worker-0"), interval=60, log=lines.append)
    agent.evaluate_once()
    good = agent.state.body
    assert (
        b'bondcheck_node_status{node="worker-0",policy="lab-bond0-802.3ad",status="pass"} 1.0'
        in good
    )
    agent.evaluate_once()
    agent.evaluate_once()
    assert agent.state.body == good  # still the last good verdicts
    assert (agent.state.evaluations, agent.state.failures) == (3, 2)
    assert [ln for ln in lines if "evaluation failed" in ln] == [
        "bondcheck agent: evaluation failed: forbidden: cannot list "
        "nodenetworkconfigurationpolicies"
    ]  # the same reason twice is said once
    agent.evaluate_once()  # recovered: a new body, counting every evaluation and failure
    assert b"bondcheck_agent_evaluations_total 4.0" in agent.state.body
    assert b"bondcheck_agent_evaluation_failures_total 2.0" in agent.state.body
    assert agent.healthy()


def test_policy_names_narrow_a_file_and_an_unknown_name_is_a_policy_error() -> None:
    assert [p.name for p in FilePolicies(str(POLICY), names=("lab-bond0-802.3ad",)).policies()] == [
        "lab-bond0-802.3ad"
    ]
    with pytest.raises(PolicyError, match="no policy named 'nope'"):
        FilePolicies(str(POLICY), names=("nope",)).policies()


def test_an_api_serving_no_nncp_version_is_one_policy_error(tmp_path: Path) -> None:
    server = ApiServerStandIn(nncp_versions=()).start()
    try:
        (tmp_path / "token").write_text(server.token)
        cluster = Cluster(api=ServiceAccountApi(server.url, str(tmp_path)))
        server.store.load("nodes/nodelist-workers-0-2-master-0.yaml")
        with pytest.raises(PolicyError, match=r"serves no nmstate\.io NNCP API"):
            ApiPolicies(cluster, "worker-0").policies()
    finally:
        server.stop()


def test_a_kernel_read_that_hangs_is_a_node_failure_not_a_stuck_agent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A `sh` that never ends stands for any stuck command of the collection script.
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    sh = tmp_path / "sh"
    sh.write_text("#!/bin/bash\nsleep 30\n")
    sh.chmod(0o755)
    item = LocalKernel("worker-0", timeout=1.0).evidence(["bond0"])
    assert isinstance(item, NodeFailure)
    assert item.message == "worker-0: reading the kernel took longer than 1s"
