"""LACP-PARTNER, LACP-AGGREGATOR, LACP-SAME-PARTNER in both directions and in every view."""

from __future__ import annotations

from dataclasses import replace

from bondcheck.model import AdInfo, Status

from .builders import (
    PARTNER_MAC,
    ZERO,
    by_status,
    context,
    lacp_bond,
    lacp_port,
    nonroot,
    only,
    run,
)

# -- LACP-PARTNER --------------------------------------------------------------------------


def test_partner_on_every_port_passes() -> None:
    result = only(run("LACP-PARTNER", context()), Status.PASS)
    assert result.observed == {"eth1": PARTNER_MAC, "eth2": PARTNER_MAC}


def test_zero_partner_mac_fails_per_port() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", partner_mac=ZERO, partner_state=1))
    result = only(run("LACP-PARTNER", context(bond)), Status.FAIL)
    assert result.port == "eth2"
    assert result.evidence == (
        "Slave Interface: eth2 / details partner lacp pdu: system mac address: 00:00:00:00:00:00"
    )
    assert "no LACP partner" in result.message


def test_old_kernel_uses_the_bond_wide_partner_mac() -> None:
    # <= 3.x: no per-port details, the aggregator block is shown to every reader.
    ports = (lacp_port("eth1", details=False), lacp_port("eth2", details=False))
    good = lacp_bond(*ports, privileged_view=None)
    result = only(run("LACP-PARTNER", context(good)), Status.PASS)
    assert result.evidence == f"Active Aggregator Info: Partner Mac Address: {PARTNER_MAC}"
    bad = replace(good, ad_info=AdInfo(3, 1, 17, 1, ZERO))
    result = only(run("LACP-PARTNER", context(bad)), Status.FAIL)
    assert result.message == (
        "active aggregator 3 has no LACP partner (Partner Mac Address 00:00:00:00:00:00, "
        "Partner Key 1)"
    )


def test_no_active_aggregator_fails_partner() -> None:
    ports = (lacp_port("eth1", agg=None, details=False), lacp_port("eth2", agg=None, details=False))
    bond = lacp_bond(*ports, ad_info=None, no_active_aggregator=True)
    result = only(run("LACP-PARTNER", context(bond)), Status.FAIL)
    assert result.evidence == "bond bond0 has no active aggregator"


# -- LACP-AGGREGATOR -----------------------------------------------------------------------


def test_all_ports_in_active_aggregator_pass() -> None:
    result = only(run("LACP-AGGREGATOR", context()), Status.PASS)
    assert result.observed == {"eth1": 1, "eth2": 1}


def test_port_in_another_aggregator_fails() -> None:
    bond = lacp_bond(
        lacp_port("eth1", agg=1), lacp_port("eth2", agg=2), ad_info=AdInfo(1, 1, 15, 3, PARTNER_MAC)
    )
    result = only(run("LACP-AGGREGATOR", context(bond)), Status.FAIL)
    assert result.port == "eth2"
    assert result.message == (
        "port eth2 is in aggregator 2, the active aggregator is 1: it carries no traffic"
    )
    assert result.evidence == (
        "Slave Interface: eth2 / Aggregator ID: 2; Active Aggregator Info: Aggregator ID: 1"
    )


def test_port_without_aggregator_fails() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", agg=None))
    result = only(run("LACP-AGGREGATOR", context(bond)), Status.FAIL)
    assert "eth2 has no aggregator" in result.message
    assert result.evidence is not None and "Aggregator ID: N/A" in result.evidence


def test_number_of_ports_below_up_ports_fails() -> None:
    bond = lacp_bond(ad_info=AdInfo(1, 1, 15, 3, PARTNER_MAC))
    result = only(run("LACP-AGGREGATOR", context(bond)), Status.FAIL)
    assert result.message == "active aggregator 1 has 1 port(s) but 2 ports are up"
    assert result.evidence == "Active Aggregator Info: Number of ports: 1"


def test_no_active_aggregator_fails() -> None:
    bond = lacp_bond(ad_info=None, no_active_aggregator=True)
    result = only(run("LACP-AGGREGATOR", context(bond)), Status.FAIL)
    assert result.message == "bond0 has no active aggregator although eth1, eth2 are up"


def test_split_aggregators_fail_even_for_a_nonprivileged_reader() -> None:
    # Per-port Aggregator IDs are printed to every reader.
    bond = nonroot(lacp_bond(lacp_port("eth1", agg=1), lacp_port("eth2", agg=2)))
    result = only(run("LACP-AGGREGATOR", context(bond)), Status.FAIL)
    assert result.message == (
        "up ports are split over aggregators eth1 1, eth2 2: only one aggregator carries traffic"
    )


def test_down_ports_are_left_to_port_mii() -> None:
    bond = lacp_bond(
        lacp_port("eth1"),
        lacp_port("eth2", mii="down", agg=2),
        ad_info=AdInfo(1, 1, 15, 3, PARTNER_MAC),
    )
    only(run("LACP-AGGREGATOR", context(bond)), Status.PASS)
    all_down = lacp_bond(lacp_port("eth1", mii="down"), lacp_port("eth2", mii="down"))
    only(run("LACP-AGGREGATOR", context(all_down)), Status.SKIP)


# -- LACP-SAME-PARTNER ---------------------------------------------------------------------


def test_same_partner_passes() -> None:
    result = only(run("LACP-SAME-PARTNER", context()), Status.PASS)
    assert result.message == f"2 up ports see partner {PARTNER_MAC} key 3"


def test_different_partner_systems_fail() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", partner_mac="00:1c:73:00:00:aa"))
    result = only(run("LACP-SAME-PARTNER", context(bond)), Status.FAIL)
    assert result.message == (
        f"up ports see different partner systems: eth1 {PARTNER_MAC} key 3, "
        "eth2 00:1c:73:00:00:aa key 3"
    )


def test_same_partner_different_keys_fail() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", partner_key=4))
    result = only(run("LACP-SAME-PARTNER", context(bond)), Status.FAIL)
    assert "different keys" in result.message


def test_no_partner_ports_are_left_to_lacp_partner() -> None:
    bond = lacp_bond(lacp_port("eth1"), lacp_port("eth2", partner_mac=ZERO))
    result = only(run("LACP-SAME-PARTNER", context(bond)), Status.SKIP)
    assert "LACP-PARTNER" in result.message


def test_kernel_without_details_skips_same_partner() -> None:
    bond = lacp_bond(
        lacp_port("eth1", details=False), lacp_port("eth2", details=False), privileged_view=None
    )
    result = only(run("LACP-SAME-PARTNER", context(bond)), Status.SKIP)
    assert "details partner lacp pdu" in result.message


def test_nonprivileged_reasons_are_warnings_not_findings() -> None:
    ctx = context(nonroot(lacp_bond()))
    for check_id in ("LACP-PARTNER", "LACP-AGGREGATOR", "LACP-SAME-PARTNER"):
        results = run(check_id, ctx)
        assert not by_status(results, Status.FAIL), check_id
        assert by_status(results, Status.WARN), check_id
