"""Where a ``bondcheck verify --via ssh`` fleet run spends its time and memory, phase by phase.

    python bench/fleet_profile.py --nodes 200 [--memory]

The run is done in-process, through the same functions the CLI calls (``bondcheck.run``,
``bondcheck.output.render``), over the loopback fleet of bench/sshfleet.py, so each phase can
be clocked on its own: imports, policy, collection (connect + collect + parse-on-arrival),
judging, report rendering. Clocks: wall time and the process's CPU time (all threads).
``--memory`` traces allocations (tracemalloc; it slows the run down, so its timings are not
reported) and lists what is still held per node after the report is built.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import load_now, raise_nofile
from bench.sshfleet import POLICY, running_fleet


class Clock:
    """Wall and CPU seconds of named phases, and (tracing) each phase's peak of memory."""

    def __init__(self, memory: bool) -> None:
        self.phases: dict[str, dict[str, float]] = {}
        self.memory = memory

    def run(self, name: str, fn: Callable[[], Any]) -> Any:
        import tracemalloc

        if self.memory:
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
        wall, cpu = time.perf_counter(), time.process_time()
        result = fn()
        self.phases[name] = {"wall_s": round(time.perf_counter() - wall, 4),
                             "cpu_s": round(time.process_time() - cpu, 4)}  # fmt: skip
        if self.memory:
            now, peak = tracemalloc.get_traced_memory()
            self.phases[name] = {"held_mb": round((now - before) / 2**20, 2),
                                 "transient_peak_mb": round((peak - now) / 2**20, 2)}  # fmt: skip
        return result


def _imports() -> None:
    import paramiko  # noqa: F401

    import bondcheck.fleet
    import bondcheck.judge
    import bondcheck.output.render
    import bondcheck.run
    import bondcheck.transport.ssh  # noqa: F401


def profile(nodes: int, delay_s: float, jobs: int, memory: bool, fmt: str) -> dict[str, Any]:
    clock = Clock(memory)
    if memory:
        import tracemalloc

        tracemalloc.start(8)
    clock.run("imports", _imports)
    from bondcheck.output.render import write_report
    from bondcheck.run import VerifyRequest, build_report, gather, load_policy
    from bondcheck.transport.options import TransportOptions

    with running_fleet(nodes, delay_s) as fleet:
        request = VerifyRequest(
            policy_file=str(POLICY), nodes=fleet.nodes, via="ssh", concurrency=jobs,
            options=TransportOptions(ssh_config=str(fleet.ssh_config)),
        )  # fmt: skip
        policy = clock.run("policy", lambda: load_policy(request))
        via, items, policies = clock.run("collect", lambda: gather(request, policy, _Null()))
    report = clock.run("judge", lambda: build_report(policy, items, transport=via,
                                                     policies=policies))  # fmt: skip
    out = io.StringIO()
    clock.run("render", lambda: write_report(report, fmt, out, verbose=False, color="never"))
    passed = sum(1 for n in report.nodes if n.status.value == "pass")
    result: dict[str, Any] = {"nodes": nodes, "passed": passed, "report_bytes": len(out.getvalue())}
    result["phases"] = clock.phases
    if memory:
        result["memory"] = _memory(nodes, items, report)
    else:
        cpu = sum(p["cpu_s"] for p in clock.phases.values())
        result["cpu_ms_per_node_in_process"] = round(cpu * 1000 / nodes, 2)
    return result


class _Null:
    """A Reporter that reports nothing (the CLI's -q)."""

    def stage(self, node: str, stage: str) -> None:
        return None

    def done(self, node: str, ok: bool, message: str = "") -> None:
        return None


def _memory(nodes: int, items: Sequence[Any], report: Any) -> dict[str, Any]:
    """What the evidence and the report still hold, per node, by allocating file."""
    import tracemalloc

    snapshot = tracemalloc.take_snapshot()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    top = snapshot.statistics("filename")[:12]
    return {
        "traced_now_mb": round(current / 2**20, 2),
        "traced_peak_mb": round(peak / 2**20, 2),
        "kb_per_node_now": round(current / 1024 / nodes, 1),
        "top_files": [
            {
                "file": _short(str(s.traceback[0].filename)),
                "kb_per_node": round(s.size / 1024 / nodes, 2),
            }
            for s in top
        ],
        "evidence_text_kb_per_node": round(_text_bytes(items) / 1024 / nodes, 2),
        "held": len(items) + len(report.nodes),
    }


def _short(path: str) -> str:
    return path.split("site-packages/")[-1].split("/main/")[-1]


def _text_bytes(items: Sequence[Any]) -> int:
    """Characters of raw evidence text (bond files and ip -j output) held by ``items``."""
    total = 0
    for item in items:
        total += len(item.ip_addr or "") + len(item.ip_link or "")
        total += sum(len(text or "") for text in item.bonds.values())
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--delay-ms", type=float, default=100.0)
    parser.add_argument("--jobs", "-j", type=int, default=50)
    parser.add_argument("--format", default="json", help="report format to render")
    parser.add_argument("--memory", action="store_true", help="trace allocations instead")
    args = parser.parse_args(argv)
    raise_nofile()
    load = load_now()
    result = profile(args.nodes, args.delay_ms / 1000, args.jobs, args.memory, args.format)
    result.update({"load_before": load, "load_after": load_now()})
    print(json.dumps(result, indent=2))
    return 0 if result["passed"] == args.nodes else 1


if __name__ == "__main__":
    sys.exit(main())
