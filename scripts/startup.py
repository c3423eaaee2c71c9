#!/usr/bin/env python3
"""Measure bondcheck's start-up time against a bare ``python -c pass``.

Runs each command N times (default 20) after one warm-up and prints, as a Markdown table
(pasted into docs/usage.md), the median and fastest wall-clock time and the median CPU time
(user + system of the child, which stays meaningful when other work shares the cores).
No hyperfine needed. Usage: scripts/startup.py [N]
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bondcheck() -> str:
    script = Path(sys.executable).with_name("bondcheck")
    return str(script) if script.exists() else (shutil.which("bondcheck") or "bondcheck")


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(cmd: list[str], runs: int) -> tuple[float, float, float]:
    """Median wall ms, fastest wall ms, median CPU ms (user+sys: steadier on a busy host)."""
    env = {**os.environ, "NO_COLOR": "1"}
    subprocess.run(cmd, capture_output=True, env=env, check=False)  # warm the page cache
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), _cpu()
        subprocess.run(cmd, capture_output=True, env=env, check=False)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((_cpu() - start_cpu) * 1000)
    return statistics.median(wall), min(wall), statistics.median(cpu)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    bc = _bondcheck()
    bond = ROOT / "fixtures/procfs/corpus/ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt"
    demo = ROOT / "fixtures/demo"
    cases = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("bondcheck --version", [bc, "--version"]),
        ("bondcheck parse FILE -o json", [bc, "parse", str(bond), "-o", "json"]),
        ("bondcheck parse FILE (table)", [bc, "parse", str(bond)]),
    ]
    if (demo / "captures").is_dir():
        verify = [bc, "verify", "--policy-file", str(demo / "policy.yaml"), "--from-dir",
                  str(demo / "captures")]  # fmt: skip
        cases.append(("bondcheck verify (demo, table)", verify))
        cases.append(("bondcheck verify (demo, -o json)", [*verify, "-o", "json"]))
    print(f"{runs} runs each, Python {sys.version.split()[0]}\n")
    print("| command | wall median ms | wall fastest ms | CPU median ms |")
    print("|---|---:|---:|---:|")
    for label, cmd in cases:
        median, fastest, cpu = _time(cmd, runs)
        print(f"| `{label}` | {median:.0f} | {fastest:.0f} | {cpu:.0f} |")


if __name__ == "__main__":
    main()
