"""BOND-MII and PORT-MII in both directions; transitional port states warn."""

from __future__ import annotations

import pytest

from bondcheck.model import Status

from .builders import by_status, context, lacp_bond, lacp_port, only, run


def test_bond_mii_up_passes() -> None:
    result = only(run("BOND-MII", context()), Status.PASS)
    assert result.evidence == "MII Status: up"


def test_bond_mii_down_fails_with_port_count_and_min_links() -> None:
    bond = lacp_bond(
        lacp_port("eth1", mii="down"), lacp_port("eth2"), mii_status="down", min_links=2
    )
    result = only(run("BOND-MII", context(bond)), Status.FAIL)
    assert result.message == "bond0 MII status is down (1 of 2 port(s) up, min_links 2)"
    assert result.evidence == "MII Status: down"
    assert (result.expected, result.observed) == ("up", "down")


def test_port_mii_all_up_passes() -> None:
    result = only(run("PORT-MII", context()), Status.PASS)
    assert result.observed == {"eth1": "up", "eth2": "up"}


def test_port_mii_down_fails_per_port_with_kernel_evidence() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("ens256", mii="down"))
    result = only(run("PORT-MII", context(bond)), Status.FAIL)
    assert result.port == "ens256"
    assert result.message == "port ens256 MII status is down"
    assert result.evidence == "Slave Interface: ens256 / MII Status: down"


@pytest.mark.parametrize("state", ["going down", "going back"])
def test_transitional_port_state_warns(state: str) -> None:
    bond = lacp_bond(lacp_port("eth1", mii=state), lacp_port("eth2"))
    result = only(run("PORT-MII", context(bond)), Status.WARN)
    assert result.port == "eth1" and state in result.message


def test_every_bad_port_is_reported() -> None:
    bond = lacp_bond(lacp_port("eth1", mii="down"), lacp_port("eth2", mii="unknown"))
    results = run("PORT-MII", context(bond))
    assert [r.port for r in by_status(results, Status.FAIL)] == ["eth1", "eth2"]
    assert not by_status(results, Status.PASS)


def test_bond_without_ports_skips_port_mii() -> None:
    result = only(run("PORT-MII", context(lacp_bond(ports=()))), Status.SKIP)
    assert "PORT-ENSLAVED" in result.message
