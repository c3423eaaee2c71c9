"""CPU time of ``bondcheck diff`` over N nodes' evidence, per 100 nodes.

    python bench/diff.py --json                 # 500 nodes, 3 runs
    python bench/diff.py --nodes 100 200 500 --json

Builds two capture trees of N nodes from the real lab captures (fixtures/captures/lab):
BEFORE is healthy-802.3ad on every node; in AFTER every fifth node shows a real fault
capture instead (a pulled cable, an address on a port, a removed port, lacp_rate slow,
no partner), the rest are unchanged, each with its meta.json. Then it runs the installed
``bondcheck diff BEFORE AFTER -o json`` as a child process and reads the CPU time of its
tree (user + system, wait4's rusage): everything a user pays, interpreter start included.
The in-process figure (``diff_dirs`` alone: reading, parsing and comparing both trees,
``time.process_time``) is reported beside it, and the fixed cost is the CLI minus that.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bondcheck_argv, emit, load_now, machine_info, median, run_child

LAB = Path(__file__).resolve().parent.parent / "fixtures" / "captures" / "lab"
FAULTS = (
    "fault-switch-cable-pull",
    "fault-ip-on-port",
    "fault-port-removed",
    "fault-slow-rate-layer2",
    "fault-no-lacp-partner",
)


def build(root: Path, nodes: int) -> tuple[Path, Path, int]:
    """BEFORE and AFTER trees of ``nodes`` nodes; returns them and how many nodes changed."""
    before, after = root / "before", root / "after"
    changed = 0
    for i in range(nodes):
        name = f"node-{i:04d}"
        shutil.copytree(LAB / "healthy-802.3ad", before / name)
        (before / name / "meta.json").write_text(
            json.dumps({"collected_at": "2026-12-05T06:00:00Z"})
        )
        source = FAULTS[(i // 5) % len(FAULTS)] if i % 5 == 0 else "healthy-802.3ad"
        changed += source != "healthy-802.3ad"
        shutil.copytree(LAB / source, after / name)
        (after / name / "meta.json").write_text(
            json.dumps({"collected_at": "2026-12-05T08:00:00Z"})
        )
    return before, after, changed


def in_process(before: Path, after: Path) -> float:
    from bondcheck.drift.run import diff_dirs
    from bondcheck.output.diff_text import render_json

    started = time.process_time()
    render_json(diff_dirs(str(before), str(after)))
    return time.process_time() - started


def measure(nodes: int, runs: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        before, after, changed = build(Path(tmp), nodes)
        cli_cpu: list[float] = []
        cli_wall: list[float] = []
        inproc: list[float] = []
        for _ in range(runs):
            run = run_child([*bondcheck_argv(), "diff", str(before), str(after), "-o", "json"])
            assert run.rc == 1, (run.rc, run.stderr[-500:])  # something changed, by design
            data = json.loads(run.stdout)
            assert data["summary"]["nodes"] == nodes and data["summary"]["changed"] == changed
            cli_cpu.append(run.cpu_s)
            cli_wall.append(run.wall_s)
            inproc.append(in_process(before, after))
    cpu = median(cli_cpu)
    return {
        "nodes": nodes,
        "changed_nodes": changed,
        "runs": runs,
        "cli_cpu_s": round(cpu, 3),
        "cli_cpu_s_runs": [round(v, 3) for v in cli_cpu],
        "cli_wall_s": round(median(cli_wall), 3),
        "cli_cpu_s_per_100_nodes": round(cpu / nodes * 100, 3),
        "in_process_cpu_s": round(median(inproc), 3),
        "in_process_cpu_s_per_100_nodes": round(median(inproc) / nodes * 100, 3),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[500])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    load = load_now()
    series = [measure(n, args.runs) for n in args.nodes]
    result = {"series": series, "load_before": load, "load_after": load_now(),
              "machine": machine_info()}  # fmt: skip
    text = "\n".join(
        f"{s['nodes']:5} nodes: CLI {s['cli_cpu_s']:.3f} s CPU "
        f"({s['cli_cpu_s_per_100_nodes']:.3f} s per 100 nodes), in-process "
        f"{s['in_process_cpu_s']:.3f} s ({s['in_process_cpu_s_per_100_nodes']:.3f} s per 100)"
        for s in series
    )
    emit(result, as_json=args.json, out=args.out, text=text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
