#!/usr/bin/env python3
"""Build fixtures/demo/ (the README's first command) from the lab's real kernel captures.

    fixtures/demo/policy.yaml              copy of fixtures/policies/worker-bond-lacp.yaml
    fixtures/demo/captures/worker-0/...    lab scenario healthy-802.3ad
    fixtures/demo/captures/worker-1/...    lab scenario fault-no-lacp-partner
    fixtures/demo/captures/worker-2/...    lab scenario fault-ip-on-port
    fixtures/demo/captures/worker-3/...    lab scenario fault-port-removed

Every file is copied byte for byte from fixtures/captures/lab/<scenario>/ (written by a real
kernel in the QEMU lab: `python -m tests.lab captures`); only the directory names change, and
a meta.json records which scenario each node came from. Empty files (a command that printed
nothing) are left out, as `bondcheck collect` would. Run again after regenerating the lab
captures: the demo is replaced, never merged.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAB = ROOT / "fixtures" / "captures" / "lab"
POLICY = ROOT / "fixtures" / "policies" / "worker-bond-lacp.yaml"
DEMO = ROOT / "fixtures" / "demo"

NODES: dict[str, tuple[str, str]] = {
    "worker-0": ("healthy-802.3ad", "healthy: LACP converged, address on bond0"),
    "worker-1": ("fault-no-lacp-partner", "the switch drops LACPDUs: no LACP partner"),
    "worker-2": ("fault-ip-on-port", "ens256 carries an address of its own"),
    "worker-3": ("fault-port-removed", "ens256 was released from bond0"),
}
FILES = ("proc/net/bonding/bond0", "ip-addr.json", "ip-link.json", "kernel.txt")


def build(lab: Path = LAB, demo: Path = DEMO) -> list[str]:
    """Write the demo tree; returns one line per node. Exits 2 when a scenario is missing."""
    missing = [s for s, _ in NODES.values() if not (lab / s).is_dir()]
    if missing:
        sys.exit(
            f"make-demo: no lab capture for {', '.join(missing)} under {lab}; run "
            "`python -m tests.lab captures --out fixtures/captures/lab` first"
        )
    captures = demo / "captures"
    if captures.exists():
        shutil.rmtree(captures)
    demo.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(POLICY, demo / "policy.yaml")
    log = []
    for node, (scenario, what) in NODES.items():
        src, dst = lab / scenario, captures / node
        copied = []
        for rel in FILES:
            path = src / rel
            if path.is_file() and path.stat().st_size > 0:
                (dst / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dst / rel)
                copied.append(rel)
        meta = {
            "schema_version": 1,
            "node": node,
            "collected_via": "ssh",
            "privileged": True,
            "bonds_absent": [] if "proc/net/bonding/bond0" in copied else ["bond0"],
            "notes": [f"bondcheck lab scenario {scenario}: {what}"],
        }
        (dst / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
        log.append(f"{node}: {scenario} ({', '.join(copied)})")
    return log


if __name__ == "__main__":
    for line in build():
        print(line)
    print(f"demo written to {DEMO.relative_to(ROOT)}")
