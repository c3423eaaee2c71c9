"""The real kubectl against the API server stand-in (marker ``real_kubectl``).

What this proves: the stand-in is faithful enough for the real client-go in kubectl for TLS,
bearer-token auth, legacy discovery and GETs (the same objects the kubernetes Python client
reads), and bondcheck's kubectl-debug transport turns what the real kubectl prints into its
one-line errors: RBAC 403, an unknown node, and a kubectl older than 1.30 that has no
``--profile=sysadmin``. What it does not prove yet: creating, attaching to and deleting a
debug pod through the real kubectl. kubectl sends the new pod as protobuf, which the stand-in
does not decode (it answers 415; see its do_POST), so that part still runs only against the
kubectl stand-in (tests/cluster/test_kubectl_debug.py). There is no real API server here.

Runs wherever a kubectl binary is on PATH and fails (never skips) when one is but the path
breaks. The 1.29 case needs a kubectl 1.29 binary: gcloud's layout ships one beside its
dispatcher (``kubectl.1.29``), which is what these machines have.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.fixtures import HEALTHY_CLUSTER

from bondcheck.errors import CollectError
from bondcheck.model import NodeTarget
from bondcheck.transport.kubectl_debug import KubectlDebugTransport
from bondcheck.transport.options import TransportOptions

KUBECTL = shutil.which("kubectl")
pytestmark = [
    pytest.mark.real_kubectl,
    pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH"),
]


@pytest.fixture
def tls_apiserver(tmp_path: Path) -> Iterator[tuple[ApiServerStandIn, Path]]:
    # 1.32: gcloud's kubectl dispatcher then runs kubectl 1.32 (the one the issue names).
    server = ApiServerStandIn(tls=True, minor_version="32").start()
    server.store.load(*HEALTHY_CLUSTER)
    try:
        yield server, server.write_kubeconfig(tmp_path / "kubeconfig")
    finally:
        server.stop()


def _kubectl(
    kubeconfig: Path, *args: str, binary: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run([binary or str(KUBECTL), "--kubeconfig", str(kubeconfig), *args],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


def test_real_kubectl_reads_nodes_and_nncps_from_the_standin(tls_apiserver) -> None:  # type: ignore[no-untyped-def]
    server, kubeconfig = tls_apiserver
    nodes = _kubectl(kubeconfig, "get", "nodes", "-o", "json")
    assert nodes.returncode == 0, nodes.stderr
    names = [n["metadata"]["name"] for n in json.loads(nodes.stdout)["items"]]
    assert names == ["master-0", "worker-0", "worker-1", "worker-2"]
    nncp = _kubectl(kubeconfig, "get", "nncp", "bond0-lacp", "-o", "json")
    assert nncp.returncode == 0, nncp.stderr
    assert json.loads(nncp.stdout)["spec"]["nodeSelector"] == {"node-role.kubernetes.io/worker": ""}
    paths = server.paths()
    assert "/api" in [p.split("?")[0] for p in paths]  # discovery came first
    assert any(p.startswith("/apis/nmstate.io/v1/nodenetworkconfigurationpolicies/bond0-lacp")
               for p in paths)  # fmt: skip


def test_real_kubectl_gets_no_token_over_plain_http(tmp_path: Path) -> None:
    """Why the stand-in serves TLS for kubectl: client-go sends no bearer token to http://."""
    server = ApiServerStandIn().start()
    try:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        result = _kubectl(kubeconfig, "get", "nodes")
    finally:
        server.stop()
    assert result.returncode != 0
    assert "provide credentials" in result.stderr or "Unauthorized" in result.stderr


def _transport(kubeconfig: Path, binary: str) -> KubectlDebugTransport:
    return KubectlDebugTransport(TransportOptions(kubeconfig=str(kubeconfig), kubectl=binary))


def test_rbac_denial_from_the_real_kubectl_is_one_line(tls_apiserver) -> None:  # type: ignore[no-untyped-def]
    server, kubeconfig = tls_apiserver
    server.fail(r"^/api/v1/nodes/worker-0$", 403, "status-403-forbidden-get-nns-by-name")
    with pytest.raises(CollectError) as caught:
        _transport(kubeconfig, str(KUBECTL)).collect(NodeTarget("worker-0"), ["bond0"], 60)
    message = str(caught.value)
    assert message.startswith("worker-0: ") and "forbidden" in message.lower()
    assert "\n" not in message


def test_an_unknown_node_from_the_real_kubectl(tls_apiserver) -> None:  # type: ignore[no-untyped-def]
    _, kubeconfig = tls_apiserver
    with pytest.raises(CollectError) as caught:
        _transport(kubeconfig, str(KUBECTL)).collect(NodeTarget("worker-9"), ["bond0"], 60)
    assert str(caught.value) == "worker-9: node worker-9 not found"


def _kubectl_129() -> str | None:
    found = shutil.which("kubectl.1.29")
    if found:
        return found
    sibling = Path(str(KUBECTL)).resolve().parent / "kubectl.1.29"
    return str(sibling) if sibling.is_file() else None


def test_kubectl_older_than_1_30_is_named_as_the_problem(tls_apiserver) -> None:  # type: ignore[no-untyped-def]
    """kubectl 1.29 answers `unknown profile: sysadmin` after reading the node; bondcheck
    says what is needed instead of echoing it."""
    binary = _kubectl_129()
    if binary is None:
        pytest.skip("no kubectl 1.29 binary beside the kubectl on PATH")
    version = _kubectl(tls_apiserver[1], "version", "--client", "-o", "json", binary=binary)
    assert json.loads(version.stdout)["clientVersion"]["minor"] == "29"
    with pytest.raises(CollectError) as caught:
        _transport(tls_apiserver[1], binary).collect(NodeTarget("worker-0"), ["bond0"], 60)
    message = str(caught.value)
    assert message.startswith("worker-0: this kubectl is older than 1.30")
    assert "--via oc-debug" in message
    # kubectl 1.29 refuses before creating anything; bondcheck still looked for its pod.
    assert not [p for p in tls_apiserver[0].requests if p[0] == "POST"]
