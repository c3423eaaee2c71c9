"""A missing ``oc``/``kubectl`` stops the run with one line and exit 2, before any node.

Without the check, every node would report "evidence not collected: oc not found" (exit 3)
and, for named nodes, the cluster would be read first: a broken workstation would look like
a broken fleet. The real ``bondcheck`` executable runs in a subprocess, as a user runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "fixtures" / "policies" / "worker-bond-lacp.yaml"


@pytest.mark.parametrize(
    ("via", "option", "tool"),
    [("oc-debug", "--oc", "oc"), ("kubectl-debug", "--kubectl", "kubectl")],
)
@pytest.mark.parametrize("command", ["verify", "collect"])
def test_a_missing_cli_is_one_line_and_exit_2(
    tmp_path: Path, via: str, option: str, tool: str, command: str
) -> None:
    missing = str(tmp_path / "no-such-dir" / tool)
    argv = [sys.executable, "-m", "bondcheck", command, "--policy-file", str(POLICY),
            "--via", via, option, missing, "--node", "worker-0", "--node", "worker-1"]  # fmt: skip
    if command == "collect":
        argv += ["--out", str(tmp_path / "out")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"bondcheck: error: {missing} not found on PATH; ")
    assert "evidence not collected" not in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
