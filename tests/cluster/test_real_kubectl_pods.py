"""What the real kubectl taught the API server stand-in about debug pods (marker
``real_kubectl``): aggregated discovery, a pod that becomes Running over a live watch, the log
fallback after a failed command, a container that never starts, and RBAC on the pod create.
Each is driven by the real kubectl on PATH and fails, never skips, when it is there."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from standins.apiserver import ApiServerStandIn
from standins.exec_stream import default_exec_handler
from standins.fixtures import HEALTHY_CLUSTER, serve_bonding

from bondcheck.errors import CollectError
from bondcheck.model import NodeTarget
from bondcheck.transport.kubectl_debug import KubectlDebugTransport
from bondcheck.transport.options import TransportOptions

KUBECTL = shutil.which("kubectl")
pytestmark = [
    pytest.mark.real_kubectl,
    pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH"),
]
PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
BOND_TEXT = (PROCFS / "ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt").read_text()


def _server(tmp_path: Path, **kwargs: Any) -> tuple[ApiServerStandIn, Path]:
    server = ApiServerStandIn(tls=True, minor_version="32", **kwargs).start()
    server.store.load(*HEALTHY_CLUSTER)
    return server, server.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[tuple[ApiServerStandIn, Path]]:
    server, kubeconfig = _server(tmp_path)
    try:
        yield server, kubeconfig
    finally:
        server.stop()


def _transport(kubeconfig: Path) -> KubectlDebugTransport:
    return KubectlDebugTransport(TransportOptions(kubeconfig=str(kubeconfig), kubectl=KUBECTL))


def _kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(KUBECTL), "--kubeconfig", str(kubeconfig), *args],
                          capture_output=True, text=True, timeout=60, check=False)  # fmt: skip


def test_kubectl_takes_the_aggregated_discovery_of_a_1_32_server(standin) -> None:  # type: ignore[no-untyped-def]
    """One request each for /api and /apis answers every mapping: no per-group lists."""
    server, kubeconfig = standin
    result = _kubectl(kubeconfig, "get", "nnce", "-o", "name")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "nodenetworkconfigurationenactment.nmstate.io/worker-0.bond0-lacp"
    ]
    paths = [p.split("?")[0] for p in server.paths()]
    assert paths[paths.index("/api") :] == [
        "/api",
        "/apis",
        "/apis/nmstate.io/v1beta1/nodenetworkconfigurationenactments",
    ]


def test_the_debug_pod_runs_only_after_the_watch_said_so(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The pod is Pending, then ContainerCreating, then Running, one step a second: kubectl
    must follow the watch and attach only once the container runs."""
    phases: list[str] = []

    def handler(pod: dict[str, Any], container: str, command: list[str]) -> Any:
        state = pod["status"]["containerStatuses"][0]["state"]
        phases.append(f"{pod['status']['phase']}/{next(iter(state))}")
        return default_exec_handler(pod, container, command)

    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    server, kubeconfig = _server(tmp_path, pod_start_delay=1.0, exec_handler=handler)
    try:
        evidence = _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 60)
        events = server.store.events_after(0, "pods", "default", 0)
    finally:
        server.stop()
    assert evidence.bonds == {"bond0": BOND_TEXT}
    assert phases == ["Running/running"]
    seen = []
    for _, event, pod in events:
        states = pod["status"].get("containerStatuses") or [{"state": {"none": {}}}]
        state = states[0]["state"]
        detail = next(iter(state.values())).get("reason") or next(iter(state))
        seen.append((event, pod["status"]["phase"], detail))
    assert seen == [
        ("ADDED", "Pending", "none"),
        ("MODIFIED", "Pending", "ContainerCreating"),
        ("MODIFIED", "Running", "running"),
        ("MODIFIED", "Succeeded", "Completed"),
        ("DELETED", "Succeeded", "Completed"),
    ]
    watches = [p for p in server.paths() if "watch=true" in p]
    assert len(watches) == 1 and "resourceVersion=4400001" in watches[0]


def test_a_failing_command_falls_back_to_the_log_and_stays_one_line(tmp_path: Path) -> None:
    """When the command exits non-zero, the real kubectl reads the container's log and prints
    the output a second time; a node whose chroot cannot run sh is one line in bondcheck."""

    def no_shell(pod: dict[str, Any], container: str, command: list[str]) -> Any:
        assert command[:3] == ["chroot", "/host", "sh"]
        text = "chroot: can't execute 'sh': No such file or directory"
        return default_exec_handler(pod, container, ["sh", "-c", f'echo "{text}" >&2; exit 127'])

    server, kubeconfig = _server(tmp_path, exec_handler=no_shell)
    try:
        with pytest.raises(CollectError) as caught:
            _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 60)
        logs = [p for p in server.paths() if "/log?" in p]
        left = server.store.list("pods", namespace="default")
    finally:
        server.stop()
    # Not kubectl's "warning: couldn't attach ..., falling back to streaming logs" nor, as
    # before the stand-in served the log, "Error from server (NotFound)": the node's words.
    assert str(caught.value) == (
        "worker-0: kubectl debug failed: chroot: can't execute 'sh': No such file or directory"
    )
    # kubectl's fallback, then bondcheck's own look for the whole output (not there either)
    assert len(logs) == 2 and all(p.endswith("/log?container=debugger") for p in logs)
    assert left == []


def test_an_image_the_node_cannot_pull_is_named_in_the_timeout(tmp_path: Path) -> None:
    """kubectl waits for ever on a container in ImagePullBackOff, printing the kubelet's
    message as a warning; bondcheck's timeout error carries it and the pod is deleted."""
    backoff = 'Back-off pulling image "docker.io/library/busybox:1.36"'
    server, kubeconfig = _server(tmp_path, pull_error=backoff)
    # A colleague's debug session on the same node: bondcheck, which never learnt its own
    # pod's name (kubectl was killed), finds its pod by nonce and must leave this one alone.
    colleague = {"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": "node-debugger-worker-0-abcde", "namespace": "default"},
                 "spec": {"nodeName": "worker-0", "containers": [
                     {"name": "debugger", "image": "busybox:1.36", "command": ["chroot", "/host"]},
                 ]}}  # fmt: skip
    server.store.create(colleague)
    try:
        with pytest.raises(CollectError) as caught:
            _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 4)
        # Deleted, not yet gone: a pod that may still run is Terminating for a while.
        terminating = {p["metadata"]["name"]: "deletionTimestamp" in p["metadata"]
                       for p in server.store.list("pods", namespace="default")}  # fmt: skip
        time.sleep(server.termination_delay + 0.5)
        left = server.store.list("pods", namespace="default")
        deletes = [p for m, p in server.requests if m == "DELETE"]
    finally:
        server.stop()
    assert str(caught.value) == (
        "worker-0: kubectl debug gave no result within 4s, the debug container is waiting: "
        f"{backoff} (pass --image with an image the nodes can pull); debug pod removed"
    )
    assert sorted(terminating.values()) == [False, True]
    assert terminating["node-debugger-worker-0-abcde"] is False
    assert [p["metadata"]["name"] for p in left] == ["node-debugger-worker-0-abcde"]
    assert len(deletes) == 1 and "node-debugger-worker-0-abcde" not in deletes[0]


def test_rbac_denial_of_the_pod_create(standin) -> None:  # type: ignore[no-untyped-def]
    server, kubeconfig = standin
    server.fail(r"^/api/v1/namespaces/default/pods$", 403,
                "status-403-forbidden-pods-create-RECONSTRUCTED")  # fmt: skip
    with pytest.raises(CollectError) as caught:
        _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 60)
    assert str(caught.value) == (
        "worker-0: forbidden: system:serviceaccount:netops:bond-audit cannot create pods "
        "in namespace default"
    )
    assert server.store.list("pods", namespace="default") == []


def test_the_log_of_a_pod_whose_container_has_not_run(standin) -> None:  # type: ignore[no-untyped-def]
    """kubectl logs before the container ran: the kubelet's 400, word for word."""
    server, kubeconfig = standin
    spec = {"nodeName": "worker-0", "containers": [{"name": "c", "image": "x"}]}
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "waiting", "namespace": "default"}, "spec": spec}  # fmt: skip
    server.store.create(pod)
    result = _kubectl(kubeconfig, "logs", "waiting", "-c", "c")
    assert result.returncode == 1
    assert json.dumps(result.stderr.strip()) == json.dumps(
        'Error from server (BadRequest): container "c" in pod "waiting" is waiting to start: '
        "ContainerCreating"
    )


def test_spdy_is_not_served_and_says_so(standin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """kubectl's SPDY/3.1 path (forced here) is not implemented by the stand-in: the attach is
    refused with a Status naming that, not answered as if it were a pod create."""
    import os

    server, kubeconfig = standin
    env = {**os.environ, "KUBECTL_REMOTE_COMMAND_WEBSOCKETS": "false"}
    result = subprocess.run(
        [str(KUBECTL), "--kubeconfig", str(kubeconfig), "debug", "node/worker-0",
         "--profile=sysadmin", "--image=busybox:1.36", "--attach=true", "--stdin=false",
         "--tty=false", "--", "chroot", "/host", "sh", "-c", "echo out"],
        capture_output=True, text=True, timeout=60, env=env, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert "not SPDY/3.1" in result.stderr
    assert [m for m, p in server.requests if "/attach?" in p] == ["POST"]


def test_output_the_attach_missed_is_read_from_the_log(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A kubelet starts the container before kubectl attaches, and attach does not replay what
    was printed in between (kubernetes/kubernetes#27264): the real kubectl then prints the
    script's output without its beginning and exits 0. bondcheck reads the container's log."""
    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    server, kubeconfig = _server(tmp_path, attach_misses=64)
    try:
        evidence = _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 60)
        logs = [p for p in server.paths() if "/log?" in p]
        left = server.store.list("pods", namespace="default")
    finally:
        server.stop()
    assert evidence.bonds == {"bond0": BOND_TEXT} and evidence.kernel
    assert len(logs) == 1 and logs[0].endswith("/log?container=debugger")
    assert left == []


def test_a_whole_attach_reads_no_log(standin, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server, kubeconfig = standin
    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    evidence = _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 60)
    assert evidence.bonds == {"bond0": BOND_TEXT}
    assert [p for p in server.paths() if "/log?" in p] == []


def test_attach_streams_stdout_and_stderr_as_they_come(standin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Over v5.channel.k8s.io: the first line reaches kubectl's stdout while the command
    still runs, stderr reaches its stderr, and the exit status ends the session."""
    server, kubeconfig = standin
    argv = [str(KUBECTL), "--kubeconfig", str(kubeconfig), "debug", "node/worker-0",
            "--profile=sysadmin", "--image=busybox:1.36", "--attach=true", "--stdin=false",
            "--tty=false", "--", "chroot", "/host", "sh", "-c",
            "echo first; echo to-stderr >&2; sleep 3; echo second"]  # fmt: skip
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)  # fmt: skip
    try:
        assert proc.stdout is not None
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        first_at = time.monotonic() - start
        rest, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert lines[0].startswith("Creating debugging pod node-debugger-worker-0-")
    assert lines[1] == "first\n" and first_at < 3
    assert rest == "second\n" and proc.returncode == 0
    assert "to-stderr\n" in err
    pod = lines[0].split()[3]
    assert server.store.get("pods", pod, "default")["status"]["phase"] == "Succeeded"


def test_to_namespace_through_the_real_kubectl(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """--to-namespace becomes kubectl's -n: the pod is made, read and deleted there."""
    serve_bonding(tmp_path, monkeypatch, BOND_TEXT)
    server, kubeconfig = _server(tmp_path)
    opts = TransportOptions(kubeconfig=str(kubeconfig), kubectl=KUBECTL, to_namespace="netops")
    try:
        evidence = KubectlDebugTransport(opts).collect(NodeTarget("worker-1"), ["bond0"], 60)
        requests = list(server.requests)
        left = server.store.list("pods", namespace="netops")
    finally:
        server.stop()
    assert evidence.bonds == {"bond0": BOND_TEXT}
    assert [p for m, p in requests if m == "POST"] == ["/api/v1/namespaces/netops/pods"]
    deletes = [p for m, p in requests if m == "DELETE"]
    assert len(deletes) == 1
    assert deletes[0].startswith("/api/v1/namespaces/netops/pods/node-debugger-worker-1-")
    assert left == []


def test_podsecurity_refusing_the_pod_names_the_fix(standin) -> None:  # type: ignore[no-untyped-def]
    """PodSecurity's denial is a 403 as well: the real kubectl prints it as `Error from server
    (Forbidden): … violates PodSecurity …`, which bondcheck once reported as a bare RBAC-style
    "forbidden"; it is the namespace that needs changing."""
    server, kubeconfig = standin
    server.fail(r"^/api/v1/namespaces/default/pods$", 403,
                "status-403-forbidden-podsecurity-baseline-RECONSTRUCTED")  # fmt: skip
    with pytest.raises(CollectError) as caught:
        _transport(kubeconfig).collect(NodeTarget("worker-0"), ["bond0"], 60)
    assert str(caught.value) == (
        "worker-0: PodSecurity rejected the debug pod; pass --to-namespace with a namespace "
        "labelled pod-security.kubernetes.io/enforce=privileged"
    )
