"""``bondcheck diff`` on real kernels: a baseline, one change per node, and the diff names
exactly that change and nothing else; a node that did not change shows none.

Every snapshot is a real ``bondcheck collect --via ssh --out DIR`` of the lab's three guests
(real bonding driver, real LACP partner in the "switch" namespace). Two rounds, three nodes
each, changes made in parallel:

1. worker-0: the switch side of ens224 pulled and plugged back (a flap, link restored);
   worker-1: ens256 released from bond0; worker-2: untouched.
2. (new baseline) worker-0: lacp_rate fast -> slow (bond down, set, up: the kernel refuses
   it on a bond that is up); worker-1: an address
   put on the port ens256; worker-2: the LACP partner swapped for another system (the
   switch-side bond re-registered with another ``ad_actor_system`` MAC, as a different
   switch would answer). Then ``verify --baseline`` judges the same round live.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.lab import bondproc as bp
from tests.lab.harness import Lab

from .livekit import (
    LACP_POLICY,
    NODES,
    Picture,
    arrange,
    by_node,
    fault,
    in_parallel,
    restore_healthy,
    run_in_process,
)

OTHER_SWITCH = "02:5e:00:{index:02x}:00:99"


def collect(lab: Lab, out: Path) -> None:
    run = run_in_process(
        [
            "collect", "--policy-file", str(LACP_POLICY), "--via", "ssh",
            "--ssh-config", str(lab.ssh_config_path), "--out", str(out), "-q",
            *[arg for node in NODES for arg in ("--node", node)],
        ]
    )  # fmt: skip
    assert run.code == 0, run.output


def diff(before: Path, after: Path) -> dict[str, list[dict[str, Any]]]:
    run = run_in_process(["diff", str(before), str(after), "-o", "json"])
    data = json.loads(run.stdout)
    assert data["before"]["collected_at"] and data["after"]["collected_at"], data
    assert data["interval_s"] is not None and data["interval_s"] >= 0
    changed = any(n["status"] != "same" for n in data["nodes"])
    assert run.code == (1 if changed else 0), run.output
    assert all(n["status"] in ("same", "changed") for n in data["nodes"]), data
    return {n["node"]: n["changes"] for n in data["nodes"]}


def shown(changes: list[dict[str, Any]]) -> list[tuple[str, str | None, str]]:
    return [(c["id"], c["port"], c["message"]) for c in changes]


def swap_partner(lab: Lab, node: str, mac: str) -> None:
    """The switch-side partner bond answers as another system: ad_actor_system can only be
    set while the bond is down (its ports stay up, so the node sees no carrier loss)."""
    lab.check(
        node,
        "ip -n switch link set swbond down && "
        f"ip -n switch link set swbond type bond ad_actor_system {mac} && "
        "ip -n switch link set swbond up",
    )

    def moved(bond: Any) -> bool:
        return bond is not None and all(
            (p := bond.port(name)) is not None
            and p.partner_mac == mac
            and p.partner_state == 63
            and p.aggregator == bond.active_aggregator
            for name in ("ens224", "ens256")
        )

    lab.wait_for(node, moved, 90, f"partner {mac} on both ports")


def test_diff_names_exactly_each_change_on_real_kernels(lab: Lab, tmp_path: Path) -> None:
    restore_healthy(lab)
    before = tmp_path / "before"
    collect(lab, before)

    # ---- round 1: a flap that was restored, a port removed, a node left alone --------------
    arrange(
        lab,
        {
            "worker-0": Picture(
                None, (fault("cable-pull", port="ens224"), fault("cable-plug", port="ens224"))
            ),
            "worker-1": Picture(None, (fault("release", port="ens256"),)),
        },
    )
    after = tmp_path / "after-1"
    collect(lab, after)
    changes = diff(before, after)
    assert shown(changes["worker-0"]) == [
        (
            "DRIFT-FLAPS",
            "ens224",
            "ens224 failed 1 time since the baseline (link failure count 0 -> 1)",
        )
    ], changes["worker-0"]
    # When a port leaves, the kernel may re-select the aggregator of the one that stays (seen
    # on 6.1: "ens224 moved from aggregator 2 to 1"); drift reports that too, and nothing else.
    first, *rest = shown(changes["worker-1"])
    assert first == ("DRIFT-PORTS", "ens256", "ens256 left bond0"), changes["worker-1"]
    assert {c[0] for c in rest} <= {"DRIFT-AGGREGATOR"}, changes["worker-1"]
    assert changes["worker-2"] == []

    # ---- round 2: lacp_rate, an address on a port, another LACP partner -------------------
    lab.fault("worker-1", "enslave", port="ens256")
    before2 = tmp_path / "before-2"
    collect(lab, before2)
    other = OTHER_SWITCH.format(index=2)

    def change(node: str) -> None:
        if node == "worker-0":
            # the kernel takes lacp_rate only while the bond is down, as nmstate does it
            lab.check(
                node,
                "ip link set bond0 down && ip link set bond0 type bond lacp_rate slow && "
                "ip link set bond0 up",
            )
            lab.wait_for(node, bp.lacp_converged(exact=False), 90, "slow LACP converged")
        elif node == "worker-1":
            lab.fault(node, "add-address", dev="ens256", cidr="192.168.100.20/24")
        else:
            swap_partner(lab, node, other)

    in_parallel(change, NODES)
    after2 = tmp_path / "after-2"
    collect(lab, after2)
    changes = diff(before2, after2)
    assert shown(changes["worker-0"]) == [
        ("DRIFT-OPTIONS", None, "bond0 lacp_rate: fast -> slow")
    ], changes["worker-0"]
    assert shown(changes["worker-1"]) == [
        ("DRIFT-ADDRESSES", "ens256", "192.168.100.20/24 appeared on ens256")
    ], changes["worker-1"]
    partner = [c for c in changes["worker-2"] if c["id"] == "DRIFT-PARTNER"]
    assert [(c["port"], c["after"]["system_mac"]) for c in partner] == [
        ("ens224", other),
        ("ens256", other),
    ], changes["worker-2"]
    assert partner[0]["message"].startswith("ens224's LACP partner is a different switch")
    # a new partner is a new aggregator for the kernel; nothing else may show up
    assert {c["id"] for c in changes["worker-2"]} <= {"DRIFT-PARTNER", "DRIFT-AGGREGATOR"}

    # ---- the same round through verify --baseline, live over SSH -------------------------
    run = run_in_process(
        [
            "verify", "--policy-file", str(LACP_POLICY), "--via", "ssh",
            "--ssh-config", str(lab.ssh_config_path), "--baseline", str(before2), "-o", "json",
            *[arg for node in NODES for arg in ("--node", node)],
        ]
    )  # fmt: skip
    nodes = by_node(run.report())
    drift = {
        name: sorted({r["check"] for r in node["results"] if r["check"].startswith("DRIFT-")})
        for name, node in nodes.items()
    }
    assert drift["worker-0"] == ["DRIFT-OPTIONS"]
    assert drift["worker-1"] == ["DRIFT-ADDRESSES"]
    assert "DRIFT-PARTNER" in drift["worker-2"]
    assert all(
        r["status"] == "warn"
        for node in nodes.values()
        for r in node["results"]
        if r["check"].startswith("DRIFT-")
    )
    restore_healthy(lab)
