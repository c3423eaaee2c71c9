"""Walk every scenario on a running lab and save real kernel evidence in the capture layout.

    OUT/<scenario>/proc/net/bonding/bond0   (absent for fault-no-bond)
    OUT/<scenario>/ip-addr.json             `ip -j addr show`
    OUT/<scenario>/ip-link.json             `ip -j -d link show`
    OUT/<scenario>/kernel.txt               `uname -r`

Scenario i always runs on node i % n, so the fixed per-node MACs make a regenerated set
diff cleanly against the previous one. 802.3ad captures wait (bounded) until the kernel's
60 s churn-detection window has closed, so they show the steady state ("none" or
"churned"), not the "monitoring" that every freshly built bond shows.
"""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.lab import bondproc as bp
from tests.lab.errors import LabTimeout
from tests.lab.harness import Lab
from tests.lab.scenarios import SCENARIOS

NONROOT = "healthy-802.3ad-nonroot"
CHURN_WAIT = 80.0


def write_capture(out: Path, name: str, cap: dict[str, str | None]) -> Path:
    """Replace OUT/<name> with the given capture (a stale bond0 file must not survive)."""
    target = out / name
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    if cap["bonding"] is not None:
        bonding = target / "proc" / "net" / "bonding"
        bonding.mkdir(parents=True)
        (bonding / "bond0").write_text(cap["bonding"])
    (target / "ip-addr.json").write_text(cap["ip_addr"] or "")
    (target / "ip-link.json").write_text(cap["ip_link"] or "")
    (target / "kernel.txt").write_text(cap["kernel"] or "")
    return target


def _one(
    lab: Lab,
    node: str,
    name: str,
    out: Path,
    settle_churn: bool,
    log: list[str],
    lock: threading.Lock,
) -> None:
    started = time.monotonic()
    bond = lab.scenario(node, name)
    if settle_churn and bond is not None and "802.3ad" in bond.mode:
        try:
            lab.wait_for(node, bp.churn_settled, CHURN_WAIT, "churn window closed")
        except LabTimeout as exc:
            with lock:
                log.append(f"note: {exc}")
    write_capture(out, name, lab.capture(node))
    if name == "healthy-802.3ad":
        write_capture(out, NONROOT, lab.capture(node, user="nobody"))
    with lock:
        log.append(f"{name:28} on {node}: {time.monotonic() - started:5.1f} s")


def walk(
    lab: Lab, out: Path, names: list[str] | None = None, settle_churn: bool = True
) -> list[str]:
    """Capture the named scenarios (default: all), nodes working in parallel; returns a log."""
    wanted = names or list(SCENARIOS)
    for name in wanted:
        if name not in SCENARIOS:
            raise SystemExit(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
    out.mkdir(parents=True, exist_ok=True)
    nodes = [n.name for n in lab.nodes]
    queues: dict[str, list[str]] = {n: [] for n in nodes}
    for i, name in enumerate(wanted):
        queues[nodes[i % len(nodes)]].append(name)
    log: list[str] = []
    lock = threading.Lock()

    def work(node: str) -> None:
        for name in queues[node]:
            _one(lab, node, name, out, settle_churn, log, lock)

    with ThreadPoolExecutor(max_workers=len(nodes)) as pool:
        list(pool.map(work, nodes))
    return log


def write_readme(out: Path, kernel: str, names: list[str]) -> None:
    """The README that says what these files are and how to make them again."""
    order = [n for n in SCENARIOS if n in names]
    rows = "\n".join(f"| `{n}` | {SCENARIOS[n].description} |" for n in order)
    if NONROOT in names:
        rows += (
            f"\n| `{NONROOT}` | healthy-802.3ad read by the unprivileged user `nobody`: "
            "the kernel hides the LACP details that need CAP_NET_ADMIN |"
        )
    (out / "README.md").write_text(f"""# Real kernel captures from the bondcheck lab

Every file below was printed by a real Linux kernel and real iproute2 inside the QEMU
guests of the bondcheck lab (`tests/lab`, see `docs/lab.md`), with the real `bonding`
driver. Nothing here is hand-written or edited.

Kernel: Debian cloud kernel `{kernel}` (also in each `kernel.txt`).

Each directory is one scenario, in the capture layout bondcheck reads with `--from-dir`:

```
<scenario>/proc/net/bonding/bond0   raw /proc text (absent when there is no bond)
<scenario>/ip-addr.json             ip -j addr show
<scenario>/ip-link.json             ip -j -d link show
<scenario>/kernel.txt               uname -r
```

Topology: the node's bond0 is `ens224` + `ens256` with 192.168.100.10/24; their veth peers
live in a network namespace "switch" that holds the LACP partner bond, a static LAG or a
bridge with 192.168.100.1/24. `eth0` is the guest's management NIC (10.0.2.15, plus the
`fec0::` address QEMU's user network advertises). MACs are fixed per lab node: node ports
`02:b0:00:<node>:00:0N`, switch ports `02:5e:00:<node>:00:0N`.

All captures were read as root (the privileged view) except `{NONROOT}`.
802.3ad captures were taken after the kernel's 60 s churn-detection window closed, so
they show the steady churn state: `none` on healthy ports, `churned` where a port never
reached sync (a pulled cable, no partner, the losing side of split aggregators).

| scenario | what it is |
|---|---|
{rows}

Regenerate (needs the lab packages: `scripts/lab-deps.sh`; about six minutes on 2 cores):

```
make lab-captures
# or: python -m tests.lab captures --out fixtures/captures/lab
```
""")
