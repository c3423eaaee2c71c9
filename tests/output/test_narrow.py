"""Reading the table report and --help at 80 columns: wrapped with a hanging indent, node
names whole, no trailing blanks, no help text cut with an ellipsis."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
LONG = "ip-10-0-140-22.us-east-2.compute.internal"


def _run(*args: str, columns: str | None = "80") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDCHECK_")}
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = columns
    return subprocess.run(
        [sys.executable, "-m", "bondcheck", *args], capture_output=True, text=True, env=env,
        timeout=120, check=False,
    )  # fmt: skip


@pytest.fixture
def long_names(tmp_path: Path) -> Path:
    for index, node in enumerate(("worker-0", "worker-1")):
        name = LONG if index == 0 else "ip-10-0-151-7.us-east-2.compute.internal"
        shutil.copytree(DEMO / "captures" / node, tmp_path / name)
    return tmp_path


def test_the_report_fits_80_columns(long_names: Path) -> None:
    args = ("verify", "--policy-file", str(DEMO / "policy.yaml"), "--color", "never")
    for root in (DEMO / "captures", long_names):
        out = _run(*args, "--from-dir", str(root)).stdout
        lines = out.splitlines()
        assert lines, out
        assert max(len(line) for line in lines) <= 80, max(lines, key=len)
        assert not [line for line in lines if line != line.rstrip()]
    table = _run(*args, "--from-dir", str(long_names)).stdout
    assert any(line.startswith(f" {LONG} ") for line in table.splitlines())  # whole, one row
    finding = next(line for line in table.splitlines() if line.startswith("FAIL "))
    follow = table.splitlines()[table.splitlines().index(finding) + 1]
    assert follow.startswith("    ") and not follow.startswith("     expected")


def test_a_pipe_without_columns_keeps_one_finding_per_line() -> None:
    args = ("verify", "--policy-file", str(DEMO / "policy.yaml"), "--color", "never")
    out = _run(*args, "--from-dir", str(DEMO / "captures"), columns=None).stdout
    finding = next(line for line in out.splitlines() if "LACP-PARTNER bond0/ens224" in line)
    assert finding.endswith("no LACPDU received from the switch")


@pytest.mark.parametrize(
    "command", [(), ("verify",), ("collect",), ("failover",), ("parse",), ("checks",)]
)
def test_help_at_80_columns_cuts_nothing(command: tuple[str, ...]) -> None:
    out = _run(*command, "--help").stdout
    assert "Usage" in out and "…" not in out
