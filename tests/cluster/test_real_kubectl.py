"""The real kubectl against the API server stand-in (marker ``real_kubectl``).

What this proves: the real kubectl drives the stand-in through TLS, bearer-token auth, aggregated
discovery, GETs, the debug pod's creation (protobuf), list+watch, attach over the WebSocket
``v5.channel.k8s.io`` protocol and delete; the command really runs where the pod's nodeName
says (this machine with a served bond file here; the QEMU lab's real kernels in
test_lab_real_kubectl below); bondcheck's kubectl-debug transport turns the real kubectl's
output and errors into its evidence and one-line errors (RBAC 403, unknown node, a kubectl
older than 1.30 without ``--profile=sysadmin``) and deletes exactly the pods it made. What it
does not prove: a real API server, kubelet or container runtime (none can run here); the
stand-in starts the pod's command when kubectl attaches (standins/pods.py says why).

Runs wherever a kubectl binary is on PATH and fails (never skips) when one is but the path
breaks. The 1.29 case needs a kubectl 1.29 binary: gcloud's layout ships one beside its
dispatcher (``kubectl.1.29``), which is what these machines have.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
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
    # kubectl debug node/X reads the node first: RBAC's Status for that get, word for word.
    user = "system:serviceaccount:netops:bond-audit"
    server.fail(r"^/api/v1/nodes/worker-0$", 403, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'nodes "worker-0" is forbidden: User "{user}" cannot get resource "nodes" '
                   'in API group "" at the cluster scope',
        "reason": "Forbidden", "details": {"name": "worker-0", "kind": "nodes"}, "code": 403,
    })  # fmt: skip
    with pytest.raises(CollectError) as caught:
        _transport(kubeconfig, str(KUBECTL)).collect(NodeTarget("worker-0"), ["bond0"], 60)
    assert str(caught.value) == f"worker-0: forbidden: {user} cannot get nodes at the cluster scope"
    assert not [p for m, p in server.requests if m == "POST"]  # refused before any pod


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


PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
BOND_TEXT = (PROCFS / "ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt").read_text()


def test_real_kubectl_debug_pod_collects_and_is_deleted(
    tls_apiserver, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Create (protobuf), watch, attach (WebSocket v5), delete: the evidence is the served
    bond file, read by the collection script in the pod's command, and no pod is left."""
    from standins.fixtures import serve_bonding

    server, kubeconfig = tls_apiserver
    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    ev = _transport(kubeconfig, str(KUBECTL)).collect(NodeTarget("worker-0"), ["bond0"], 60)
    assert ev.bonds == {"bond0": BOND_TEXT}
    assert ev.transport == "kubectl-debug" and ev.ip_addr is not None
    created = [p for m, p in server.requests if m == "POST"]
    deleted = [p for m, p in server.requests if m == "DELETE"]
    assert created == ["/api/v1/namespaces/default/pods"]
    assert len(deleted) == 1 and "/pods/node-debugger-worker-0-" in deleted[0]
    assert server.store.list("pods", namespace="default") == []
    attach = [p for m, p in server.requests if m == "GET" and "/attach?" in p]
    assert len(attach) == 1 and "container=debugger" in attach[0]


def test_verify_via_the_real_kubectl_end_to_end(tls_apiserver, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The operator's command line, as a process: bondcheck reads the NNCP and nodes through
    the Python client, collects each node with the real kubectl, judges, and cleans up."""
    import os
    import sys

    from standins.fixtures import serve_bonding

    server, kubeconfig = tls_apiserver
    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDCHECK_")}
    env["BONDCHECK_STANDIN_BONDING_DIR"] = os.environ["BONDCHECK_STANDIN_BONDING_DIR"]
    proc = subprocess.run(
        [sys.executable, "-m", "bondcheck", "verify", "--policy", "bond0-lacp",
         "--via", "kubectl-debug", "--kubeconfig", str(kubeconfig), "--kubectl", str(KUBECTL),
         "--node", "worker-0", "--node", "worker-1", "-o", "json"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    report = json.loads(proc.stdout)
    assert [n["node"] for n in report["nodes"]] == ["worker-0", "worker-1"]
    for node in report["nodes"]:
        assert node["error"] is None, node["error"]  # collected through the real kubectl
        assert node["transport"] == "kubectl-debug"
        present = [r for r in node["results"] if r["check"] == "BOND-PRESENT"]
        assert [r["status"] for r in present] == ["pass"]
    assert proc.returncode == 1  # the corpus bond's ports are not bond0-lacp's ens1f0/ens1f1
    assert server.store.list("pods", namespace="default") == []
    assert len([p for m, p in server.requests if m == "DELETE"]) == 2


def test_a_hanging_attach_times_out_in_one_line_and_the_pod_is_deleted(
    tls_apiserver, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from standins.fixtures import serve_bonding

    server, kubeconfig = tls_apiserver
    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    server.fail(r"/attach$", 0, delay=30)  # the attach answers only after 30 s
    with pytest.raises(CollectError) as caught:
        _transport(kubeconfig, str(KUBECTL)).collect(NodeTarget("worker-0"), ["bond0"], 4)
    message = str(caught.value)
    assert message.startswith("worker-0: ") and "\n" not in message
    assert message == "worker-0: kubectl debug gave no result within 4s; debug pod removed"
    # found by its nonce and deleted: Terminating (its container may still run), then gone
    terminating = server.store.list("pods", namespace="default")
    assert [("deletionTimestamp" in p["metadata"]) for p in terminating] == [True]
    time.sleep(server.termination_delay + 0.5)
    assert server.store.list("pods", namespace="default") == []
