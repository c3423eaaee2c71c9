"""close() against the oc/kubectl stand-ins: when it returns, nothing bondcheck started is left.

Ctrl-C, or the node listing failing while nodes are collected, closes the transport from the
main thread while worker threads are at any point of their run; the main thread then exits and
takes the daemon workers with it. These tests hold a worker at the two awkward points - the
delete kubectl needs after a successful run, and the moment between starting the CLI and
registering it - and check the stand-ins' state and the process table once close() returns.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from standins.fixtures import DebugCli, serve_bonding

import bondcheck.transport.debug_pod as debug_pod
from bondcheck.model import NodeTarget
from bondcheck.transport.debug_pod import DebugPodTransport
from bondcheck.transport.kubectl_debug import KubectlDebugTransport
from bondcheck.transport.oc_debug import OcDebugTransport
from bondcheck.transport.options import TransportOptions

PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
BOND_TEXT = (PROCFS / "ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt").read_text()
HOLD = 1.0  # seconds a held step waits: far longer than a close() that does not wait for it


@pytest.fixture
def bonding_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return serve_bonding(tmp_path, monkeypatch, BOND_TEXT)


def standin_processes(state: Path) -> list[int]:
    """Live processes started for this test's stand-in state (the CLIs and their children)."""
    marker = f"BONDCHECK_STANDIN_STATE={state}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except OSError:  # gone, or not ours; a zombie's environ reads empty
            continue
    return found


@pytest.fixture
def no_strays(debug_cli: DebugCli) -> Iterator[None]:
    """Whatever a failing test left running is killed, so that it cannot disturb the next."""
    yield
    for pid in standin_processes(debug_cli.state):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def collect_in_background(
    transport: DebugPodTransport, node: str, errors: list[BaseException]
) -> threading.Thread:
    def work() -> None:
        try:
            transport.collect(NodeTarget(node), ["bond0"], timeout=20)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


class HeldDelete(KubectlDebugTransport):
    """kubectl-debug whose ``kubectl delete`` waits a moment after the run has finished."""

    def __init__(self, opts: TransportOptions) -> None:
        super().__init__(opts)
        self.deleting = threading.Event()

    def _helper(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        if args[0] == "delete":
            self.deleting.set()
            time.sleep(HOLD)
        return super()._helper(args)


def test_close_waits_for_the_delete_after_a_successful_run(
    debug_cli: DebugCli, bonding_dir: Path, no_strays: None
) -> None:
    transport = HeldDelete(TransportOptions())
    errors: list[BaseException] = []
    worker = collect_in_background(transport, "worker-0", errors)
    assert transport.deleting.wait(20)
    assert len(debug_cli.pods()) == 1  # kubectl left its finished pod; the delete is held
    transport.close()
    assert debug_cli.pods() == []
    assert standin_processes(debug_cli.state) == []
    worker.join(20)
    assert not worker.is_alive() and errors == []  # the run was complete: its evidence stands
    # Its pod was deleted once, by the name kubectl printed.
    deletes = [c for c in debug_cli.calls() if c[0] == "delete"]
    assert len(deletes) == 1 and deletes[0][2].startswith("node-debugger-worker-0-")


@pytest.mark.parametrize(
    "make",
    [
        lambda: OcDebugTransport(TransportOptions()),
        lambda: KubectlDebugTransport(TransportOptions()),
    ],
    ids=["oc", "kubectl"],
)
def test_close_stops_a_cli_registered_after_it_listed_the_runs(
    make: object, debug_cli: DebugCli, monkeypatch: pytest.MonkeyPatch, no_strays: None
) -> None:
    """A worker the OS does not schedule for longer than close() waits for spawns in progress:
    its CLI registers after close() took its list of runs, and must still be stopped."""
    # close() used to wait KILL_GRACE for spawns in progress; this spawn takes longer.
    monkeypatch.setattr(debug_pod, "KILL_GRACE", 0.2)
    debug_cli.set(HANG_NODES="worker-0")  # the pod would stay up for 15 minutes on its own
    spawned = threading.Event()
    real_popen = debug_pod.subprocess.Popen

    class SlowToRegister(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            if "debug" in args[0]:  # type: ignore[operator]
                spawned.set()
                time.sleep(HOLD)

    monkeypatch.setattr(debug_pod.subprocess, "Popen", SlowToRegister)
    transport: DebugPodTransport = make()  # type: ignore[operator]
    errors: list[BaseException] = []
    worker = collect_in_background(transport, "worker-0", errors)
    assert spawned.wait(20)
    started = time.monotonic()
    transport.close()
    assert time.monotonic() - started < 10  # stopped, not waited out (the timeout is 20 s)
    assert standin_processes(debug_cli.state) == []
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []
    worker.join(20)
    assert not worker.is_alive()
    assert [str(e) for e in errors] == [f"worker-0: interrupted; {transport.tool} debug stopped"]
