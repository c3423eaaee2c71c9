"""oc-debug at scale: ``bondcheck verify --via oc-debug`` over 50 nodes, 2 s per debug pod.

    python bench/oc_debug.py --json

``oc`` is the stand-in of tests/standins/bin/oc (it reproduces oc debug's argv, output and
signals; ``BONDCHECK_STANDIN_LATENCY`` is the seconds a debug pod takes to start). It runs the
real collection script on this machine with ``/proc/net/bonding/`` mapped to the lab capture
(``BONDCHECK_STANDIN_BONDING_DIR``), so every node yields real bond text; ``ip -j`` output is
this machine's own, so address checks may fail - the benchmark requires evidence from every
node (no node in error), not passing checks. The cluster (the 50 worker Node objects bondcheck
selects from) is the API server stand-in of tests/standins/apiserver.py, in this process.

Goal: wall time within 1.2x of ceil(nodes / concurrency) x latency, start-up included, at
bondcheck's default oc-debug concurrency; wider concurrencies are measured too.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the stand-ins

from bench.common import ROOT, bondcheck_argv, emit, load_now, machine_info, median, run_child
from bench.sshfleet import CAPTURE, POLICY

STANDIN_OC = ROOT / "tests" / "standins" / "bin" / "oc"
DEFAULT_CONCURRENCY = 10  # bondcheck's DebugPodTransport.default_concurrency


def node_names(count: int) -> list[str]:
    return [f"worker-{index:02d}" for index in range(count)]


def node_object(name: str, index: int) -> dict[str, object]:
    """A minimal Ready worker Node, as the API server returns it."""
    return {
        "apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "labels": {"node-role.kubernetes.io/worker": "",
                                               "kubernetes.io/hostname": name}},
        "status": {"addresses": [{"type": "InternalIP", "address": f"10.0.{index // 250}."
                                  f"{10 + index % 250}"}],
                   "conditions": [{"type": "Ready", "status": "True"}]},
    }  # fmt: skip


@contextlib.contextmanager
def cluster(count: int, workdir: Path) -> Iterator[Path]:
    """The API server stand-in serving ``count`` worker nodes; yields a kubeconfig."""
    from standins.apiserver import ApiServerStandIn  # type: ignore[import-not-found]

    server = ApiServerStandIn().start()
    try:
        for index, name in enumerate(node_names(count)):
            server.store.add(node_object(name, index))
        yield server.write_kubeconfig(workdir / "kubeconfig")
    finally:
        server.stop()


@dataclass(frozen=True)
class OcRun:
    wall_s: float
    cpu_s: float
    maxrss_kb: int
    leftover_pods: int


def run_once(
    nodes: int, jobs: int | None, latency: float, timeout: float, kubeconfig: Path
) -> OcRun:
    with tempfile.TemporaryDirectory(prefix="bondcheck-bench-oc-") as state:
        env = {
            **os.environ,
            "KUBECONFIG": str(kubeconfig),
            "BONDCHECK_STANDIN_STATE": state,
            "BONDCHECK_STANDIN_LATENCY": f"{latency:g}",
            "BONDCHECK_STANDIN_BONDING_DIR": str(CAPTURE / "proc" / "net" / "bonding"),
        }
        env.pop("BONDCHECK_STANDIN_SSH_CONFIG", None)
        argv = [*bondcheck_argv(), "verify", "--policy-file", str(POLICY), "--via", "oc-debug",
                "--oc", str(STANDIN_OC), "-o", "json", "-q", "--timeout", "120"]  # fmt: skip
        if jobs is not None:
            argv += ["-j", str(jobs)]
        for name in node_names(nodes):
            argv += ["--node", name]
        run = run_child(argv, env=env, timeout=timeout)
        leftover = list(Path(state, "pods").glob("*/*.json"))
    try:
        summary = json.loads(run.stdout)["summary"]
    except (ValueError, KeyError, TypeError):
        summary = {}
    if run.timed_out or summary.get("nodes") != nodes or summary.get("error") != 0:
        raise SystemExit(f"oc-debug run failed (rc={run.rc}, summary={summary}): "
                         f"{run.stderr.strip()[-400:]}")  # fmt: skip
    return OcRun(run.wall_s, run.cpu_s, run.maxrss_kb, len(leftover))


def _measure(value: str, args: argparse.Namespace, kubeconfig: Path) -> dict[str, object]:
    jobs = None if value == "default" else int(value)
    width = DEFAULT_CONCURRENCY if jobs is None else jobs
    runs = [
        run_once(args.nodes, jobs, args.latency, args.timeout, kubeconfig)
        for _ in range(args.repeat)
    ]
    ideal = math.ceil(args.nodes / width) * args.latency
    wall = median([r.wall_s for r in runs])
    row: dict[str, object] = {
        "concurrency": width, "default": jobs is None, "ideal_s": ideal,
        "wall_s": round(wall, 3), "walls_s": [round(r.wall_s, 2) for r in runs],
        "ratio_to_ideal": round(wall / ideal, 3) if ideal else None,
        "cpu_s": round(median([r.cpu_s for r in runs]), 3),
        "maxrss_mb": round(median([r.maxrss_kb for r in runs]) / 1024, 1),
        "leftover_pods": max(r.leftover_pods for r in runs),
        "within_1.2x": wall <= 1.2 * ideal,
    }  # fmt: skip
    print(f"  -j {width:3d}: {wall:6.2f}s (ideal {ideal:g}s, x{row['ratio_to_ideal']})",
          file=sys.stderr, flush=True)  # fmt: skip
    return row


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=50)
    parser.add_argument("--latency", type=float, default=2.0, help="seconds per debug pod")
    parser.add_argument(
        "--concurrency",
        default="default,25,50",
        help="comma list of -j values; 'default' = bondcheck's own",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    # A SIGTERM must unwind the with-blocks, so the sshd fleet / API stand-in are stopped too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if not STANDIN_OC.exists():
        raise SystemExit(f"the oc stand-in {STANDIN_OC} is missing")
    load = load_now()
    workdir = Path(tempfile.mkdtemp(prefix="bondcheck-bench-kube-"))
    try:
        with cluster(args.nodes, workdir) as kubeconfig:
            rows = [_measure(value, args, kubeconfig) for value in args.concurrency.split(",")]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    default = next((r for r in rows if r["default"]), rows[0])
    result = {
        "nodes": args.nodes, "latency_s": args.latency, "runs": rows,
        "oc_debug_s": default["wall_s"], "oc_debug_ideal_s": default["ideal_s"],
        "goals": {"default_concurrency_within_1.2x_of_ideal": default["within_1.2x"]},
        "repeat": args.repeat, "load_before": load, "load_after": load_now(),
        "machine": machine_info(),
    }  # fmt: skip
    emit(result, as_json=args.json, out=args.out, text=json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
