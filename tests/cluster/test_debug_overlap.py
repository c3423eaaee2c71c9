"""Named nodes over oc debug: pods start while the cluster's node listing is still running.

Real parts throughout: the API server stand-in answers the listing through the kubernetes
client, the ``oc`` stand-in runs the collection script. The listing is held open by the API
server until the first debug pod exists, so these tests prove the overlap by its order of
events, not by a stopwatch; if bondcheck waited for the listing first, the hold would run out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.fixtures import DebugCli

from bondcheck.errors import CollectError, InputError
from bondcheck.model import NodeTarget, Status
from bondcheck.run import VerifyRequest, verify
from bondcheck.transport.oc_debug import OcDebugTransport
from bondcheck.transport.options import TransportOptions

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "fixtures" / "policies" / "worker-bond-lacp.yaml"
BONDING = ROOT / "fixtures" / "captures" / "lab" / "healthy-802.3ad" / "proc" / "net" / "bonding"
HOLD = 20.0  # seconds the node listing waits for a pod before answering anyway


@pytest.fixture
def local_bonds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BONDCHECK_STANDIN_BONDING_DIR", str(BONDING))


class PodWatch:
    """Sets ``seen`` as soon as the stand-in has recorded a debug pod's creation.

    The record (``created.jsonl``) outlives the pod, so a pod that comes and goes between two
    looks is still seen: nothing here depends on timing."""

    def __init__(self, state: Path) -> None:
        self.seen = threading.Event()
        self._stop = threading.Event()
        self._state = state
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._stop.is_set() and not self.seen.is_set():
            if (self._state / "created.jsonl").exists():
                self.seen.set()
            time.sleep(0.01)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


@pytest.fixture
def pod_watch(debug_cli: DebugCli) -> Iterator[PodWatch]:
    watch = PodWatch(debug_cli.state)
    yield watch
    watch.stop()


def request(kubeconfig: Path, *nodes: str) -> VerifyRequest:
    return VerifyRequest(
        policy_file=str(POLICY),
        via="oc-debug",
        nodes=nodes,
        timeout=60,
        options=TransportOptions(kubeconfig=str(kubeconfig)),
    )


def hold_node_listing(apiserver: ApiServerStandIn, until: threading.Event) -> None:
    apiserver.fail(r"^/api/v1/nodes$", 0, delay=HOLD, until=until)


def test_named_nodes_start_their_pods_before_the_node_listing_answers(
    apiserver: ApiServerStandIn,
    kubeconfig: Path,
    debug_cli: DebugCli,
    local_bonds: None,
    pod_watch: PodWatch,
) -> None:
    hold_node_listing(apiserver, pod_watch.seen)
    notes: list[str] = []
    started = time.monotonic()
    report = verify(request(kubeconfig, "worker-0", "master-0"), notify=notes.append)
    assert pod_watch.seen.is_set()
    assert time.monotonic() - started < HOLD  # the hold was released by a pod, not run out
    assert "/api/v1/nodes" in apiserver.paths()  # the listing still happened
    assert [n.node for n in report.nodes] == ["worker-0", "master-0"]
    assert all(n.status is not Status.ERROR and n.transport == "oc-debug" for n in report.nodes)
    # The selection's warnings still reach the operator, as without the overlap.
    assert any(n.startswith("node master-0 does not match the nodeSelector") for n in notes)
    # The nodes count as cluster nodes: their NNCEs were looked up (this policy has none).
    enactment = {r.check: r for r in report.nodes[0].results}["POLICY-ENACTMENT"]
    assert (enactment.status, enactment.observed) == (Status.WARN, "Missing")
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []


def test_a_named_node_the_cluster_lacks_stops_the_pods_already_started(
    apiserver: ApiServerStandIn,
    kubeconfig: Path,
    debug_cli: DebugCli,
    local_bonds: None,
    pod_watch: PodWatch,
) -> None:
    debug_cli.set(LATENCY="60")  # the pods would stay up a minute on their own
    hold_node_listing(apiserver, pod_watch.seen)
    started = time.monotonic()
    with pytest.raises(InputError, match=r"^node worker-9 not found$"):
        verify(request(kubeconfig, "worker-0", "worker-9"))
    assert pod_watch.seen.is_set()
    assert time.monotonic() - started < 30  # stopped, not waited for
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []  # nothing left behind


def test_an_unreadable_node_listing_fails_the_run_and_leaves_no_pod(
    apiserver: ApiServerStandIn,
    kubeconfig: Path,
    debug_cli: DebugCli,
    local_bonds: None,
    pod_watch: PodWatch,
) -> None:
    debug_cli.set(LATENCY="60")
    forbidden = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "reason": "Forbidden",
        "code": 403,
        "message": 'nodes is forbidden: User "auditor" cannot list resource "nodes" in API '
        'group "" at the cluster scope',
    }
    apiserver.fail(r"^/api/v1/nodes$", 403, forbidden, delay=HOLD, until=pod_watch.seen)
    with pytest.raises(
        CollectError, match=r"^forbidden: auditor cannot list nodes at the cluster scope$"
    ):
        verify(request(kubeconfig, "worker-0"))
    assert pod_watch.seen.is_set()
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []


def test_close_waits_for_a_cli_that_is_being_started(
    debug_cli: DebugCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """close() right after oc was spawned, before its run was registered, still stops it.

    The pause after Popen stands for a worker thread that the OS does not schedule for a
    moment while oc (a fast binary) has already created its pod.
    """
    import bondcheck.transport.debug_pod as debug_pod

    debug_cli.set(HANG_NODES="worker-0")
    spawned = threading.Event()
    real_popen = debug_pod.subprocess.Popen

    class SlowToRegister(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            spawned.set()
            time.sleep(0.5)

    monkeypatch.setattr(debug_pod.subprocess, "Popen", SlowToRegister)
    transport = OcDebugTransport(TransportOptions(to_namespace="bondcheck"))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=60)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    assert spawned.wait(10)
    transport.close()
    thread.join(20)
    assert not thread.is_alive()
    assert [str(e) for e in errors] == ["worker-0: interrupted; oc debug stopped"]
    assert debug_cli.pods() == []
    # Once closed, no new pod is started.
    calls = len(debug_cli.calls())
    with pytest.raises(CollectError, match=r"^worker-1: interrupted; oc debug not started$"):
        transport.collect(NodeTarget("worker-1"), ["bond0"], timeout=60)
    assert len(debug_cli.calls()) == calls
