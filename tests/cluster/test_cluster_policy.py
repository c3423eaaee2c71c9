"""Cluster.get_policy against the API stand-in: versions, 401/403/404/500, network failures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.store import load_documents

from bondcheck.errors import CollectError, PolicyError
from bondcheck.kube.cluster import Cluster

NNCP_PATH = "/apis/nmstate.io/{}/nodenetworkconfigurationpolicies/bond0-lacp"


def test_v1_policy_is_read_and_normalised(apiserver: ApiServerStandIn, kubeconfig: Path) -> None:
    policy = Cluster(str(kubeconfig)).get_policy("bond0-lacp")
    assert policy.name == "bond0-lacp"
    assert policy.document["apiVersion"] == "nmstate.io/v1"
    assert policy.source == "cluster"
    assert policy.generation == 1
    assert dict(policy.node_selector) == {"node-role.kubernetes.io/worker": ""}
    (bond,) = policy.bonds
    assert (bond.name, bond.mode, bond.ports) == ("bond0", "802.3ad", ("ens1f0", "ens1f1"))
    assert bond.options["miimon"] == 100  # "100" in the NNCP, normalised by the loader
    assert apiserver.paths() == [NNCP_PATH.format("v1")]


def test_falls_back_to_v1beta1_when_v1_is_not_served(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    apiserver.nncp_versions = ("v1beta1",)
    cluster = Cluster(str(kubeconfig))
    obj = cluster.policy_object("bond0-lacp")
    # What the stand-in converted is byte-for-byte the corpus' v1beta1 read of the object.
    assert obj == load_documents("nncp/bond0-lacp-v1beta1.yaml")[0]
    policy = cluster.get_policy("bond0-lacp")
    assert policy.document["apiVersion"] == "nmstate.io/v1beta1"
    assert policy.bonds[0].ports == ("ens1f0", "ens1f1")
    assert apiserver.paths()[:2] == [NNCP_PATH.format("v1"), NNCP_PATH.format("v1beta1")]


def test_falls_back_to_v1alpha1_on_2019_clusters(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    apiserver.nncp_versions = ("v1alpha1",)
    policy = Cluster(str(kubeconfig)).get_policy("bond0-lacp")
    assert policy.document["apiVersion"] == "nmstate.io/v1alpha1"
    assert [p.split("/")[3] for p in apiserver.paths()] == ["v1", "v1beta1", "v1alpha1"]


def test_missing_policy_is_policy_error_without_trying_older_versions(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    with pytest.raises(PolicyError) as err:
        Cluster(str(kubeconfig)).get_policy("bond1-lacp")
    assert str(err.value) == "NNCP bond1-lacp not found"
    assert err.value.exit_code == 2
    assert len(apiserver.paths()) == 1


def test_no_nmstate_api_at_all(apiserver: ApiServerStandIn, kubeconfig: Path) -> None:
    apiserver.nncp_versions = ()
    with pytest.raises(PolicyError, match="is kubernetes-nmstate installed"):
        Cluster(str(kubeconfig)).get_policy("bond0-lacp")


def test_invalid_policy_name_never_reaches_the_api(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    with pytest.raises(PolicyError, match="not a valid Kubernetes name"):
        Cluster(str(kubeconfig)).get_policy("../../api/v1/secrets")
    assert apiserver.paths() == []


def test_401_is_one_line_and_never_shows_the_token(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    with pytest.raises(CollectError) as err:
        Cluster(str(kubeconfig), "wrong-token").get_policy("bond0-lacp")
    text = str(err.value)
    assert text == "unauthorized: log in again (oc login / check the kubeconfig token)"
    assert err.value.exit_code == 3
    assert "expiredTokenValue" not in text and apiserver.token not in text


def test_403_names_user_verb_and_resource(apiserver: ApiServerStandIn, kubeconfig: Path) -> None:
    apiserver.fail(
        "nodenetworkconfigurationpolicies", 403, "status-403-forbidden-list-nncp-cluster-scope"
    )
    with pytest.raises(CollectError) as err:
        Cluster(str(kubeconfig)).get_policy("bond0-lacp")
    assert str(err.value) == (
        "forbidden: system:serviceaccount:netops:bond-audit cannot list "
        "nodenetworkconfigurationpolicies.nmstate.io at the cluster scope"
    )
    assert "\n" not in str(err.value)


def test_500_is_one_line_with_the_server_reason(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    apiserver.fail(
        "nodenetworkconfigurationpolicies", 500, "status-500-internal-error-RECONSTRUCTED"
    )
    with pytest.raises(CollectError) as err:
        Cluster(str(kubeconfig)).get_policy("bond0-lacp")
    assert str(err.value) == (
        "Kubernetes API error while trying to get NNCP bond0-lacp: "
        "Internal error occurred: etcdserver: request timed out (500)"
    )


def test_connection_refused_is_collect_error(apiserver: ApiServerStandIn, kubeconfig: Path) -> None:
    apiserver.stop()
    with pytest.raises(CollectError) as err:
        Cluster(str(kubeconfig)).get_policy("bond0-lacp")
    assert "connection refused" in str(err.value)
    assert "http://127.0.0.1:" in str(err.value)
    assert err.value.exit_code == 3


def test_slow_api_times_out_once_without_retrying(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    apiserver.fail("nodenetworkconfigurationpolicies", 0, delay=3.0)
    cluster = Cluster(str(kubeconfig), request_timeout=(2.0, 0.5))
    start = time.monotonic()
    with pytest.raises(CollectError, match="did not answer in time"):
        cluster.get_policy("bond0-lacp")
    assert time.monotonic() - start < 2.0  # one 0.5 s read timeout, no retries
    assert len(apiserver.paths()) == 1


def test_tls_failure_is_one_line_collect_error(apiserver: ApiServerStandIn, tmp_path: Path) -> None:
    # An https:// kubeconfig pointed at the plain-HTTP stand-in: the TLS handshake fails.
    kubeconfig = apiserver.write_kubeconfig(tmp_path / "kubeconfig")
    kubeconfig.write_text(kubeconfig.read_text().replace("http://", "https://"))
    with pytest.raises(CollectError) as err:
        Cluster(str(kubeconfig)).get_policy("bond0-lacp")
    assert str(err.value).startswith("TLS error talking to https://127.0.0.1:")
    assert "\n" not in str(err.value)
