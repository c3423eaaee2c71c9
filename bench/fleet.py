"""Fleet benchmark: bondcheck over SSH against xargs + OpenSSH, Ansible and bare paramiko.

    python bench/fleet.py --json                 # 200 nodes, 100 ms delay, 50 at a time, 3 runs
    python bench/fleet.py --series --json        # bondcheck alone at N = 10, 50, 200, 500

Each side is one child process tree over the same loopback fleet (bench/sshfleet.py); wall
time, controller CPU (that tree's user + system time, waited-for descendants included; the
sshd side is not) and peak RSS come from the kernel's accounting of the tree. Sides are run
in rotating order, ``--repeat`` times, and medians are reported, because the machine is shared.
The sshd side's CPU is read too (the listeners' reaped children), to show when a run is bound
by the servers rather than by the client.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, load_now, machine_info, median, raise_nofile, ratio
from bench.sides import SIDES, SideRun, run_side
from bench.sshfleet import Fleet, running_fleet

TICKS = os.sysconf("SC_CLK_TCK")


def server_cpu_s(fleet: Fleet) -> float:
    """CPU of the sshd listeners and every session they reaped so far (the server side)."""
    total = 0
    for pid in fleet.sshd_pids():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime stime cutime cstime
    return total / TICKS


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure(
    fleet: Fleet, sides: Sequence[str], jobs: int, repeat: int, timeout: float
) -> tuple[list[SideRun], dict[str, list[float]]]:
    """Every side ``repeat`` times, in rotating order; also the server CPU of each run."""
    runs: list[SideRun] = []
    server: dict[str, list[float]] = {side: [] for side in sides}
    for round_no in range(repeat):
        order = list(sides[round_no % len(sides) :]) + list(sides[: round_no % len(sides)])
        for side in order:
            before = server_cpu_s(fleet)
            result = run_side(side, fleet, jobs, timeout)
            runs.append(result)
            if result.run is None:
                _log(f"  {side:10s} n={result.nodes:4d} FAILED: {result.failure}")
                continue
            server[side].append(server_cpu_s(fleet) - before)
            _log(f"  {side:10s} n={result.nodes:4d} wall {result.run.wall_s:7.2f}s  "
                 f"cpu {result.run.cpu_s:7.2f}s  rss {result.run.maxrss_kb / 1024:6.1f}MB  "
                 f"server cpu {server[side][-1]:6.1f}s  load {result.load}")  # fmt: skip
    return runs, server


def summarize(
    runs: Sequence[SideRun], server: dict[str, list[float]], nodes: int
) -> dict[str, object]:
    """Medians per side, per-node figures, ratios and the goals of docs/benchmarks.md."""
    out: dict[str, object] = {"nodes": nodes}
    for side in dict.fromkeys(r.side for r in runs):
        mine = [r.run for r in runs if r.side == side and r.run is not None]
        if not mine:
            continue
        wall = median([r.wall_s for r in mine])
        cpu = median([r.cpu_s for r in mine])
        out[f"{side}_s"] = round(wall, 3)
        out[f"{side}_cpu_s"] = round(cpu, 3)
        out[f"{side}_cpu_ms_per_node"] = round(cpu * 1000 / nodes, 2)
        out[f"{side}_maxrss_mb"] = round(median([r.maxrss_kb for r in mine]) / 1024, 1)
        out[f"{side}_server_cpu_ms_per_node"] = round(median(server[side]) * 1000 / nodes, 1)
        out[f"{side}_walls_s"] = [round(r.wall_s, 2) for r in mine]
        out[f"{side}_cpus_s"] = [round(r.cpu_s, 3) for r in mine]
    ratios: dict[str, float | None] = {}
    goals: dict[str, bool] = {}
    b_wall, b_cpu = out.get("bondcheck_s"), out.get("bondcheck_cpu_s")
    if isinstance(b_wall, float) and isinstance(b_cpu, float):
        goals["cpu_per_node_at_most_15ms"] = b_cpu * 1000 / nodes <= 15.0
        for other in ("xargs_ssh", "ansible", "paramiko"):
            o_wall, o_cpu = out.get(f"{other}_s"), out.get(f"{other}_cpu_s")
            if not (isinstance(o_wall, float) and isinstance(o_cpu, float)):
                continue
            ratios[f"wall_bondcheck_over_{other}"] = ratio(b_wall, o_wall)
            ratios[f"cpu_{other}_over_bondcheck"] = ratio(o_cpu, b_cpu)
        x = ratios.get("wall_bondcheck_over_xargs_ssh")
        if x is not None:
            goals["wall_within_1.2x_of_xargs_ssh"] = x <= 1.2
            goals["cpu_8x_less_than_xargs_ssh"] = (ratios["cpu_xargs_ssh_over_bondcheck"] or 0) >= 8
        if ratios.get("cpu_ansible_over_bondcheck") is not None:
            goals["cpu_12x_less_than_ansible"] = (ratios["cpu_ansible_over_bondcheck"] or 0) >= 12
    out["ratios"] = ratios
    out["goals"] = goals
    out["loads"] = [r.load for r in runs]
    out["failed_runs"] = [f"{r.side}: {r.failure}" for r in runs if r.failure]
    return out


def series(
    counts: Sequence[int], delay_s: float, jobs: int, repeat: int, timeout: float,
    sides: Sequence[str],
) -> dict[str, object]:  # fmt: skip
    """bondcheck (and any other ``sides``) at each N over one fleet of max(N) nodes."""
    rows: list[dict[str, object]] = []
    with running_fleet(max(counts), delay_s) as fleet:
        for count in counts:
            _log(f"series: {count} nodes")
            sub = fleet.subset(count)
            runs, server = measure(sub, sides, jobs, repeat, timeout)
            rows.append(summarize(runs, server, count))
    measured = [r for r in rows if "bondcheck_maxrss_mb" in r]  # rows whose runs all failed
    xs = [float(r["nodes"]) for r in measured]  # type: ignore[arg-type]
    ys = [float(r["bondcheck_maxrss_mb"]) for r in measured]  # type: ignore[arg-type]
    slope, intercept = _fit(xs, ys)
    return {
        "series": rows,
        "bondcheck_mb_per_100_nodes": round(slope * 100, 2),
        "bondcheck_mb_at_0_nodes": round(intercept, 1),
    }


def _fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares line through (xs, ys)."""
    if len(xs) < 2:
        return math.nan, math.nan
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


def _table(result: dict[str, object]) -> str:
    nodes = result["nodes"]
    failed = result.get("failed_runs") or []
    lines = [
        f"{nodes} nodes  (medians)",
        f"{'side':10s} {'wall s':>8s} {'cpu s':>8s} {'cpu ms/node':>12s} {'rss MB':>8s}",
    ]
    for side in SIDES:
        if f"{side}_s" in result:
            lines.append(f"{side:10s} {result[f'{side}_s']:8.2f} {result[f'{side}_cpu_s']:8.2f} "
                         f"{result[f'{side}_cpu_ms_per_node']:12.2f} "
                         f"{result[f'{side}_maxrss_mb']:8.1f}")  # fmt: skip
    lines += [f"FAILED {f}" for f in failed]  # type: ignore[attr-defined]
    lines.append(f"ratios: {json.dumps(result['ratios'])}")
    lines.append(f"goals:  {json.dumps(result['goals'])}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=100.0)
    parser.add_argument("--jobs", "-j", type=int, default=50, help="parallelism of every side")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side (medians)")
    parser.add_argument("--sides", default=",".join(SIDES), help="comma list of sides")
    parser.add_argument(
        "--series",
        nargs="?",
        const="10,50,200,500",
        default=None,
        help="scaling series instead: comma list of N (default 10,50,200,500)",
    )
    parser.add_argument("--series-sides", default="bondcheck")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per side run")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--out", type=Path, help="also write the JSON to this file")
    args = parser.parse_args(argv)
    # A SIGTERM must unwind the with-blocks, so the sshd fleet / API stand-in are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sides = [s for s in args.sides.split(",") if s]
    unknown = [s for s in sides if s not in SIDES]
    if unknown or args.nodes < 1 or args.repeat < 1:
        parser.error(f"unknown side(s) {unknown}" if unknown else "--nodes/--repeat must be >= 1")
    nofile = raise_nofile()
    load_before = load_now()
    if args.series:
        counts = sorted({int(n) for n in args.series.split(",")})
        result: dict[str, object] = series(
            counts,
            args.delay_ms / 1000,
            args.jobs,
            args.repeat,
            args.timeout,
            args.series_sides.split(","),
        )
        text = "\n\n".join(_table(row) for row in result["series"])  # type: ignore[attr-defined]
        text += f"\nbondcheck: {result['bondcheck_mb_per_100_nodes']} MB per 100 nodes"
    else:
        with running_fleet(args.nodes, args.delay_ms / 1000) as fleet:
            runs, server = measure(fleet, sides, args.jobs, args.repeat, args.timeout)
        result = summarize(runs, server, args.nodes)
        text = _table(result)
    result.update({
        "delay_ms": args.delay_ms, "jobs": args.jobs, "repeat": args.repeat,
        "rlimit_nofile": list(nofile), "load_before": load_before, "load_after": load_now(),
        "machine": machine_info(),
    })  # fmt: skip
    emit(result, as_json=args.json, out=args.out, text=text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
