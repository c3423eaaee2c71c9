"""kubectl-debug against the ``kubectl`` stand-in: the pod kubectl leaves is always removed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from standins.fixtures import DebugCli, serve_bonding

from bondcheck.errors import CollectError
from bondcheck.model import NodeTarget
from bondcheck.transport.kubectl_debug import DEFAULT_IMAGE, KubectlDebugTransport
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.script import new_nonce

PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
BOND_TEXT = (PROCFS / "ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt").read_text()


@pytest.fixture
def bonding_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return serve_bonding(tmp_path, monkeypatch, BOND_TEXT)


def kubectl(**opts: str) -> KubectlDebugTransport:
    return KubectlDebugTransport(TransportOptions(**opts))  # type: ignore[arg-type]


def test_collect_then_delete_the_pod_by_name(debug_cli: DebugCli, bonding_dir: Path) -> None:
    ev = kubectl().collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert ev.bonds == {"bond0": BOND_TEXT}
    assert ev.transport == "kubectl-debug" and ev.notes == ()
    debug, delete = debug_cli.calls()
    assert debug[:6] == [
        "debug",
        "node/worker-0",
        "--profile=sysadmin",
        f"--image={DEFAULT_IMAGE}",
        "--attach=true",
        "--stdin=false",
    ]
    assert debug[7:12] == ["--", "chroot", "/host", "sh", "-c"]
    assert delete[:3] == ["delete", "pod", delete[2]]
    assert delete[2].startswith("node-debugger-worker-0-")
    assert debug_cli.pods() == []


def test_namespace_and_image_options(debug_cli: DebugCli, bonding_dir: Path) -> None:
    kubectl(to_namespace="debug", image="registry.local/busybox:1.36").collect(
        NodeTarget("worker-1"), ["bond0"], timeout=20
    )
    debug, delete = debug_cli.calls()
    assert debug[:4] == ["debug", "node/worker-1", "-n", "debug"]
    assert "--image=registry.local/busybox:1.36" in debug
    assert delete[3:5] == ["-n", "debug"]
    assert debug_cli.pods() == []


def test_quiet_kubectl_pod_is_found_by_nonce(debug_cli: DebugCli, bonding_dir: Path) -> None:
    class Quiet(KubectlDebugTransport):
        def debug_argv(self, node: str, script: str) -> list[str]:
            argv = super().debug_argv(node, script)
            return [*argv[:2], "-q", *argv[2:]]

    ev = Quiet(TransportOptions()).collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert ev.bonds["bond0"] == BOND_TEXT
    calls = debug_cli.calls()
    assert calls[1] == [
        "get",
        "pods",
        "--field-selector",
        "spec.nodeName=worker-0",
        "-o",
        "json",
    ]
    assert calls[2][:2] == ["delete", "pod"]
    assert debug_cli.pods() == []


def test_timeout_kills_kubectl_and_removes_the_pod(debug_cli: DebugCli) -> None:
    debug_cli.set(HANG_NODES="worker-2")
    start = time.monotonic()
    with pytest.raises(CollectError) as err:
        kubectl().collect(NodeTarget("worker-2"), ["bond0"], timeout=1)
    assert time.monotonic() - start < 10
    assert str(err.value) == "worker-2: kubectl debug gave no result within 1s; debug pod removed"
    assert debug_cli.pods() == []


def test_unauthorized(debug_cli: DebugCli) -> None:
    debug_cli.set(AUTH="unauthorized")
    with pytest.raises(CollectError) as err:
        kubectl().collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert str(err.value) == (
        "worker-0: unauthorized: the API server rejected the kubeconfig credentials"
    )


def test_missing_kubectl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(
        CollectError, match=r"^kubectl not found on PATH; install kubectl or use --via ssh$"
    ):
        kubectl().collect(NodeTarget("worker-0"), ["bond0"], timeout=5)


def test_run_debug_deletes_the_finished_pod_before_it_returns(debug_cli: DebugCli) -> None:
    """The delete is part of the run, so that close() waits for it (and callers such as the
    failover shell need no delete of their own)."""
    transport = kubectl()
    nonce = new_nonce()
    run, out, _ = transport.run_debug("worker-1", f": bondcheck-{nonce}\necho pulled", nonce, 20)
    assert run.proc.returncode == 0 and out.splitlines()[-1] == "pulled"
    assert debug_cli.pods() == []
    transport.close()  # the run is already cleaned up: close() starts no second kubectl
    assert [c[:2] for c in debug_cli.calls()] == [["debug", "node/worker-1"], ["delete", "pod"]]


def test_a_stalled_kubectl_says_why_from_its_last_waiting_warning() -> None:
    """kubectl 1.32's stderr while the debug container cannot start (the second line as the
    real kubectl printed it in tests/cluster/test_real_kubectl_pods.py; the first an earlier
    warning): the kubelet's waiting message, the last one wins."""
    stderr = (
        'Warning: container debugger: Back-off pulling image "busybox:1.35"\n'
        'Warning: container debugger: Back-off pulling image "docker.io/library/busybox:1.36"\n'
    )
    assert kubectl().stalled_because(stderr) == (
        ', the debug container is waiting: Back-off pulling image "docker.io/library/busybox:1.36"'
        " (pass --image with an image the nodes can pull)"
    )
    hung = "If you don't see a command prompt, try pressing enter.\n"
    assert kubectl().stalled_because(hung) == ""
    # a waiting message that is not about the image gets no --image hint
    assert kubectl().stalled_because("Warning: container debugger: CreateContainerError\n") == (
        ", the debug container is waiting: CreateContainerError"
    )


def test_output_the_attach_missed_comes_from_the_container_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """kubectl printed the script's output without its beginning (kubernetes#27264): the
    container's log, read before the pod is deleted, replaces it only when it is whole."""
    import subprocess

    from bondcheck.transport.debug_pod import DebugRun

    transport = kubectl()
    pod = "node-debugger-worker-0-ab12c"
    created = f"Creating debugging pod {pod} with container debugger on node worker-0.\n"
    calls: list[list[str]] = []
    log = ["@@ meta ... done"]

    def helper(args: list[str]) -> subprocess.CompletedProcess[str]:
        calls.append(list(args))
        return subprocess.CompletedProcess(args, 0, log[0], "")

    def whole(out: str) -> bool:
        return out.startswith("@@")

    monkeypatch.setattr(transport, "_helper", helper)
    run = DebugRun("worker-0", "ab", None, pod=(None, pod))  # type: ignore[arg-type]
    assert transport.complete_output(run, created + "... done", whole) == "@@ meta ... done"
    assert calls == [["logs", pod, "-c", "debugger"]]
    log[0] = "... done"  # the log is no better: what kubectl printed stays
    assert transport.complete_output(run, created + "... done", whole) == created + "... done"


def test_a_podsecurity_warning_is_not_taken_for_the_error() -> None:
    """A warn-mode namespace prints `Warning: would violate PodSecurity …` and admits the pod:
    a later failure is reported as itself."""
    stderr = (
        'Warning: would violate PodSecurity "baseline:latest": privileged (container '
        '"debugger" must not set securityContext.privileged=true)\n'
        "error: timed out waiting for the condition\n"
    )
    assert str(kubectl().stderr_error("worker-0", stderr, 1)) == (
        "worker-0: kubectl debug failed: error: timed out waiting for the condition"
    )
