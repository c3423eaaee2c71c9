"""Helpers for the failover lab tests: node state as the kernel shows it, CLI runs, cleanup."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondcheck.parse.procfs import parse_bonding
from tests.lab.harness import Lab

REPO = Path(__file__).resolve().parents[2]
LACP_POLICY = str(REPO / "fixtures" / "policies" / "worker-bond-lacp.yaml")
AB_POLICY = str(REPO / "fixtures" / "policies" / "worker-bond-ab.yaml")
#: The lab node these tests drive (worker-1 of the session lab; override to reuse another).
NODE = os.environ.get("BONDCHECK_FAILOVER_NODE", "worker-1")
TARGET = "192.168.100.1"
MARKERS = "/run/bondcheck"


@dataclass(frozen=True)
class PortState:
    admin_up: bool
    carrier: bool
    mii: str
    link_failures: int | None


def port_state(lab: Lab, port: str, node: str = NODE) -> PortState:
    rc, out, err = lab.run(node, f"ip -j link show dev {port}", mutates=False)
    assert rc == 0, err
    flags = json.loads(out)[0]["flags"]
    text = lab.bonding_text(node)
    assert text is not None
    observed = parse_bonding(text, name="bond0").port(port)
    assert observed is not None
    return PortState("UP" in flags, "LOWER_UP" in flags, observed.mii_status,
                     observed.link_failure_count)  # fmt: skip


def markers(lab: Lab, node: str = NODE) -> list[dict[str, str]]:
    """Every marker directory left on the node: its name and which files it holds."""
    script = (
        f'for d in {MARKERS}/failover-*; do [ -d "$d" ] || continue; '
        'printf "%s %s\\n" "$d" "$(ls "$d" | tr "\\n" ",")"; done; '
        f'[ -d {MARKERS}/lock ] && echo "lock $(cat {MARKERS}/lock/token)"; true'
    )
    _rc, out, _err = lab.run(node, script, mutates=False)
    found = []
    for line in out.splitlines():
        name, _, files = line.partition(" ")
        found.append({"dir": name, "files": files})
    return found


def timer_seconds(lab: Lab, node: str = NODE) -> float:
    """Node-clock seconds from arming the (only) restore timer to its firing.

    Read from the node itself (the timer writes its ``pid`` file just before it starts to
    sleep, ``fired`` holds the time it ran), so a loaded host's polling delay does not count.
    The pull happens after arming, so the port was down for at most this long.
    """
    script = (
        f'for d in {MARKERS}/failover-*; do [ -e "$d/fired" ] || continue; '
        'echo "$(date -r "$d/pid" +%s) $(head -n 1 "$d/fired")"; done'
    )
    _rc, out, _err = lab.run(node, script, mutates=False)
    lines = out.split("\n")
    armed, fired = lines[0].split()
    return float(fired) - float(armed)


def wait(predicate: Callable[[], bool], limit: float, what: str, every: float = 0.2) -> float:
    start = time.monotonic()
    while not predicate():
        if time.monotonic() - start > limit:
            raise AssertionError(f"{what}: not within {limit:.0f} s")
        time.sleep(every)
    return time.monotonic() - start


def quiesce(lab: Lab, node: str = NODE) -> None:
    """Disarm leftover timers, plug every cable back and clear the marker directory."""
    lab.run(node,
            f'for d in {MARKERS}/failover-*; do p=$(cat "$d/pid" 2>/dev/null); '
            '[ -n "$p" ] && grep -q restorer "/proc/$p/cmdline" 2>/dev/null && kill "$p"; '
            'q=$(cat "$d/ping.pid" 2>/dev/null); '
            '[ -n "$q" ] && grep -q ping "/proc/$q/cmdline" 2>/dev/null && kill "$q"; done; '
            f"rm -rf {MARKERS}; "
            "ip -n switch link set sw-ens224 up; ip -n switch link set sw-ens256 up; "
            "ip link set ens224 up; ip link set ens256 up; true")  # fmt: skip


def cli_args(lab: Lab, policy: str, *args: str, node: str = NODE) -> list[str]:
    return [sys.executable, "-m", "bondcheck", "failover", "--policy-file", policy,
            "--node", node, "--ssh-config", str(lab.ssh_config_path), "--target", TARGET,
            "--color", "never", "--connect-timeout", "90", *args]  # fmt: skip


def run_cli(
    lab: Lab, policy: str, *args: str, timeout: float = 600, node: str = NODE
) -> tuple[int, Any, str]:
    """Run the CLI with ``-o json``; (exit code, parsed report or None, stderr)."""
    proc = subprocess.run(cli_args(lab, policy, "-o", "json", *args, node=node),
                          capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, env=dict(os.environ),
                          check=False)  # fmt: skip
    data = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
    return proc.returncode, data, proc.stderr


def ports(report: Any) -> dict[str, dict[str, Any]]:
    return {p["port"]: p for p in report["nodes"][0]["ports"]}
