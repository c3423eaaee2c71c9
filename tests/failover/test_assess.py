"""Verdicts from measured data: built from real lab captures, each assertion made to fail."""

from __future__ import annotations

from dataclasses import replace

from bondcheck.failover.assess import Limits, Measured, assess
from bondcheck.failover.iplink import LinkStats
from bondcheck.failover.probe import figures, parse_ping
from tests.failover.samples import bond, sample

UP = ("BROADCAST", "MULTICAST", "SLAVE", "UP", "LOWER_UP")


def stats(name: str, rx: int, tx: int, flags: tuple[str, ...] = UP) -> LinkStats:
    return LinkStats(name, flags=flags, rx_packets=rx, tx_packets=tx)


def lacp_pull() -> Measured:
    ping = parse_ping(sample("busybox-ping-8023ad-pull.txt"))
    return Measured(
        bond="bond0", port="ens224",
        before=bond("lacp-healthy.bonding"), during=bond("lacp-ens224-pulled.bonding"),
        links_before={"ens224": stats("ens224", 100, 100), "ens256": stats("ens256", 5, 5)},
        links_during={"ens224": stats("ens224", 100, 101, ("BROADCAST",)),
                      "ens256": stats("ens256", 215, 216)},
        probe=figures(ping, 0.01), ping=ping, rejoin_ms=2900.0, rejoined=True,
        state_differences=[],
    )  # fmt: skip


def test_a_good_lacp_pull_passes() -> None:
    result = assess(lacp_pull(), Limits())
    assert result.problems == ()
    assert result.counters["ens256"] == {"rx_packets": 210, "tx_packets": 211}
    assert result.active_before is None and result.active_during is None


def test_each_assertion_can_fail() -> None:
    good = lacp_pull()
    assert good.during is not None and good.probe is not None
    cases = {
        "went down": replace(good, during=replace(good.during, mii_status="down")),
        "did not take ens224 down": replace(good, during=bond("lacp-healthy.bonding")),
        "did not carry traffic": replace(
            good, links_during={**good.links_during, "ens256": stats("ens256", 5, 5)}
        ),
        "did not rejoin": replace(good, rejoin_ms=None, rejoined=False, rejoin_problem="MII down"),
        "differs from its state": replace(good, state_differences=["lacp_rate: 'fast' before"]),
        "could not be verified": replace(good, state_differences=None),
        "no probe reply": replace(good, probe=replace(good.probe, received=0)),
        "stopped before the test ended": replace(good, probe_ended_early=True),
        "failed (rc=2)": replace(good, pull_rc="2", pull_output="RTNETLINK answers: denied"),
    }
    for fragment, measured in cases.items():
        problems = assess(measured, Limits()).problems
        assert any(fragment in p for p in problems), (fragment, problems)


def test_no_other_working_port_during_the_pull() -> None:
    m = replace(lacp_pull(), during=bond("lacp-switch-side-ens224-down.bonding"), port="ens256")
    problems = assess(m, Limits()).problems
    assert any("no other port carried bond0" in p for p in problems)


def test_gap_and_loss_limits() -> None:
    ping = parse_ping(sample("busybox-ping-ab-switch-side-pull.txt"))
    m = replace(lacp_pull(), probe=figures(ping, 0.01), ping=ping)
    assert not any("gap" in p for p in assess(m, Limits(max_gap_ms=1000)).problems)
    assert any("280 ms (limit 200 ms)" in p for p in assess(m, Limits(max_gap_ms=200)).problems)
    assert any("27 probes lost (limit 5)" in p for p in assess(m, Limits(max_lost=5)).problems)
    assert assess(m, Limits(max_gap_ms=None)).problems == ()


def test_active_backup_active_port_must_move() -> None:
    before, during = bond("ab-healthy.bonding"), bond("ab-ens224-pulled.bonding")
    m = replace(lacp_pull(), before=before, during=during)
    result = assess(m, Limits())
    assert (result.active_before, result.active_during) == ("ens224", "ens256")
    assert result.problems == ()
    stuck = replace(m, during=replace(during, active_port="ens224"))
    assert any("stayed the active port" in p for p in assess(stuck, Limits()).problems)
    none = replace(m, during=replace(during, active_port=None))
    assert any("no active port" in p for p in assess(none, Limits()).problems)
