"""The node agent's footprint beside node_exporter's, measured the same way.

    python bench/agent_footprint.py --json

bondcheck's agent runs on every node, so its memory and CPU are paid once per node. This
starts ``bondcheck agent`` (the demo's worker-1 capture against the demo policy, evaluated as
fast as it can go: ``--interval 0.01``) and reads from /proc:

* RSS after 20 and after 1,000 evaluations (growth with uptime would show as the difference);
* CPU per evaluation (the process and its waited-for children, /proc/PID/stat);
* CPU per scrape of /metrics (with evaluations paused by a long interval);
* the same CPU per evaluation when it reads this machine's kernel through the collection
  script (``sh``, ``cat``, ``ip`` x2, ``uname``: the children's CPU is counted too);

and node_exporter (Debian's package, unpacked; default collectors) scraped 20 times on
loopback: its RSS and CPU per scrape. Goal: agent RSS at most 1.5x node_exporter's, at most
10 ms CPU per evaluation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, emit, key_values, load_now, machine_info
from tests.prom.stack import http_get, node_exporter_binary
from tests.sshd.server import free_port

DEMO = ROOT / "fixtures" / "demo"
TICK = os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_s(pid: int, children: bool = True) -> float:
    """utime + stime (+ cutime + cstime: children it waited for) in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICK


@contextlib.contextmanager
def process(argv: Sequence[str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(list(argv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_url(url: str, timeout: float = 30.0) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with contextlib.suppress(OSError):
            return http_get(url)
        time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer")


def evaluations(url: str) -> int:
    for line in http_get(url).splitlines():
        if line.startswith("bondcheck_agent_evaluations_total "):
            return int(float(line.split()[1]))
    return 0


def wait_evaluations(url: str, count: int, timeout: float = 300.0) -> None:
    end = time.monotonic() + timeout
    while evaluations(url) < count:
        if time.monotonic() > end:
            raise RuntimeError(f"fewer than {count} evaluations in {timeout:.0f}s")
        time.sleep(0.05)


def agent_argv(port: int, interval: str, *, local: bool = False) -> list[str]:
    argv = [sys.executable, "-m", "bondcheck", "agent", "--node", "worker-1",
            "--policy-file", str(DEMO / "policy.yaml"), "--listen", f"127.0.0.1:{port}",
            "--interval", interval]  # fmt: skip
    return argv if local else [*argv, "--from-dir", str(DEMO / "captures")]


def measure_agent(total: int) -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    with process(agent_argv(port, "0.01")) as proc:
        wait_url(url)
        wait_evaluations(url, 20)
        rss20, cpu20, n20 = rss_kb(proc.pid), cpu_s(proc.pid), evaluations(url)
        wait_evaluations(url, total)
        rss_end, cpu_end, n_end = rss_kb(proc.pid), cpu_s(proc.pid), evaluations(url)
    per_eval = (cpu_end - cpu20) / max(n_end - n20, 1)
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    with process(agent_argv(port, "1h")) as proc:
        wait_url(url)
        before = cpu_s(proc.pid)
        for _ in range(200):
            http_get(url)
        per_scrape = (cpu_s(proc.pid) - before) / 200
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    with process(agent_argv(port, "0.05", local=True)) as proc:
        wait_url(url)
        wait_evaluations(url, 5)
        before, n0 = cpu_s(proc.pid), evaluations(url)
        wait_evaluations(url, n0 + 100)
        local = (cpu_s(proc.pid) - before) / (evaluations(url) - n0)
    return {
        "agent_rss_mb_after_20": round(rss20 / 1024, 1),
        "agent_rss_mb_after_total": round(rss_end / 1024, 1),
        "agent_evaluations": n_end,
        "agent_cpu_ms_per_evaluation": round(per_eval * 1000, 2),
        "agent_cpu_ms_per_scrape": round(per_scrape * 1000, 2),
        "agent_local_kernel_cpu_ms_per_evaluation": round(local * 1000, 2),
    }


def measure_node_exporter() -> dict[str, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    argv = [str(node_exporter_binary()), f"--web.listen-address=127.0.0.1:{port}"]
    with process(argv) as proc:
        wait_url(url)
        before = cpu_s(proc.pid)
        for _ in range(20):
            http_get(url)
        return {
            "node_exporter_rss_mb_after_20_scrapes": round(rss_kb(proc.pid) / 1024, 1),
            "node_exporter_cpu_ms_per_scrape": round((cpu_s(proc.pid) - before) / 20 * 1000, 2),
        }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--out", type=Path, help="also write the JSON here")
    parser.add_argument("--evaluations", type=int, default=1000)
    args = parser.parse_args(argv)
    load = load_now()
    result: dict[str, object] = {**measure_agent(args.evaluations), **measure_node_exporter()}
    result["rss_ratio"] = round(
        float(result["agent_rss_mb_after_total"])  # type: ignore[arg-type]
        / float(result["node_exporter_rss_mb_after_20_scrapes"]),  # type: ignore[arg-type]
        2,
    )
    result["load_before"] = load
    result["machine"] = machine_info()
    emit(result, as_json=args.json, out=args.out, text=key_values(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
