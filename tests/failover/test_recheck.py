"""The re-check inside the pull command: the bond is judged again on the node right before
the port goes down, so a plan confirmed minutes ago cannot strand the node.

The shell lines bondcheck sends run here under ``sh`` against real captures from the lab's
kernels (the pull itself is proven on real bonds in test_lab_failover.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bondcheck.failover import deadman
from bondcheck.failover.deadman import PingSpec, PullSpec
from bondcheck.failover.node import Script

LAB = Path(__file__).resolve().parents[2] / "fixtures" / "captures" / "lab"


def _recheck(bond_file: Path, port: str) -> str:
    spec = PullSpec(
        token="0123abcd", base_dir="/run/bondcheck", bond="bond0", port=port,
        restore_after=30, pull_seconds=1, ping=PingSpec(target="192.0.2.1"),
    )  # fmt: skip
    script = Script("ab12", "undo() { echo undone; }", 'refuse() { echo "refused: $1"; exit 0; }')
    deadman.recheck_lines(spec, script, bond_file=str(bond_file))
    script.add("echo pulling")
    done = subprocess.run(["sh", "-c", script.text()], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize(
    ("scenario", "port", "pulls"),
    [
        ("healthy-802.3ad", "ens224", True),  # ens256 is up: the bond survives the pull
        ("healthy-active-backup", "ens256", True),
        ("fault-node-port-down", "ens256", False),  # ens224 went down since the plan
        ("fault-node-port-down", "ens224", True),  # pulling the dead one leaves ens256
        ("fault-port-removed", "ens224", False),  # the only port left in the bond
        ("fault-all-cables-pulled", "ens224", False),
    ],
)
def test_the_pull_goes_ahead_only_with_another_port_up(scenario: str, port: str, pulls: bool):
    out = _recheck(LAB / scenario / "proc/net/bonding/bond0", port)
    if pulls:
        assert "pulling" in out.splitlines() and "refused" not in out
    else:
        assert "undone" in out and "pulling" not in out
        assert "refused: no other port of bond0 is up now" in out
        assert f"{port} was not touched" in out


def test_a_bond_gone_since_the_plan_refuses(tmp_path: Path) -> None:
    out = _recheck(tmp_path / "no-such-bond", "ens224")
    assert "refused" in out and "pulling" not in out


def test_the_node_side_refusal_is_a_refused_verdict() -> None:
    from bondcheck.failover.node import Section
    from bondcheck.failover.steps import parse_pull

    spec = PullSpec(
        token="0123abcd", base_dir="/run/bondcheck", bond="bond0", port="ens224",
        restore_after=30, pull_seconds=1, ping=PingSpec(target="192.0.2.1"),
    )  # fmt: skip
    result = parse_pull({"refused": Section("no other port ...\n", "0")}, spec)
    assert result.refused == "no other port ..." and result.error is None
