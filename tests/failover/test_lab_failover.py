"""The failover test on real kernels (QEMU lab): it passes, refuses, and never strands a port.

Every test rebuilds its scenario on one lab node, runs bondcheck as the operator would (the
CLI in a subprocess, or the runner in-process where the test must cut the connection), and
then checks the node with its own eyes: ``ip -j link`` flags, /proc/net/bonding and the
marker directory. Short pulls and timers keep the whole module to a few minutes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

from bondcheck.errors import CollectError
from bondcheck.failover.plan import Timing
from bondcheck.failover.result import Verdict
from bondcheck.failover.runner import FailoverRequest, run_failover
from bondcheck.model import NodeTarget
from bondcheck.policy.loader import load_policy_file
from bondcheck.transport.options import TransportOptions
from tests.failover.labkit import (
    AB_POLICY,
    LACP_POLICY,
    NODE,
    REPO,
    TARGET,
    cli_args,
    markers,
    port_state,
    ports,
    quiesce,
    run_cli,
    timer_seconds,
    wait,
)
from tests.lab import bondproc as bp
from tests.lab.harness import Lab

#: Seconds a restore timer may run late, by the node's clock: the few fork/execs between the
#: end of its sleep and `ip link set up` are well under a second on an idle machine, but an
#: emulated guest on a host loaded far beyond its cores has measured up to 8 s.
SLACK = 10
FAST = ("--yes", "--pull-seconds", "2", "--restore-after", "90", "--rejoin-timeout", "40")


@pytest.fixture()
def node(lab: Lab) -> Iterator[Lab]:
    quiesce(lab)
    yield lab
    quiesce(lab)


def scenario(lab: Lab, name: str) -> None:
    lab.scenario(NODE, name, force=True)
    assert markers(lab) == []


def pulled(lab: Lab, port: str) -> bool:
    return not port_state(lab, port).admin_up


def test_lacp_every_port_in_turn_passes(node: Lab) -> None:
    scenario(node, "healthy-802.3ad")
    rc, report, err = run_cli(node, LACP_POLICY, *FAST)
    assert rc == 0, err
    result = ports(report)
    assert list(result) == ["ens224", "ens256"]
    for port in result.values():
        assert port["status"] == "pass", port
        assert port["lost_probes"] <= 50  # RECIPE: 0-1 on an idle machine
        assert port["max_gap_ms"] <= 500
        assert 100 <= port["rejoin_ms"] <= 40000  # RECIPE: ~2.9 s
        assert port["restore_timer"] == "disarmed"
        other = "ens256" if port["port"] == "ens224" else "ens224"
        assert port["counters"][other]["rx_packets"] > 0
    assert markers(node) == []  # disarmed and cleaned up
    for name in ("ens224", "ens256"):
        state = port_state(node, name)
        assert state.admin_up and state.mii == "up"


def test_failover_metrics_from_a_real_pull(node: Lab) -> None:
    """``-o prometheus``: one real pull's gap, lost probes and rejoin time as metrics that the
    real promtool accepts, within the same bounds as the JSON report's."""
    from tests.prom.stack import run_promtool
    from tests.prom.test_exposition import series, value

    scenario(node, "healthy-802.3ad")
    args = cli_args(node, LACP_POLICY, "-o", "prometheus", *FAST, "--port", "ens224")
    proc = subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=REPO, check=False)
    assert proc.returncode == 0, proc.stderr
    lint = run_promtool("check", "metrics", stdin=proc.stdout)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    s = series(proc.stdout)
    at = {"node": NODE, "bond": "bond0", "port": "ens224"}
    assert value(s, "bondcheck_failover_result", result="pass", **at) == 1
    assert 0 <= value(s, "bondcheck_failover_gap_seconds", **at) <= 0.5
    assert 0 <= value(s, "bondcheck_failover_lost_probes", **at) <= 50
    assert 0.1 <= value(s, "bondcheck_failover_rejoin_seconds", **at) <= 40
    assert value(s, "bondcheck_run_duration_seconds") > 2  # at least the pull itself
    assert markers(node) == []


def test_active_backup_moves_the_active_port(node: Lab) -> None:
    scenario(node, "healthy-active-backup")
    rc, report, err = run_cli(node, AB_POLICY, *FAST, "--port", "ens224")
    assert rc == 0, err
    port = ports(report)["ens224"]
    assert port["status"] == "pass", port
    assert (port["active_port_before"], port["active_port_during"]) == ("ens224", "ens256")
    # miimon 100 + downdelay 200: an outage is expected, and bounded
    assert port["lost_probes"] >= 1
    assert 10 <= port["max_gap_ms"] <= 100 + 200 + 500
    assert port["rejoin_ms"] >= 150  # updelay 200 before MII is up again
    node.wait_for(NODE, bp.links_up(active="ens224"), 30)  # the primary took over again


def _transport(lab: Lab) -> object:
    from bondcheck.transport.ssh import SshTransport

    # a loaded CI host can take long to complete an SSH handshake with an emulated guest
    return SshTransport(TransportOptions(ssh_config=str(lab.ssh_config_path), connect_timeout=90))


def test_active_backup_switch_side_pull_gap_is_miimon_bound(node: Lab) -> None:
    """The same test with the cable pulled at the switch: the bond notices by miimon."""
    scenario(node, "healthy-active-backup")
    transport = _transport(node)
    request = FailoverRequest(
        policy=load_policy_file(AB_POLICY), nodes=(NODE,), ports=("ens224",), target=TARGET,
        timing=Timing(pull_seconds=2, restore_after=90, rejoin_timeout=40),
        netns="switch", peer_prefix="sw-",
    )  # fmt: skip
    try:
        report = run_failover(request, lambda n: transport.session(NodeTarget(n)))  # type: ignore[attr-defined]
    finally:
        transport.close()  # type: ignore[attr-defined]
    assert report.nodes[0].ports, report.nodes[0].message
    port = report.nodes[0].ports[0]
    assert port.status is Verdict.PASS, port.problems
    assert port.active_port_during == "ens256"
    assert port.max_gap_ms is not None
    # carrier loss is seen at the next miimon poll (<= 100 ms) and acted on after downdelay
    assert 100 <= port.max_gap_ms <= 100 + 200 + 500, port.max_gap_ms
    assert port_state(node, "ens224").admin_up  # the switch side was pulled, not the port


def test_degraded_bond_is_refused_and_untouched(node: Lab) -> None:
    scenario(node, "healthy-802.3ad")
    node.fault(NODE, "cable-pull", port="ens256")
    before = port_state(node, "ens224")
    rc, report, err = run_cli(node, LACP_POLICY, *FAST, "--port", "ens224")
    assert rc == 4, err
    port = ports(report)["ens224"]
    assert port["status"] == "refused"
    assert any("without a working port" in p for p in port["problems"]), port["problems"]
    assert any("PORT-MII" in p for p in port["problems"])
    assert port_state(node, "ens224") == before  # admin state, carrier, MII, failure count
    assert markers(node) == []


def test_dry_run_touches_nothing(node: Lab) -> None:
    scenario(node, "healthy-802.3ad")
    before = {p: port_state(node, p) for p in ("ens224", "ens256")}
    rc, report, err = run_cli(node, LACP_POLICY, "--dry-run")
    assert rc == 0, err
    assert report["dry_run"] is True
    port = ports(report)["ens224"]
    assert any("ip link set dev ens224 down" in c for c in port["commands"])
    assert any("restorer" in c for c in port["commands"])
    assert {p: port_state(node, p) for p in ("ens224", "ens256")} == before
    assert markers(node) == []


def fired_and_unlocked(lab: Lab) -> bool:
    """Exactly one marker, its timer fired, and the lock it held is released."""
    found = markers(lab)
    return len(found) == 1 and found[0]["dir"] != "lock" and "fired" in found[0]["files"]


def _await_pull(
    lab: Lab, port: str, proc: subprocess.Popen[str] | None = None, limit: float = 300
) -> float:
    """Wait until bondcheck has pulled ``port``; fail at once if bondcheck ended instead."""

    def done() -> bool:
        if proc is not None and proc.poll() is not None:
            _out, err = proc.communicate()
            raise AssertionError(
                f"bondcheck ended (rc={proc.returncode}) before the pull: {err} {_out[-400:]}"
            )
        return pulled(lab, port)

    wait(done, limit, f"{port} pulled", every=0.1)
    return time.monotonic()


def test_sigkill_mid_pull_port_comes_back_by_itself(node: Lab) -> None:
    scenario(node, "healthy-802.3ad")
    restore_after = 30
    args = cli_args(node, LACP_POLICY, "--yes", "--port", "ens224", "--pull-seconds", "15",
                    "--restore-after", str(restore_after))  # fmt: skip
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        down_at = _await_pull(node, "ens224", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert not port_state(node, "ens224").admin_up  # nobody restored it: bondcheck is dead
        wait(lambda: port_state(node, "ens224").admin_up, restore_after + 60, "ens224 back up")
        # generous on the host's clock (a loaded host polls slowly); exact on the node's
        assert time.monotonic() - down_at <= restore_after + 60
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    wait(lambda: fired_and_unlocked(node), 15, "the timer recorded that it fired")
    assert 29 <= timer_seconds(node) <= 30 + SLACK  # fired on time, by the node's clock
    node.wait_for(NODE, bp.lacp_converged(), 60)


def test_ctrl_c_mid_pull_restores_the_port_at_once(node: Lab) -> None:
    """The operator's Ctrl-C: bondcheck brings the port back itself, long before the timer."""
    scenario(node, "healthy-802.3ad")
    restore_after = 120  # far beyond the wait below: only bondcheck's own restore can pass
    args = cli_args(node, LACP_POLICY, "--yes", "--port", "ens224", "--pull-seconds", "30",
                    "--restore-after", str(restore_after))  # fmt: skip
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        down_at = _await_pull(node, "ens224", proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    assert proc.returncode not in (0, 4), (proc.returncode, err)
    assert "interrupted" in (out + err), out + err
    assert "Traceback" not in err
    wait(lambda: port_state(node, "ens224").admin_up, 60, "ens224 back up")
    assert time.monotonic() - down_at < restore_after
    node.wait_for(NODE, bp.lacp_converged(), 60)


def test_connection_cut_mid_pull_port_comes_back(node: Lab) -> None:
    scenario(node, "healthy-802.3ad")
    transport = _transport(node)
    sessions: list[object] = []

    def factory(name: str) -> object:
        if sessions:
            raise CollectError(f"{name}: network cut")  # the node stays unreachable
        session = transport.session(NodeTarget(name))  # type: ignore[attr-defined]
        sessions.append(session)
        return session

    down: list[float] = []

    def cut() -> None:
        down.append(_await_pull(node, "ens224"))
        sessions[0].close()  # type: ignore[attr-defined]

    cutter = threading.Thread(target=cut, daemon=True)
    cutter.start()
    request = FailoverRequest(
        policy=load_policy_file(LACP_POLICY), nodes=(NODE,), ports=("ens224",), target=TARGET,
        timing=Timing(pull_seconds=15, restore_after=30, rejoin_timeout=40),
        reconnect_attempts=1,
    )  # fmt: skip
    try:
        report = run_failover(request, factory)  # type: ignore[arg-type]
    finally:
        transport.close()  # type: ignore[attr-defined]
    cutter.join(5)
    assert report.nodes[0].ports, report.nodes[0].message
    port = report.nodes[0].ports[0]
    assert port.status is Verdict.ERROR and report.exit_code == 3
    assert "restore timer" in port.message, port.message
    wait(lambda: port_state(node, "ens224").admin_up, 30 + 60, "ens224 back up")
    assert time.monotonic() - down[0] <= 30 + 60
    wait(lambda: fired_and_unlocked(node), 15, "the timer recorded that it fired")
    assert 29 <= timer_seconds(node) <= 30 + SLACK  # fired on time, by the node's clock
    node.wait_for(NODE, bp.lacp_converged(), 60)


def test_port_that_never_returns_fails_and_the_timer_still_fires(node: Lab) -> None:
    scenario(node, "healthy-802.3ad")
    restore_after = 45

    def pull_the_cable() -> None:
        _await_pull(node, "ens224")
        node.fault(NODE, "cable-pull", port="ens224", wait=False)

    injector = threading.Thread(target=pull_the_cable, daemon=True)
    injector.start()
    rc, report, err = run_cli(
        node, LACP_POLICY, "--yes", "--port", "ens224", "--pull-seconds", "3",
        "--restore-after", str(restore_after), "--rejoin-timeout", "6",
    )  # fmt: skip
    injector.join(5)
    assert rc == 1, err
    port = ports(report)["ens224"]
    assert port["status"] == "fail"
    assert "did not rejoin" in port["message"] and port["rejoin_ms"] is None
    assert port["restore_timer"] == "left armed"
    state = port_state(node, "ens224")
    assert state.admin_up and state.mii == "down" and not state.carrier
    wait(lambda: fired_and_unlocked(node), restore_after + 60, "restore timer fired")
    assert restore_after - 1 <= timer_seconds(node) <= restore_after + SLACK
    assert port_state(node, "ens224").admin_up
    node.fault(NODE, "cable-plug", port="ens224")
