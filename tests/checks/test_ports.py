"""PORT-ENSLAVED, PORT-UNEXPECTED and PORT-SPEED in both directions."""

from __future__ import annotations

from bondcheck.model import Link, Status

from .builders import (
    ab_bond,
    by_status,
    context,
    expected,
    ip_state,
    lacp_bond,
    lacp_port,
    only,
    plain_port,
    run,
)

# -- PORT-ENSLAVED -------------------------------------------------------------------------


def test_all_policy_ports_enslaved_in_any_order() -> None:
    bond = lacp_bond(lacp_port("eth2"), lacp_port("eth1"))
    result = only(run("PORT-ENSLAVED", context(bond)), Status.PASS)
    assert result.observed == ["eth1", "eth2"]


def test_missing_port_fails_with_its_whereabouts() -> None:
    bond = lacp_bond(lacp_port("eth1"))
    links = {
        "eth1": Link("eth1", master="bond0"),
        "eth2": Link("eth2", master="bond1"),
        "eth3": Link("eth3", operstate="DOWN"),
    }
    exp = expected(ports=("eth1", "eth2", "eth3", "eth4"))
    results = run("PORT-ENSLAVED", context(bond, exp, ip=ip_state({}, links=links)))
    assert [r.message for r in results] == [
        "port eth2 is not enslaved to bond0; it is enslaved to bond1",
        "port eth3 is not enslaved to bond0; it has no master, operstate DOWN",
        "port eth4 is not enslaved to bond0; no interface eth4 exists on the node",
    ]
    assert all(r.status is Status.FAIL for r in results)
    assert results[0].port == "eth2"
    assert results[0].evidence == (
        "no 'Slave Interface: eth2' in /proc/net/bonding/bond0 (ports: eth1)"
    )


def test_missing_port_without_ip_evidence_says_only_what_proc_shows() -> None:
    result = only(run("PORT-ENSLAVED", context(lacp_bond(lacp_port("eth1")))), Status.FAIL)
    assert result.message == "port eth2 is not enslaved to bond0"


def test_policy_without_ports_skips() -> None:
    only(run("PORT-ENSLAVED", context(exp=expected(ports=()))), Status.SKIP)
    only(run("PORT-UNEXPECTED", context(exp=expected(ports=()))), Status.SKIP)


# -- PORT-UNEXPECTED -----------------------------------------------------------------------


def test_no_extra_port_passes() -> None:
    only(run("PORT-UNEXPECTED", context()), Status.PASS)


def test_extra_port_fails() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2"), lacp_port("eth7", mii="down"))
    result = only(run("PORT-UNEXPECTED", context(bond)), Status.FAIL)
    assert result.port == "eth7"
    assert result.message == (
        "port eth7 is enslaved to bond0 but the policy does not list it (policy ports: eth1, eth2)"
    )
    assert result.evidence == "Slave Interface: eth7 / MII Status: down"


# -- PORT-SPEED ----------------------------------------------------------------------------


def test_equal_speeds_pass() -> None:
    result = only(run("PORT-SPEED", context()), Status.PASS)
    assert result.message == "2 up ports at 10000 Mbps full duplex"


def test_lacp_speed_mismatch_fails() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", speed_mbps=1000))
    result = only(run("PORT-SPEED", context(bond)), Status.FAIL)
    assert result.message == (
        "up ports differ in speed/duplex: eth1 10000 Mbps full, eth2 1000 Mbps full"
    )
    assert result.evidence == (
        "Slave Interface: eth1 / Speed: 10000 Mbps / Duplex: full; "
        "Slave Interface: eth2 / Speed: 1000 Mbps / Duplex: full"
    )


def test_speed_mismatch_only_warns_outside_lacp() -> None:
    bond = ab_bond(plain_port("eth1"), plain_port("eth2", speed_mbps=1000))
    only(run("PORT-SPEED", context(bond, expected(mode="active-backup"))), Status.WARN)


def test_half_duplex_fails_in_lacp() -> None:
    bond = lacp_bond(lacp_port("eth1", duplex="half"), lacp_port("eth2", duplex="half"))
    results = run("PORT-SPEED", context(bond))
    assert [r.port for r in by_status(results, Status.FAIL)] == ["eth1", "eth2"]
    assert not by_status(results, Status.PASS)


def test_unknown_speeds_skip_and_down_ports_are_ignored() -> None:
    bond = lacp_bond(lacp_port("eth1", speed_mbps=None, duplex=None), lacp_port("eth2"))
    result = only(run("PORT-SPEED", context(bond)), Status.SKIP)
    assert "speed unknown for eth1" in result.message
    # a down port keeps a stale speed on old kernels: it is not compared
    bond = lacp_bond(
        lacp_port("eth1"), lacp_port("eth2"), lacp_port("eth3", mii="down", speed_mbps=1000)
    )
    only(run("PORT-SPEED", context(bond, expected(ports=("eth1", "eth2", "eth3")))), Status.PASS)
