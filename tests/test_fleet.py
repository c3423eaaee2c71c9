"""The fleet runner, driven by an in-process Transport whose behaviour each test scripts:
concurrency bound, ordering, per-node failure isolation, the timeout safety net, Ctrl-C."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Sequence

import pytest

from bondcheck.errors import CollectError
from bondcheck.fleet import collect_fleet
from bondcheck.model import Evidence, NodeFailure, NodeTarget
from bondcheck.transport.base import Transport


class FakeTransport(Transport):
    """Runs ``behave(target, timeout)`` per node and records what the runner did."""

    name = "fake"

    def __init__(
        self, behave: Callable[[NodeTarget, float], None] | None = None, default: int = 10
    ) -> None:
        self.default_concurrency = default
        self.behave = behave or (lambda target, timeout: time.sleep(0.02))
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.started: list[str] = []
        self.timeouts: list[float] = []
        self.threads: set[int] = set()
        self.closed = threading.Event()

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        with self.lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            self.started.append(target.name)
            self.timeouts.append(timeout)
            self.threads.add(threading.get_ident())
        try:
            self.behave(target, timeout)
        finally:
            with self.lock:
                self.in_flight -= 1
        return Evidence(node=target.name, transport=self.name, bonds={b: None for b in bonds})

    def close(self) -> None:
        self.closed.set()


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, object]] = []
        self.threads: set[int] = set()

    def stage(self, node: str, stage: str) -> None:
        self.threads.add(threading.get_ident())
        self.events.append(("stage", node, stage))

    def done(self, node: str, ok: bool, message: str = "") -> None:
        self.threads.add(threading.get_ident())
        self.events.append(("done", node, (ok, message)))


def nodes(count: int) -> list[NodeTarget]:
    return [NodeTarget(f"n{i}") for i in range(count)]


def test_results_follow_target_order_whatever_the_finish_order() -> None:
    # Later nodes finish first.
    fake = FakeTransport(lambda t, _: time.sleep(0.01 * (10 - int(t.name[1:]))))
    results = collect_fleet(fake, nodes(10), ["bond0"], timeout=5, concurrency=10)
    assert [r.node for r in results] == [f"n{i}" for i in range(10)]
    assert all(isinstance(r, Evidence) and r.bonds == {"bond0": None} for r in results)


@pytest.mark.parametrize(("concurrency", "expected"), [(1, 1), (4, 4), (50, 12)])
def test_concurrency_bound_is_enforced(concurrency: int, expected: int) -> None:
    fake = FakeTransport(lambda t, _: time.sleep(0.05))
    collect_fleet(fake, nodes(12), [], timeout=5, concurrency=concurrency)
    assert fake.max_in_flight == expected
    assert len(fake.threads) <= expected


def test_default_concurrency_comes_from_the_transport_capped_at_targets() -> None:
    fake = FakeTransport(lambda t, _: time.sleep(0.05), default=3)
    collect_fleet(fake, nodes(9), [], timeout=5)
    assert fake.max_in_flight == 3
    few = FakeTransport(lambda t, _: time.sleep(0.05), default=32)
    collect_fleet(few, nodes(2), [], timeout=5)
    assert len(few.threads) == 2


def test_each_node_gets_its_own_timeout() -> None:
    fake = FakeTransport()
    collect_fleet(fake, nodes(5), [], timeout=7.5, concurrency=2)
    assert fake.timeouts == [7.5] * 5


def test_one_failing_node_never_stops_the_others() -> None:
    def behave(target: NodeTarget, _: float) -> None:
        if target.name == "n1":
            raise CollectError("n1: connection refused")
        if target.name == "n3":
            raise ValueError("unexpected reply")
        if target.name == "n4":
            raise SystemExit(9)

    fake = FakeTransport(behave)
    results = collect_fleet(fake, nodes(6), ["bond0"], timeout=5, concurrency=2)
    assert results[1] == NodeFailure("n1", "fake", "n1: connection refused")
    assert results[3] == NodeFailure(
        "n3", "fake", "internal error: ValueError: unexpected reply", "internal"
    )
    assert results[4] == NodeFailure("n4", "fake", "internal error: SystemExit: 9", "internal")
    assert [type(r).__name__ for i, r in enumerate(results) if i not in (1, 3, 4)] == [
        "Evidence"
    ] * 3


def test_a_node_that_ignores_its_timeout_is_given_up_and_the_width_kept() -> None:
    release = threading.Event()
    stuck = threading.Event()  # set while n0 is inside collect()

    def behave(target: NodeTarget, _: float) -> None:
        if target.name == "n0":
            stuck.set()
            release.wait(30)  # a transport bug: never honours its timeout
            stuck.clear()

    fake = FakeTransport(behave)
    try:
        results = collect_fleet(fake, nodes(4), [], timeout=0.3, concurrency=1, grace=0.2)
        still_stuck = stuck.is_set()
    finally:
        release.set()
    assert still_stuck  # the run ended without waiting for n0 (how fast is for bench/)
    assert results[0] == NodeFailure(
        "n0", "fake", "timed out after 0.3s (the transport did not return)"
    )
    assert all(isinstance(r, Evidence) for r in results[1:])  # a replacement worker ran them


def test_reporter_is_called_per_node_on_the_calling_thread() -> None:
    def behave(target: NodeTarget, _: float) -> None:
        if target.name == "n2":
            raise CollectError("n2: auth failed")

    recorder = Recorder()
    collect_fleet(FakeTransport(behave), nodes(4), [], timeout=5, concurrency=3, reporter=recorder)
    assert recorder.threads == {threading.get_ident()}
    stages = [(node, what) for kind, node, what in recorder.events if kind == "stage"]
    assert sorted(stages) == [(f"n{i}", "collect") for i in range(4)]
    done = {node: what for kind, node, what in recorder.events if kind == "done"}
    assert done == {
        "n0": (True, ""),
        "n1": (True, ""),
        "n2": (False, "n2: auth failed"),
        "n3": (True, ""),
    }
    for node in done:  # every node is reported started before it is reported done
        kinds = [kind for kind, name, _ in recorder.events if name == node]
        assert kinds == ["stage", "done"]


def test_ctrl_c_cancels_pending_nodes_closes_transport_and_reraises() -> None:
    def behave(target: NodeTarget, _: float) -> None:
        if target.name == "n1":
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C, delivered to the main thread
        time.sleep(0.2)

    fake = FakeTransport(behave)
    with pytest.raises(KeyboardInterrupt):
        collect_fleet(fake, nodes(20), [], timeout=5, concurrency=2)
    assert fake.closed.is_set()
    time.sleep(0.5)  # workers in flight finish; none may pick up new nodes
    assert sorted(fake.started) == ["n0", "n1"]


def test_no_targets_no_work() -> None:
    fake = FakeTransport()
    assert collect_fleet(fake, [], ["bond0"], timeout=5) == []
    assert fake.started == []
