"""handler-exec over the stand-in's WebSocket exec: the client's real stream code, the
command run for real by the stand-in (locally, via sh)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from standins.apiserver import ApiServerStandIn
from standins.exec_stream import default_exec_handler
from standins.fixtures import serve_bonding

from bondcheck.errors import CollectError, InputError
from bondcheck.model import NodeTarget
from bondcheck.transport.handler_exec import HandlerExecTransport
from bondcheck.transport.options import TransportOptions

PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
BOND_TEXT = (PROCFS / "ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt").read_text()


@pytest.fixture
def transport(kubeconfig: Path) -> HandlerExecTransport:
    return HandlerExecTransport(TransportOptions(kubeconfig=str(kubeconfig)))


@pytest.fixture
def bonding_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory that plays the node's /proc/net/bonding for the stand-in."""
    return serve_bonding(tmp_path, monkeypatch, BOND_TEXT)


def test_collect_reads_the_bond_exactly(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport, bonding_dir: Path
) -> None:
    seen: list[tuple[str, str, list[str]]] = []

    def handler(pod: dict[str, Any], container: str, command: list[str]) -> Any:
        seen.append((pod["metadata"]["name"], container, command))
        return default_exec_handler(pod, container, command)

    apiserver.exec_handler = handler
    ev = transport.collect(NodeTarget("worker-1"), ["bond0", "bond1"], timeout=20)
    assert ev.node == "worker-1" and ev.transport == "handler-exec"
    assert ev.bonds == {"bond0": BOND_TEXT, "bond1": None}
    assert ev.kernel == os.uname().release
    assert ev.privileged is (os.geteuid() == 0)
    ((pod, container, command),) = seen
    assert (pod, container, command[:2]) == (
        "nmstate-handler-m4q9z",
        "nmstate-handler",
        ["sh", "-c"],
    )
    exec_paths = [p for p in apiserver.paths() if "/exec?" in p]
    assert exec_paths[0].startswith("/api/v1/namespaces/nmstate/pods/nmstate-handler-m4q9z/exec?")


def test_exec_output_equals_what_the_command_printed(
    transport: HandlerExecTransport,
) -> None:
    command = ["sh", "-c", "printf 'a\\nb'; printf 'to-stderr' >&2; seq 1 30000"]
    local = subprocess.run(command, capture_output=True, text=True, check=True)
    stdout, stderr, rc = transport.exec(
        "nmstate", "nmstate-handler-x7k2p", command, 20, node="worker-0"
    )
    assert len(stdout) > 65536  # several WebSocket frames
    assert (stdout, stderr, rc) == (local.stdout, local.stderr, 0)


def test_non_zero_exit_code_is_surfaced(transport: HandlerExecTransport) -> None:
    stdout, stderr, rc = transport.exec(
        "nmstate",
        "nmstate-handler-x7k2p",
        ["sh", "-c", "echo boom >&2; exit 7"],
        20,
        node="worker-0",
    )
    assert (stdout, stderr, rc) == ("", "boom\n", 7)


def test_failed_script_names_the_exit_code_and_stderr(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport
) -> None:
    def broken(pod: dict[str, Any], container: str, command: list[str]) -> Any:
        return default_exec_handler(
            pod, container, ["sh", "-c", "echo 'sh: 1: ip: denied' >&2; exit 126"]
        )

    apiserver.exec_handler = broken
    with pytest.raises(CollectError) as err:
        transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert str(err.value) == (
        "worker-0: the collection script exited with code 126 in "
        "nmstate/nmstate-handler-x7k2p: sh: 1: ip: denied"
    )


def test_exec_forbidden_names_the_rbac_needed(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport
) -> None:
    apiserver.fail(r"/exec$", 403, "status-403-forbidden-pods-exec-RECONSTRUCTED")
    with pytest.raises(CollectError) as err:
        transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert str(err.value) == (
        "worker-0: forbidden: system:serviceaccount:netops:bond-audit cannot create pods/exec "
        "in namespace nmstate (handler-exec needs get+create on pods/exec and list on pods in "
        "the handler namespace)"
    )


def test_node_without_handler_pod(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport
) -> None:
    apiserver.store.remove("pods", "nmstate-handler-c8t5w", "nmstate")
    with pytest.raises(CollectError, match=r"^worker-2: no nmstate handler pod runs on this node"):
        transport.collect(NodeTarget("worker-2"), ["bond0"], timeout=20)
    assert not any("/exec" in p for p in apiserver.paths())


def test_handler_pod_not_running(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport
) -> None:
    apiserver.store.update("pods", "nmstate-handler-c8t5w", "nmstate", status__phase="Pending")
    with pytest.raises(CollectError, match=r"nmstate/nmstate-handler-c8t5w is Pending$"):
        transport.collect(NodeTarget("worker-2"), ["bond0"], timeout=20)


def test_openshift_namespace_is_found_automatically(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport, bonding_dir: Path
) -> None:
    for pod in apiserver.store.list("pods"):  # as the OpenShift operator installs them
        apiserver.store.remove("pods", pod["metadata"]["name"], "nmstate")
        pod["metadata"]["namespace"] = "openshift-nmstate"
        apiserver.store.add(pod)
    ev = transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert ev.bonds["bond0"] == BOND_TEXT
    assert transport.namespace() == "openshift-nmstate"


def test_handler_namespace_option_is_used_as_given(
    apiserver: ApiServerStandIn, kubeconfig: Path, bonding_dir: Path
) -> None:
    explicit = HandlerExecTransport(
        TransportOptions(kubeconfig=str(kubeconfig), handler_namespace="nmstate")
    )
    ev = explicit.collect(NodeTarget("worker-2"), ["bond0"], timeout=20)
    assert ev.bonds["bond0"] == BOND_TEXT
    assert not any("openshift-nmstate" in p for p in apiserver.paths())


def test_no_handler_pods_anywhere(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport
) -> None:
    for pod in apiserver.store.list("pods"):
        apiserver.store.remove("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
    with pytest.raises(
        CollectError,
        match="no nmstate handler pods found in namespace "
        "openshift-nmstate or nmstate; pass --handler-namespace",
    ):
        transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=20)


def test_invalid_handler_namespace_is_input_error(kubeconfig: Path) -> None:
    bad = HandlerExecTransport(
        TransportOptions(kubeconfig=str(kubeconfig), handler_namespace="nm state")
    )
    with pytest.raises(InputError, match="handler namespace 'nm state'"):
        bad.collect(NodeTarget("worker-0"), ["bond0"], timeout=5)


def test_timeout_closes_the_stream_and_kills_the_command(
    apiserver: ApiServerStandIn, transport: HandlerExecTransport, tmp_path: Path
) -> None:
    pidfile = tmp_path / "pid"

    def slow(pod: dict[str, Any], container: str, command: list[str]) -> Any:
        return default_exec_handler(
            pod, container, ["sh", "-c", f"echo $$ > {pidfile}; exec sleep 30"]
        )

    apiserver.exec_handler = slow
    start = time.monotonic()
    with pytest.raises(CollectError, match=r"^worker-0: no result from the handler pod within 1s$"):
        transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=1)
    assert time.monotonic() - start < 5
    pid = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid)  # the server saw the client go away and stopped the command


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie still answers kill(0); treat it as gone
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
