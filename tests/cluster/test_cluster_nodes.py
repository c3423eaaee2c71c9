"""Cluster.select_nodes: nodeSelector equality, --node, handler pods, readiness."""

from __future__ import annotations

from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn

from bondcheck.errors import InputError
from bondcheck.kube.cluster import Cluster

WORKERS = ["worker-0", "worker-1", "worker-2"]


@pytest.fixture
def cluster(kubeconfig: Path) -> Cluster:
    return Cluster(str(kubeconfig))


def test_selector_picks_the_workers_with_their_internal_ip(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    policy = cluster.get_policy("bond0-lacp")
    selection = cluster.select_nodes(policy)
    assert [t.name for t in selection.targets] == WORKERS  # master-0 lacks the worker label
    assert [t.address for t in selection.targets] == ["10.0.8.21", "10.0.8.22", "10.0.8.23"]
    assert selection.targets[0].labels["node-role.kubernetes.io/worker"] == ""
    assert selection.warnings == ()
    node_lists = [p for p in apiserver.paths() if p.startswith("/api/v1/nodes")]
    assert node_lists[0] == "/api/v1/nodes?labelSelector=node-role.kubernetes.io%2Fworker%3D"


def test_empty_selector_targets_every_node(apiserver: ApiServerStandIn, cluster: Cluster) -> None:
    apiserver.store.load("nncp/bond0-eth1-eth2-up.yaml")
    policy = cluster.get_policy("bond0-eth1-eth2")
    names = [t.name for t in cluster.select_nodes(policy).targets]
    assert names == ["master-0", *WORKERS]


def test_node_without_handler_pod_is_left_out_with_a_warning(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    apiserver.store.remove("pods", "nmstate-handler-c8t5w", "nmstate")  # worker-2's handler
    selection = cluster.select_nodes(cluster.get_policy("bond0-lacp"))
    assert [t.name for t in selection.targets] == ["worker-0", "worker-1"]
    assert any(
        "worker-2 matches the nodeSelector but runs no nmstate handler" in w
        for w in selection.warnings
    )


def test_named_nodes_filter_and_override(apiserver: ApiServerStandIn, cluster: Cluster) -> None:
    policy = cluster.get_policy("bond0-lacp")
    selection = cluster.select_nodes(policy, ["worker-1", "master-0", "worker-1"])
    assert [t.name for t in selection.targets] == ["worker-1", "master-0"]
    assert selection.targets[1].address == "10.0.8.10"
    (warning,) = selection.warnings
    assert warning.startswith("node master-0 does not match the nodeSelector of bond0-lacp")


def test_unknown_named_node_is_an_input_error(cluster: Cluster) -> None:
    policy = cluster.get_policy("bond0-lacp")
    with pytest.raises(InputError) as err:
        cluster.select_nodes(policy, ["worker-0", "worker-9", "worker-7"])
    assert str(err.value) == "nodes worker-9, worker-7 not found"
    assert err.value.exit_code == 2


def test_invalid_named_node_is_rejected_before_any_request(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    policy = cluster.get_policy("bond0-lacp")
    before = len(apiserver.paths())
    with pytest.raises(InputError, match="not a valid Kubernetes name"):
        cluster.select_nodes(policy, ["worker-0", "--all"])
    assert len(apiserver.paths()) == before


def test_forbidden_cluster_wide_pod_list_falls_back_to_handler_namespaces(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    apiserver.fail(
        r"^/api/v1/pods$",
        403,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "reason": "Forbidden",
            "code": 403,
            "message": 'pods is forbidden: User "auditor" cannot list resource "pods" in API '
            'group "" at the cluster scope',
        },
    )
    selection = cluster.select_nodes(cluster.get_policy("bond0-lacp"))
    assert [t.name for t in selection.targets] == WORKERS
    assert selection.warnings == ()
    assert (
        "/api/v1/namespaces/nmstate/pods?labelSelector=component%3Dkubernetes-nmstate-handler"
        in apiserver.paths()
    )


def test_no_pod_access_at_all_keeps_every_node_and_says_why(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    apiserver.fail(r"/pods$", 403, "status-403-forbidden-anonymous-path-api-v1")
    selection = cluster.select_nodes(cluster.get_policy("bond0-lacp"))
    assert [t.name for t in selection.targets] == WORKERS
    (warning,) = selection.warnings
    assert warning.startswith("cannot tell which nodes run the nmstate handler (forbidden: ")


def test_not_ready_node_is_kept_with_a_warning(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    node = apiserver.store.get("nodes", "worker-1")
    assert node is not None
    for cond in node["status"]["conditions"]:
        if cond["type"] == "Ready":
            cond["status"] = "Unknown"
            cond["reason"] = "NodeStatusUnknown"
    apiserver.store.add(node)
    selection = cluster.select_nodes(cluster.get_policy("bond0-lacp"))
    assert [t.name for t in selection.targets] == WORKERS
    assert "node worker-1 is NotReady: collecting from it will likely fail" in selection.warnings


def test_policy_matching_nothing_says_so(apiserver: ApiServerStandIn, cluster: Cluster) -> None:
    for name in WORKERS:
        apiserver.store.remove("nodes", name)
    selection = cluster.select_nodes(cluster.get_policy("bond0-lacp"))
    assert selection.targets == ()
    assert selection.warnings == (
        "policy bond0-lacp matches no node (node-role.kubernetes.io/worker=)",
    )


def test_label_selector_narrows_the_policys_nodes(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    """-l/--selector on a live run: the policy's nodes (by its nodeSelector, from the API
    server stand-in) narrowed by kubectl's selector syntax, before any node is contacted."""
    from bondcheck.run import VerifyRequest, verify
    from bondcheck.transport.options import TransportOptions

    def nodes(selector: str) -> list[str]:
        request = VerifyRequest(
            policy_name="bond0-lacp",
            via="nns",
            selector=selector,
            options=TransportOptions(kubeconfig=str(kubeconfig)),
        )
        return [n.node for n in verify(request).nodes]

    zone = "failure-domain.beta.kubernetes.io/zone"
    assert nodes(f"{zone} in (us-west-1c)") == ["worker-2"]
    assert nodes(f"{zone}=us-west-1b,kubernetes.io/hostname!=worker-0") == ["worker-1"]
    assert nodes("kubernetes.io/os") == WORKERS  # master-0 is not the policy's node
    with pytest.raises(InputError, match=r"no node of policy bond0-lacp matches --selector"):
        nodes(f"{zone}=eu-central-1a")
    with pytest.raises(InputError, match=r"--selector: 'zone in' is not a label selector"):
        nodes("zone in")


def test_label_selector_needs_a_live_run(tmp_path: Path) -> None:
    from bondcheck.run import VerifyRequest, verify

    request = VerifyRequest(policy_file="p.yaml", from_dir=str(tmp_path), selector="a=b")
    with pytest.raises(InputError, match="a capture has no labels: name its nodes with --node"):
        verify(request)
