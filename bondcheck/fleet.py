"""Collect evidence from many nodes at once, without one node spoiling the run.

Why a hand-rolled pool of daemon threads rather than ThreadPoolExecutor: a node whose transport
ignores its timeout (a hung SSH server, a stuck ``oc debug``) must not hang the run or the
interpreter's exit. The runner gives such a node up after its timeout plus a grace period,
records a failure and starts a replacement worker so the concurrency bound still holds; the
stuck daemon thread is abandoned. Executor threads would instead be joined at exit.

Every reporter call happens on the calling thread, so a reporter (a Rich live display, a log
printer) need not be thread-safe.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence

from bondcheck.errors import CollectError
from bondcheck.model import Evidence, NodeFailure, NodeTarget
from bondcheck.progress import NullReporter, Reporter
from bondcheck.transport.base import Transport

_TICK = 0.25  # how often the runner looks for overdue nodes while it waits


def _failure(node: str, transport: str, exc: BaseException) -> NodeFailure:
    if isinstance(exc, CollectError):
        return NodeFailure(node, transport, str(exc))
    return NodeFailure(node, transport, f"internal error: {type(exc).__name__}: {exc}", "internal")


def collect_fleet(
    transport: Transport,
    targets: Sequence[NodeTarget],
    bonds: Sequence[str],
    *,
    timeout: float,
    concurrency: int | None = None,
    reporter: Reporter | None = None,
    grace: float = 5.0,
    watch: Callable[[], None] | None = None,
) -> list[Evidence | NodeFailure]:
    """Collect every target, at most ``concurrency`` at a time; results in target order.

    Each node has its own ``timeout`` (the transport enforces it; the runner gives up on a
    node ``grace`` seconds later if the transport does not). A CollectError becomes a
    NodeFailure with its message, any other exception "internal error: ...". Ctrl-C stops
    nodes not yet started, closes the transport (aborting those in flight) and re-raises.

    ``watch`` is called on the calling thread after every event and at least every quarter
    second while nodes are in flight; an exception it raises ends the run the way Ctrl-C
    does. It lets work that runs alongside the collection (the cluster's node listing)
    report on the caller's thread, and stop the run when it fails.
    """
    if not targets:
        return []
    reporter = reporter or NullReporter()
    width = concurrency if concurrency is not None else transport.default_concurrency
    width = max(1, min(int(width), len(targets)))
    runner = _Runner(transport, targets, bonds, timeout, reporter, watch)
    try:
        return runner.run(width, timeout + grace)
    except BaseException:  # Ctrl-C, or what ``watch`` raised
        runner.cancel()
        transport.close()
        raise


class _Runner:
    """The state of one collect_fleet call: a work queue, workers and an event queue."""

    def __init__(
        self,
        transport: Transport,
        targets: Sequence[NodeTarget],
        bonds: Sequence[str],
        timeout: float,
        reporter: Reporter,
        watch: Callable[[], None] | None = None,
    ) -> None:
        self._transport = transport
        self._watch = watch
        self._targets = list(targets)
        self._bonds = list(bonds)
        self._timeout = timeout
        self._reporter = reporter
        self._work: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._events: queue.SimpleQueue[tuple[str, int, Evidence | NodeFailure | None]] = (
            queue.SimpleQueue()
        )
        self._cancelled = threading.Event()
        # Workers wait here until all of the first batch exist: Thread.start() waits for the
        # new thread, which must win the GIL from the workers already running handshakes, so
        # with 50 busy workers the last one started after ~0.75 s instead of ~0.5 s.
        self._go = threading.Event()
        for index in range(len(self._targets)):
            self._work.put(index)

    def cancel(self) -> None:
        self._cancelled.set()
        self._go.set()  # workers still at the gate return at once

    def _spawn(self) -> None:
        threading.Thread(target=self._worker, name="bondcheck-collect", daemon=True).start()

    def _worker(self) -> None:
        self._go.wait()
        while not self._cancelled.is_set():
            try:
                index = self._work.get_nowait()
            except queue.Empty:
                return
            target = self._targets[index]
            self._events.put(("start", index, None))
            result: Evidence | NodeFailure
            try:
                result = self._transport.collect(target, self._bonds, self._timeout)
            except BaseException as exc:  # nothing may escape a worker, not even SystemExit
                result = _failure(target.name, self._transport.name, exc)
            self._events.put(("done", index, result))

    def run(self, width: int, give_up_after: float) -> list[Evidence | NodeFailure]:
        results: list[Evidence | NodeFailure | None] = [None] * len(self._targets)
        started: dict[int, float] = {}
        remaining = len(self._targets)
        for _ in range(width):
            self._spawn()
        self._go.set()
        while remaining:
            try:
                kind, index, result = self._events.get(timeout=_TICK)
            except queue.Empty:
                kind, index, result = "tick", -1, None
            now = time.monotonic()
            if kind == "start":
                started[index] = now
                self._reporter.stage(self._targets[index].name, "collect")
            elif kind == "done" and results[index] is None and result is not None:
                started.pop(index, None)
                results[index] = result
                remaining -= 1
                self._report_done(result)
            for overdue in [i for i, t0 in started.items() if now - t0 > give_up_after]:
                # The transport ignored its timeout: give the node up, keep the width.
                started.pop(overdue)
                failure = NodeFailure(
                    self._targets[overdue].name,
                    self._transport.name,
                    f"timed out after {self._timeout:g}s (the transport did not return)",
                )
                results[overdue] = failure
                remaining -= 1
                self._report_done(failure)
                self._spawn()
            if self._watch is not None:
                self._watch()
        return [r for r in results if r is not None]

    def _report_done(self, result: Evidence | NodeFailure) -> None:
        if isinstance(result, NodeFailure):
            self._reporter.done(result.node, False, result.message)
        else:
            self._reporter.done(result.node, True)
