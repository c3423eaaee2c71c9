"""`bondcheck verify --via ssh` against the lab's real bonded kernels gives the right verdicts.

Every verdict here comes from a real Debian kernel's bonding driver read over real OpenSSH by
bondcheck's own SSH transport, with the lab's generated ssh config - the operator's command
line. Nothing is stubbed: the faults are real carrier loss, admin-down ports, released
ports, LACP without a partner, and so on (see docs/lab.md).

Cost: a scenario rebuild is 5-9 s per TCG guest, so the fault table runs as four rounds of
three nodes, each node put into its picture in parallel and all three judged by ONE
bondcheck call, and light faults are stacked on the previous round's state where that gives
the next picture for free (cable pull on ens224, then on ens256 = every cable pulled).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.lab.harness import Lab

from .livekit import (
    AB_POLICY,
    HEALTHY,
    LACP_POLICY,
    Expect,
    Finding,
    Picture,
    arrange,
    by_node,
    fault,
    mismatches,
    partner_macs,
    restore_healthy,
    results,
    run_in_process,
    run_subprocess,
    switch_mac,
    verify_args,
)

LACP_EXTRAS = frozenset({"LACP-PORT-STATE", "LACP-AGGREGATOR", "LACP-SAME-PARTNER"})


def test_subprocess_verify_judges_a_healthy_and_a_faulted_node(lab: Lab) -> None:
    """The issue's exact command, as a real process: both healthy -> exit 0 and a PASS row per
    node; then a switch-side cable pull on worker-1 -> exit 1, worker-1 fails PORT-MII on that
    port while worker-0 still passes, as the JSON report says node by node."""
    arrange(lab, {"worker-0": Picture(HEALTHY), "worker-1": Picture(HEALTHY)})
    nodes = ["worker-0", "worker-1"]

    healthy = run_subprocess(verify_args(lab.ssh_config_path, nodes, json_output=False))
    assert healthy.code == 0, healthy.output
    rows = [ln.split() for ln in healthy.stdout.splitlines() if ln.strip().startswith("worker-")]
    assert [(r[0], r[1]) for r in rows] == [("worker-0", "PASS"), ("worker-1", "PASS")], (
        healthy.stdout
    )
    assert "bondcheck verify: worker-bond-lacp (via ssh)" in healthy.stdout  # one transport
    assert "Traceback" not in healthy.output

    lab.fault("worker-1", "cable-pull", port="ens256")
    faulted = run_subprocess(verify_args(lab.ssh_config_path, nodes))
    assert faulted.code == 1, faulted.output
    report = faulted.report()
    assert report["schema_version"] == 1 and report["policy"] == "worker-bond-lacp"
    assert report["summary"] == {"nodes": 2, "pass": 1, "warn": 0, "fail": 1, "skip": 0, "error": 0}
    got = by_node(report)
    assert list(got) == nodes
    problems = mismatches("worker-0", got["worker-0"], Expect("pass"))
    problems += mismatches(
        "worker-1",
        got["worker-1"],
        Expect("fail", (Finding("PORT-MII", "ens256", "MII status is down"),)),
    )
    assert not problems, "\n".join(problems)
    # Each verdict was read from its own kernel: the LACP partner is that node's own switch.
    assert partner_macs(got["worker-0"]) == {switch_mac(0)}
    assert partner_macs(got["worker-1"]) == {switch_mac(1)}  # ens224 still has its partner
    assert [r["status"] for r in results(got["worker-1"], "BOND-MII")] == ["pass"]
    # stdout holds nothing but JSON; the one-line summary went to stderr.
    assert "1 fail" in faulted.stderr and "Traceback" not in faulted.stderr


@dataclass(frozen=True)
class Round:
    """Three node pictures judged by one bondcheck call against one policy."""

    name: str
    policy: Path
    pictures: Mapping[str, Picture]
    expect: Mapping[str, Expect]
    exit_code: int = 1


def _fail(*findings: Finding, allowed: frozenset[str] = frozenset()) -> Expect:
    return Expect("fail", findings, allowed)


ROUNDS = (
    Round(
        "light faults on healthy 802.3ad",
        LACP_POLICY,
        {
            "worker-0": Picture(HEALTHY, (fault("cable-pull", port="ens224"),)),
            "worker-1": Picture(HEALTHY, (fault("port-down", port="ens224"),)),
            "worker-2": Picture(
                HEALTHY, (fault("add-address", dev="ens256", cidr="192.168.100.20/24"),)
            ),
        },
        {
            "worker-0": _fail(Finding("PORT-MII", "ens224", "MII status is down")),
            "worker-1": _fail(Finding("PORT-MII", "ens224", "MII status is down")),
            "worker-2": _fail(Finding("PORT-NO-IP", "ens256", "192.168.100.20/24")),
        },
    ),
    Round(
        "stacked light faults and slow LACP",
        LACP_POLICY,
        {
            # ens224's cable is already out since the last round: pulling ens256 too leaves
            # the bond with no carrier at all (fault-all-cables-pulled without a rebuild).
            "worker-0": Picture(None, (fault("cable-pull", port="ens256"),)),
            "worker-1": Picture("fault-slow-rate-layer2"),
            "worker-2": Picture(
                None,
                (
                    fault("del-address", dev="ens256", cidr="192.168.100.20/24"),
                    fault("release", port="ens256"),
                ),
            ),
        },
        {
            "worker-0": _fail(Finding("BOND-MII", None, "down"), allowed=frozenset({"PORT-MII"})),
            "worker-1": _fail(
                Finding("BOND-OPTIONS", None, "lacp_rate is slow"),
                Finding("BOND-OPTIONS", None, "xmit_hash_policy is layer2"),
                Finding("LACP-RATE", "ens224", "advertises slow"),
                Finding("LACP-RATE", "ens256", "advertises slow"),
            ),
            "worker-2": _fail(Finding("PORT-ENSLAVED", "ens256", "not enslaved")),
        },
    ),
    Round(
        "LACP negotiation faults and miimon 0",
        LACP_POLICY,
        {
            "worker-0": Picture("fault-no-lacp-partner"),
            "worker-1": Picture("fault-split-aggregators"),
            "worker-2": Picture("fault-miimon-0"),
        },
        {
            "worker-0": _fail(
                Finding("LACP-PARTNER", "ens224", "no LACP partner"),
                Finding("LACP-PARTNER", "ens256", "no LACP partner"),
                allowed=LACP_EXTRAS,
            ),
            "worker-1": _fail(
                Finding("LACP-AGGREGATOR", None, "the active aggregator is"),
                Finding("LACP-SAME-PARTNER", None, "different partner systems"),
                allowed=LACP_EXTRAS,
            ),
            "worker-2": _fail(Finding("BOND-OPTIONS", None, "miimon is 0")),
        },
    ),
    Round(
        "active-backup policy: wrong primary, no bond, and a healthy control",
        AB_POLICY,
        {
            "worker-0": Picture("fault-wrong-primary"),
            "worker-1": Picture("healthy-active-backup"),
            "worker-2": Picture("fault-no-bond"),
        },
        {
            "worker-0": _fail(Finding("BOND-OPTIONS", None, "primary is ens256")),
            "worker-1": Expect("pass"),
            "worker-2": _fail(Finding("BOND-PRESENT")),
        },
    ),
)


def test_every_lab_fault_fails_with_its_check_id(lab: Lab) -> None:
    """Eleven real faults across four rounds, each node judged over live SSH in one call per
    round (in-process CLI). Rounds run in order because round 2 builds on round 1's faults;
    every round is judged before the test asserts, so one wrong verdict does not hide the
    others."""
    problems: list[str] = []
    for number, rnd in enumerate(ROUNDS, 1):
        arrange(lab, rnd.pictures)
        args = verify_args(lab.ssh_config_path, list(rnd.pictures), policy=rnd.policy)
        run = run_in_process(args)
        where = f"round {number} ({rnd.name}, {run.seconds:.1f} s)"
        if run.code != rnd.exit_code:
            problems.append(f"{where}: exit {run.code}, expected {rnd.exit_code}: {run.stderr}")
        got = by_node(run.report())
        for node, expect in rnd.expect.items():
            problems += [f"{where}: {p}" for p in mismatches(node, got.get(node), expect)]
    restore_healthy(lab)
    assert not problems, "\n".join(problems)
