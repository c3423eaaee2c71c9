"""collect_fleet's ``watch`` hook: called on the caller's thread; what it raises ends the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

import pytest

from bondcheck.errors import InputError
from bondcheck.fleet import collect_fleet
from bondcheck.model import Evidence, NodeTarget
from bondcheck.transport.base import Transport


class SlowTransport(Transport):
    """Each node takes ``seconds``; close() ends every node in flight at once."""

    name = "slow"
    default_concurrency = 2

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started: list[str] = []
        self.closed = threading.Event()

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        self.started.append(target.name)
        self.closed.wait(self.seconds)
        return Evidence(node=target.name, transport=self.name)

    def close(self) -> None:
        self.closed.set()


def targets(count: int) -> list[NodeTarget]:
    return [NodeTarget(f"n{i}") for i in range(count)]


def test_watch_runs_on_the_calling_thread_while_nodes_are_in_flight() -> None:
    seen: list[int] = []
    results = collect_fleet(
        SlowTransport(0.6),
        targets(2),
        [],
        timeout=10,
        watch=lambda: seen.append(threading.get_ident()),
    )
    assert [r.node for r in results] == ["n0", "n1"]
    assert len(seen) >= 2  # the quarter-second tick calls it even with no event due
    assert set(seen) == {threading.get_ident()}


def test_what_watch_raises_stops_the_run_and_closes_the_transport() -> None:
    transport = SlowTransport(30)
    began = time.monotonic()

    def watch() -> None:
        if len(transport.started) == 2:  # the first two nodes are in flight
            raise InputError("node n9 not found")

    with pytest.raises(InputError, match=r"^node n9 not found$"):
        collect_fleet(transport, targets(6), [], timeout=60, concurrency=2, watch=watch)
    assert transport.closed.is_set()  # the nodes in flight were stopped ...
    assert time.monotonic() - began < 10  # ... not waited for
    time.sleep(0.3)
    assert sorted(transport.started) == ["n0", "n1"]  # and no further node was started
