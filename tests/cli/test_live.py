"""The live branch of a run (bondcheck.live) with a stand-in cluster and transport.

No network: the cluster answers node selection, enactments and rendered policies from memory
and the transport returns real kernel text, so what is tested is the wiring: which nodes are
collected, that NNCE conditions reach POLICY-ENACTMENT, that a templated policy is judged per
node, and that warnings reach the operator.
"""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
import yaml

import bondcheck.kube.cluster as cluster_mod
import bondcheck.transport.factory as factory
from bondcheck.errors import CollectError, InputError
from bondcheck.judge import exit_code
from bondcheck.kube.cluster import NodeSelection
from bondcheck.model import Enactment, NodeTarget, Status
from bondcheck.policy.loader import load_policy_file
from bondcheck.progress import NullReporter
from bondcheck.run import VerifyRequest, gather, verify
from bondcheck.transport.base import Transport

from . import scenarios


class FakeCluster:
    def __init__(self, nodes, *, enactment="Available", warnings=(), rendered=None):
        self.nodes = nodes
        self.enactment = enactment
        self.warnings = warnings
        self.rendered = rendered or {}
        self.closed = False
        self.policy = load_policy_file(str(scenarios.POLICY))

    def get_policy(self, name):
        assert name == "worker-bond-lacp"
        return replace(self.policy, source="cluster")

    def select_nodes(self, policy, names=()):
        chosen = list(names) or list(self.nodes)
        return NodeSelection(tuple(NodeTarget(n) for n in chosen), tuple(self.warnings))

    def enactments(self, policy, nodes=()):
        return {n: Enactment(node=n, policy=policy.name, status=self.enactment) for n in nodes}

    def rendered_state(self, policy, node):
        if node not in self.rendered:
            raise CollectError(f"{node}: NNCE has no rendered desiredState yet")
        return self.rendered[node]

    def close(self):
        self.closed = True


class FakeTransport(Transport):
    name = "handler-exec"
    default_concurrency = 2

    def __init__(self, texts):
        self.texts = texts
        self.collected: list[str] = []

    def collect(self, target, bonds, timeout):
        self.collected.append(target.name)
        return replace(scenarios.node(target.name, self.texts[target.name]), transport=self.name)

    def close(self):
        return None


@pytest.fixture
def wire(monkeypatch):
    def install(cluster: FakeCluster, transport: FakeTransport) -> None:
        monkeypatch.setattr(cluster_mod.Cluster, "from_options", classmethod(lambda c, o: cluster))
        monkeypatch.setattr(factory, "make_transport", lambda via, opts: transport)

    return install


def test_cluster_policy_nodes_and_enactments(wire):
    healthy = scenarios.healthy_text()
    cluster = FakeCluster(["w0", "w1"], warnings=("node w2 runs no nmstate handler pod",))
    transport = FakeTransport({"w0": healthy, "w1": healthy})
    wire(cluster, transport)
    notes: list[str] = []
    report = verify(
        VerifyRequest(policy_name="worker-bond-lacp", via="handler-exec"), notify=notes.append
    )
    assert sorted(transport.collected) == ["w0", "w1"]
    assert notes == ["node w2 runs no nmstate handler pod"]
    assert [n.status for n in report.nodes] == [Status.PASS, Status.PASS]
    enactment = [r for r in report.nodes[0].results if r.check == "POLICY-ENACTMENT"]
    assert [r.status for r in enactment] == [Status.PASS]  # the NNCE reached the check
    assert cluster.closed


def test_failing_enactment_fails_the_node(wire):
    healthy = scenarios.healthy_text()
    wire(FakeCluster(["w0"], enactment="Failing"), FakeTransport({"w0": healthy}))
    report = verify(VerifyRequest(policy_file=str(scenarios.POLICY), via="handler-exec"))
    statuses = {r.check: r.status for r in report.nodes[0].results}
    assert statuses["POLICY-ENACTMENT"] is Status.FAIL
    assert exit_code(report) == 1


def test_ssh_with_named_nodes_needs_no_cluster(monkeypatch, wire):
    def no_cluster(cls, opts):
        raise AssertionError("ssh with --node must not read the cluster")

    transport = FakeTransport({"h1": scenarios.healthy_text()})
    wire(FakeCluster([]), transport)
    monkeypatch.setattr(cluster_mod.Cluster, "from_options", classmethod(no_cluster))
    report = verify(VerifyRequest(policy_file=str(scenarios.POLICY), via="ssh", nodes=("h1",)))
    assert [n.node for n in report.nodes] == ["h1"]
    skipped = {r.check: r.status for r in report.nodes[0].results}
    assert skipped["POLICY-ENACTMENT"] is Status.SKIP  # no NNCE without a cluster


def test_templated_policy_is_judged_per_node(wire):
    policy = load_policy_file(str(scenarios.POLICY))
    rendering = yaml.safe_load(scenarios.POLICY.read_text())["spec"]["desiredState"]
    cluster = FakeCluster(["w0", "w1"], rendered={"w0": rendering})
    cluster.policy = replace(policy, templated=True)
    transport = FakeTransport({"w0": scenarios.healthy_text(), "w1": scenarios.healthy_text()})
    wire(cluster, transport)
    report = verify(VerifyRequest(policy_name="worker-bond-lacp", via="handler-exec"))
    assert transport.collected == ["w0"]  # w1 has no rendering: not collected, not guessed
    by_node = {n.node: n for n in report.nodes}
    assert [n.node for n in report.nodes] == ["w0", "w1"]
    assert by_node["w0"].status is Status.PASS
    assert by_node["w1"].status is Status.ERROR
    assert "no rendered desiredState" in (by_node["w1"].error or "")
    # Nothing failed to collect: the node was not judged, and every format says so.
    assert by_node["w1"].error_label == "not judged"
    from bondcheck.output import jsonfmt, markdown

    assert "**ERROR** not judged: " in markdown.render(report)
    node = next(n for n in json.loads(jsonfmt.render(report))["nodes"] if n["node"] == "w1")
    assert node["error_kind"] == "unrendered"
    # The rendering travels with the evidence, so `collect` can save it for offline verify.
    items = gather(VerifyRequest(policy_name="worker-bond-lacp", via="handler-exec"),
                   cluster.policy, NullReporter())[1]  # fmt: skip
    first = items[0].rendering
    assert (first.policy, first.desired_state) == (cluster.policy.name, rendering)


def test_a_policy_that_selects_no_node_is_an_input_error(wire):
    wire(FakeCluster([], warnings=("policy worker-bond-lacp matches no node",)), FakeTransport({}))
    with pytest.raises(InputError, match=r"no node to verify.*matches no node"):
        verify(VerifyRequest(policy_name="worker-bond-lacp", via="oc-debug"))
