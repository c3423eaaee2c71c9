"""Enactments (NNCE) and rendered desired state, read from the stand-in and as pure functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.store import load_documents

from bondcheck.errors import CollectError
from bondcheck.kube.cluster import Cluster
from bondcheck.policy.desired import node_policy
from bondcheck.policy.nnce import enactment_from_object, failure_line


@pytest.fixture
def cluster(kubeconfig: Path) -> Cluster:
    return Cluster(str(kubeconfig))


@pytest.mark.parametrize(
    ("fixture", "node", "status", "reason", "message"),
    [
        (
            "worker-0.bond0-lacp-available",
            "worker-0",
            "Available",
            "SuccessfullyConfigured",
            "successfully reconciled",
        ),
        (
            "worker-1.bond0-lacp-failing",
            "worker-1",
            "Failing",
            "FailedToConfigure",
            "NmstateError: InvalidArgument: Ethernet interface ens1f1 does not exists",
        ),
        (
            "worker-1.bond0-lacp-progressing",
            "worker-1",
            "Progressing",
            "ConfigurationProgressing",
            "Applying desired state",
        ),
        (
            "worker-1.bond0-lacp-retrying",
            "worker-1",
            "Failing",
            "Retrying",
            "failed to reconcile NodeNetworkConfigurationPolicy on node worker-1. Retrying 3/5",
        ),
        (
            "worker-2.bond0-lacp-pending",
            "worker-2",
            "Pending",
            "MaxUnavailableLimitReached",
            "Waiting for progressing nodes to finish",
        ),
        (
            "worker-2.bond0-lacp-aborted",
            "worker-2",
            "Aborted",
            "ConfigurationAborted",
            'reconciliation of enactment "worker-2.bond0-lacp" has aborted',
        ),
    ],
)
def test_each_enactment_condition(
    apiserver: ApiServerStandIn,
    cluster: Cluster,
    fixture: str,
    node: str,
    status: str,
    reason: str,
    message: str,
) -> None:
    apiserver.store.load(f"nnce/{fixture}.yaml")
    policy = cluster.get_policy("bond0-lacp")
    found = cluster.enactments(policy)
    got = found[node]
    assert (got.node, got.policy, got.status, got.reason) == (node, "bond0-lacp", status, reason)
    assert got.message == message
    assert got.policy_generation == 1 and got.stale is False


def test_missing_nodes_and_stale_generation(apiserver: ApiServerStandIn, cluster: Cluster) -> None:
    apiserver.store.load("nnce/worker-1.bond0-lacp-progressing.yaml")
    apiserver.store.update("nodenetworkconfigurationpolicies", "bond0-lacp", metadata__generation=2)
    apiserver.store.update(
        "nodenetworkconfigurationenactments", "worker-1.bond0-lacp", status__policyGeneration=2
    )
    policy = cluster.get_policy("bond0-lacp")
    found = cluster.enactments(policy, ["worker-0", "worker-1", "worker-2"])
    assert found["worker-0"].status == "Available" and found["worker-0"].stale is True
    assert found["worker-1"].stale is False
    assert found["worker-2"].status == "Missing"
    assert (
        found["worker-2"].message is not None and "worker-2.bond0-lacp" in found["worker-2"].message
    )
    assert list(found) == ["worker-0", "worker-1", "worker-2"]


def test_enactments_are_listed_by_policy_label(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    apiserver.store.load("nnce/host1.host1-bond-data-legacy-failing.yaml")
    found = cluster.enactments(cluster.get_policy("bond0-lacp"))
    assert list(found) == ["worker-0"]  # the host1 NNCE belongs to another policy
    assert any("labelSelector=nmstate.io%2Fpolicy%3Dbond0-lacp" in p for p in apiserver.paths())


def test_legacy_heartbeat_typo_is_read() -> None:
    (obj,) = load_documents("nnce/host1.host1-bond-data-legacy-failing.yaml")
    assert "lastHearbeatTime" in obj["status"]["conditions"][0]
    got = enactment_from_object(obj, policy="host1-bond-data", generation=1)
    assert (got.node, got.status, got.reason) == ("host1", "Failing", "FailedToConfigure")
    assert got.message == (
        "NmstateLibnmError: Add profile: bond-data failed with error: "
        "invalid value 'lacp' for option 'mode' (7)"
    )


def test_unknown_condition_type_is_reported_verbatim() -> None:
    (obj,) = load_documents("nnce/worker-0.bond0-lacp-available.yaml")
    for cond in obj["status"]["conditions"]:
        cond["status"] = "False"
    obj["status"]["conditions"].append(
        {"type": "Paused", "status": "True", "reason": "UserRequest", "message": "paused"}
    )
    got = enactment_from_object(obj, policy="bond0-lacp", generation=1)
    assert (got.status, got.reason, got.message) == ("Paused", "UserRequest", "paused")


def test_no_true_condition_is_unknown() -> None:
    (obj,) = load_documents("nnce/worker-0.bond0-lacp-available.yaml")
    obj["status"]["conditions"][0]["status"] = "Unknown"
    got = enactment_from_object(obj, policy="bond0-lacp", generation=None)
    assert got.status == "Unknown" and got.stale is False


def test_failure_line_of_a_python_traceback_message() -> None:
    (obj,) = load_documents("nnce/node01.eth666-failing-nmstate-0.2.yaml")
    assert "Traceback (most recent call last)" in obj["status"]["conditions"][0]["message"]
    got = enactment_from_object(obj, policy="eth666", generation=None)
    assert (got.node, got.status, got.reason) == ("node01", "Failing", "FailedToConfigure")
    assert got.message == (
        "NmstateLibnmError: Unexpected failure of libnm when running the mainloop: run execution"
    )


def test_failure_line_fallbacks() -> None:
    assert failure_line("2020 root ERROR    NM main-loop aborted: x\n") == "NM main-loop aborted: x"
    assert failure_line("\n  first line\nsecond\n") == "first line"
    assert failure_line("") is None and failure_line(None) is None


def test_nnce_list_forbidden_is_collect_error(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    apiserver.fail(
        "nodenetworkconfigurationenactments",
        403,
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "reason": "Forbidden",
            "code": 403,
            "message": "nodenetworkconfigurationenactments.nmstate.io is forbidden: User "
            '"auditor" cannot list resource "nodenetworkconfigurationenactments" in '
            'API group "nmstate.io" at the cluster scope',
        },
    )
    policy = cluster.get_policy("bond0-lacp")
    with pytest.raises(
        CollectError,
        match=r"^forbidden: auditor cannot list "
        r"nodenetworkconfigurationenactments.nmstate.io at the cluster scope$",
    ):
        cluster.enactments(policy)


def test_templated_policy_takes_bonds_from_the_nodes_nnce(
    apiserver: ApiServerStandIn, cluster: Cluster
) -> None:
    apiserver.store.load(
        "nncp/bond0-captured-ports-RECONSTRUCTED.yaml",
        "nnce/worker-0.bond0-captured-ports-available-RECONSTRUCTED.yaml",
    )
    policy = cluster.get_policy("bond0-captured-ports")
    assert policy.templated is True
    state = cluster.rendered_state(policy, "worker-0")
    (bond,) = node_policy(policy, state, where="worker-0").bonds
    assert (bond.name, bond.mode, bond.ports) == ("bond0", "active-backup", ("ens1f0", "ens1f1"))
    assert bond.options["primary"] == "ens1f0"
    with pytest.raises(CollectError, match="worker-1: policy bond0-captured-ports is templated"):
        cluster.rendered_state(policy, "worker-1")


def test_nns_current_state_and_missing_nns(cluster: Cluster) -> None:
    state = cluster.nns_object("worker-0")["status"]["currentState"]
    assert [i["name"] for i in state["interfaces"]] == ["bond0", "eno1", "ens1f0", "ens1f1", "lo"]
    with pytest.raises(CollectError, match=r"^worker-1: no NodeNetworkState"):
        cluster.nns_object("worker-1")
