"""Live progress on a terminal (stderr a TTY) and plain lines elsewhere."""

from __future__ import annotations

import io
import os
import select
import subprocess
import sys
import time
from pathlib import Path

from rich.console import Console

from bondcheck.cli.progress_view import LiveReporter, wants_live_view

ROOT = Path(__file__).resolve().parents[2]


def test_live_view_tracks_stages_and_keeps_failures() -> None:
    sink = io.StringIO()
    console = Console(file=sink, force_terminal=True, width=100, height=20)
    with LiveReporter(2, console=console) as live:
        live.stage("worker-0", "connect")
        live.stage("worker-1", "connect")
        assert live._stages == {"worker-0": "connect", "worker-1": "connect"}
        live.done("worker-0", True)
        live.done("worker-1", False, "connection to 10.0.0.9:22 refused")
        assert live._done == 2 and live._failed == 1
    text = sink.getvalue()
    assert "bondcheck: [worker-1] evidence not collected: connection to 10.0.0.9:22 refused" in text
    assert "2/2 nodes done" in text


def test_live_view_only_for_live_runs_on_a_terminal() -> None:
    assert not wants_live_view(live_source=False, verbose=False, quiet=False)
    assert not wants_live_view(live_source=True, verbose=True, quiet=False)
    assert not wants_live_view(live_source=True, verbose=False, quiet=True)


def test_real_terminal_shows_live_progress_and_failure_line(tmp_path: Path) -> None:
    """A real process whose stderr is a pseudo-terminal: the node (nothing listens on port 1)
    fails fast, and its failure line survives the live area."""
    master, slave = os.openpty()
    empty = tmp_path / "ssh_config"
    empty.write_text("")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bondcheck",
            "verify",
            "--policy-file",
            str(ROOT / "fixtures/policies/worker-bond-lacp.yaml"),
            "--via",
            "ssh",
            "--ssh-config",
            str(empty),
            "--ssh-port",
            "1",
            "--node",
            "127.0.0.1",
            "--timeout",
            "10",
            "-o",
            "json",
        ],
        stdout=subprocess.PIPE,
        stderr=slave,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "30"},
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    err = b"".join(chunks).decode(errors="replace")
    assert proc.returncode == 3
    assert "[127.0.0.1] evidence not collected" in err
    assert "Traceback" not in err
