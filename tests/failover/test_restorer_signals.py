"""The on-node restorer under every signal the controller side's death can send.

The real ``restorer`` script bondcheck writes to the node runs here under ``sh`` in its own
session (``setsid``, as on the node), with a ``restore`` that only records it ran: the
signals are the subject, not the link (the netns and lab tests pull real links). Only
bondcheck's own USR1 may disarm it; TERM and HUP (logind's KillUserProcesses, a stopped
session scope, an OOM kill's TERM first) must restore at once; INT, QUIT and PIPE leave the
timer running, so it restores when it fires.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bondcheck.failover import deadman
from bondcheck.failover.deadman import PingSpec, PullSpec


def _start(tmp_path: Path, restore_after: int) -> tuple[subprocess.Popen[bytes], Path]:
    spec = PullSpec(
        token="0123abcd",
        base_dir=str(tmp_path),
        bond="bond0",
        port="ens224",
        restore_after=restore_after,
        pull_seconds=0.5,
        ping=PingSpec(target="192.0.2.1"),
    )
    marker = Path(spec.marker)
    marker.mkdir()
    (marker / "restore").write_text(f"date +%s > {marker}/fired\n")
    (marker / "restorer").write_text(deadman.restorer_file(spec) + "\n")
    proc = subprocess.Popen(["sh", str(marker / "restorer")], start_new_session=True)
    for _ in range(100):
        if (marker / "pid").exists():
            break
        time.sleep(0.05)
    return proc, marker


def _wait(proc: subprocess.Popen[bytes], seconds: float) -> None:
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_term_and_hup_restore_at_once(tmp_path: Path, sig: signal.Signals) -> None:
    proc, marker = _start(tmp_path, restore_after=60)
    os.kill(int((marker / "pid").read_text()), sig)
    _wait(proc, 10)
    assert (marker / "fired").exists() and not (marker / "disarmed").exists()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE])
def test_other_signals_leave_the_timer_running(tmp_path: Path, sig: signal.Signals) -> None:
    proc, marker = _start(tmp_path, restore_after=2)
    os.kill(int((marker / "pid").read_text()), sig)
    time.sleep(0.3)
    assert proc.poll() is None and not (marker / "fired").exists()
    _wait(proc, 10)  # the timer fires on its own
    assert (marker / "fired").exists()


def test_only_bondcheck_usr1_disarms(tmp_path: Path) -> None:
    proc, marker = _start(tmp_path, restore_after=60)
    os.kill(int((marker / "pid").read_text()), signal.SIGUSR1)
    _wait(proc, 10)
    assert (marker / "disarmed").exists() and not (marker / "fired").exists()


def test_no_signal_restores_when_the_timer_fires(tmp_path: Path) -> None:
    proc, marker = _start(tmp_path, restore_after=1)
    _wait(proc, 10)
    assert (marker / "fired").exists()
