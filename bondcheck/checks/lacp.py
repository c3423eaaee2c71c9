"""LACP-PARTNER, LACP-AGGREGATOR, LACP-SAME-PARTNER: the switch side of an 802.3ad bond.

These read the root-only parts of /proc/net/bonding (`Active Aggregator Info`, `details
partner lacp pdu`). In a non-privileged view they WARN "not visible to this reader" and
never claim that a partner is missing: the kernel withheld the lines, it did not say no.
Older kernels print the aggregator block to every reader but no per-port details; then the
bond-wide `Partner Mac Address` of the active aggregator is what there is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from bondcheck.checks.base import (
    NOT_VISIBLE,
    CheckContext,
    CheckDef,
    bond_of,
    check,
    names,
    port_evidence,
    up_ports,
)
from bondcheck.model import CheckResult
from bondcheck.vocabulary import is_zero_mac

_SWITCH_HINT = (
    "Configure the switch ports as one LACP port-channel (Cisco: channel-group N mode "
    "active; Juniper: ether-options 802.3ad aeN + lacp active; for MLAG/vPC the same "
    "port-channel on both peers)"
)


def _lldp_switches(ctx: CheckContext, ports: Iterable[str]) -> str:
    """``; LLDP: ens224 -> leaf-1 Ethernet1/7, ens256 -> leaf-2 Ethernet1/7`` when known."""
    seen = [(p, n) for p in ports if (n := ctx.neighbor(p)) is not None]
    return "; LLDP: " + ", ".join(f"{p} -> {n.where}" for p, n in seen) if seen else ""


def _na(value: int | None) -> str:
    return "N/A" if value is None else str(value)


@check(
    "LACP-PARTNER",
    nns_blind="NNS has no LACP partner information",
    title="802.3ad: every port hears an LACP partner",
    remediation=_SWITCH_HINT + "; check cabling goes to the intended switch ports.",
    lacp_only=True,
)
def lacp_partner(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that each up port of an 802.3ad bond has received LACPDUs from a partner:
    the partner's system MAC (`details partner lacp pdu: system mac address`) is not
    `00:00:00:00:00:00`. Kernels without per-port details show only the active
    aggregator's `Partner Mac Address`, which is then judged for the bond as a whole.

    Why it matters: without a partner the switch does not run LACP on those ports (no
    port-channel, `mode on` static channel, or LACP on the wrong ports). The kernel then
    runs each port as an individual link; traffic may still flow through one port, so the
    bond looks fine until that port fails, and with several ports the switch can see MAC
    flaps or drop frames.

    Fails when: an up port's partner system MAC is all zeros, the active aggregator's
    Partner Mac Address is all zeros, or the bond has no active aggregator while a port is
    up. Warns when the view is not privileged (the kernel shows partner data only to
    CAP_NET_ADMIN readers). Down ports are left to PORT-MII: with every port down there is
    no link to hear a partner on, so the check skips.

    How to fix: create an LACP port-channel on the switch for exactly the bond's ports
    (Cisco `interface range ...` / `channel-group 10 mode active`; Arista the same;
    Juniper `set interfaces xe-0/0/1 ether-options 802.3ad ae0` and `set interfaces ae0
    aggregated-ether-options lacp active`); check `show lacp neighbor` on the switch and
    LLDP (`oc get nns <node> -o yaml`, lldp neighbours) to confirm the cabling.
    """
    bond = bond_of(ctx)
    if bond.privileged_view is False:
        yield c.warned(ctx, f"LACP partner data is {NOT_VISIBLE}")
        return
    up = up_ports(bond)
    per_port = [p for p in up if p.partner_mac is not None]
    if per_port:
        partners: dict[str, str] = {}
        for port in per_port:
            mac = port.partner_mac or ""
            if not is_zero_mac(mac):
                partners[port.name] = mac
                continue
            yield c.failed(
                ctx,
                f"port {port.name} has no LACP partner (partner system mac {mac}): no LACPDU "
                f"received from the switch{ctx.lldp_hint(port.name)}",
                port=port.name,
                expected="a partner system MAC",
                observed=mac,
                evidence=port_evidence(
                    port.name, f"details partner lacp pdu: system mac address: {mac}"
                ),
            )
        if len(partners) == len(per_port):
            yield c.passed(
                ctx,
                f"{len(partners)} up port(s) have a partner: "
                + ", ".join(f"{p} {m}" for p, m in partners.items()),
                observed=partners,
            )
        return
    if not up:
        # No link, no LACPDU: the missing partner (and the kernel's "no active aggregator")
        # is a consequence of the down ports, which PORT-MII and BOND-MII already report.
        yield c.skipped(ctx, "no port is up; see PORT-MII")
        return
    info = bond.ad_info
    if info is not None and info.partner_mac is not None:
        evidence = f"Active Aggregator Info: Partner Mac Address: {info.partner_mac}"
        if is_zero_mac(info.partner_mac):
            yield c.failed(
                ctx,
                f"active aggregator {info.aggregator_id} has no LACP partner (Partner Mac "
                f"Address {info.partner_mac}, Partner Key {info.partner_key})",
                expected="a partner system MAC",
                observed=info.partner_mac,
                evidence=evidence,
            )
        else:
            yield c.passed(
                ctx,
                f"active aggregator {info.aggregator_id} has partner {info.partner_mac} "
                f"(key {info.partner_key})",
                observed=info.partner_mac,
                evidence=evidence,
            )
        return
    if bond.no_active_aggregator:
        yield c.failed(
            ctx,
            f"{ctx.expected.name} has no active aggregator, so no LACP partner",
            expected="a partner system MAC",
            observed=None,
            evidence=f"bond {ctx.expected.name} has no active aggregator",
        )
        return
    yield c.skipped(ctx, "this kernel shows no LACP partner data for the bond")


@check(
    "LACP-AGGREGATOR",
    nns_blind="NNS has no 802.3ad aggregator information",
    title="802.3ad: every up port is in the active aggregator",
    remediation=(
        "Make all bond ports members of the same switch port-channel with equal speed; a port "
        "in another aggregator carries no traffic."
    ),
    lacp_only=True,
)
def lacp_aggregator(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the bond has an active aggregator and that every up port belongs to it:
    each port's `Aggregator ID` equals `Active Aggregator Info: Aggregator ID`, and the
    aggregator's `Number of ports` is not below the number of up ports.

    Why it matters: only the ports of the active aggregator carry traffic. A port that is
    up but sits in another aggregator (or has `Aggregator ID: N/A`) is idle: the bond has
    less bandwidth and redundancy than its MII status suggests. This is the classic result
    of switch ports that are not one LAG (different port-channels, one port without LACP,
    ports wired to two switches without MLAG) or of ports with different speeds.

    Fails when: the kernel says `bond <bond> has no active aggregator` while ports are up;
    an up port is not in the active aggregator; `Number of ports` is lower than the up
    ports. Per-port Aggregator IDs are shown to every reader, so split aggregators fail even
    in a non-privileged view; the remaining judgement WARNs "not visible to this reader".

    How to fix: on the switch, put all of the bond's ports in the same LACP port-channel
    (`show etherchannel summary`: every member flagged `P`/bundled); match speeds (see
    PORT-SPEED); then bounce the stray port (`ip link set <port> down; ip link set <port>
    up`) or let `ad_select` re-select. With `ad_select: stable` a port that came back
    with another partner stays in its own aggregator until the active one fails.
    """
    bond = bond_of(ctx)
    up = up_ports(bond)
    if not up:
        yield c.skipped(ctx, "no port is up; see PORT-MII")
        return
    name = ctx.expected.name
    if bond.no_active_aggregator:
        yield c.failed(
            ctx,
            f"{name} has no active aggregator although {names([p.name for p in up])} are up",
            expected="an active aggregator",
            observed=None,
            evidence=f"bond {name} has no active aggregator",
        )
        return
    ids = {p.name: p.aggregator_id for p in up}
    info = bond.ad_info
    active = info.aggregator_id if info is not None else None
    bad = False
    if active is not None:
        for port in up:
            if port.aggregator_id == active:
                continue
            bad = True
            where = (
                "has no aggregator"
                if port.aggregator_id is None
                else f"is in aggregator {port.aggregator_id}"
            )
            yield c.failed(
                ctx,
                f"port {port.name} {where}, the active aggregator is {active}: it carries no "
                f"traffic{ctx.lldp_hint(port.name)}",
                port=port.name,
                expected=active,
                observed=port.aggregator_id,
                evidence=port_evidence(port.name, f"Aggregator ID: {_na(port.aggregator_id)}")
                + f"; Active Aggregator Info: Aggregator ID: {active}",
            )
        count = info.num_ports if info is not None else None
        if not bad and count is not None and count < len(up):
            bad = True
            yield c.failed(
                ctx,
                f"active aggregator {active} has {count} port(s) but {len(up)} ports are up",
                expected=len(up),
                observed=count,
                evidence=f"Active Aggregator Info: Number of ports: {count}",
            )
        if not bad:
            yield c.passed(
                ctx,
                f"all {len(up)} up port(s) in active aggregator {active}",
                expected=active,
                observed=ids,
            )
        return
    # The active aggregator is not shown; per-port IDs are, to every reader.
    for port in up:
        if port.aggregator_id is None:
            bad = True
            yield c.failed(
                ctx,
                f"port {port.name} is up but has no aggregator{ctx.lldp_hint(port.name)}",
                port=port.name,
                expected="an aggregator",
                observed=None,
                evidence=port_evidence(port.name, "Aggregator ID: N/A"),
            )
    distinct = sorted({i for i in ids.values() if i is not None})
    if len(distinct) > 1:
        bad = True
        yield c.failed(
            ctx,
            "up ports are split over aggregators "
            + ", ".join(f"{p} {i}" for p, i in ids.items() if i is not None)
            + ": only one aggregator carries traffic",
            expected="one aggregator",
            observed=ids,
            evidence="; ".join(port_evidence(p, f"Aggregator ID: {i}") for p, i in ids.items()),
        )
    if bad:
        return
    if bond.privileged_view is False:
        yield c.warned(
            ctx,
            f"ports share aggregator {names([str(i) for i in distinct])}; the active "
            f"aggregator is {NOT_VISIBLE}",
            observed=ids,
        )
    else:
        yield c.skipped(ctx, "this kernel shows no Active Aggregator Info", observed=ids)


@check(
    "LACP-SAME-PARTNER",
    nns_blind="NNS has no LACP partner information",
    title="802.3ad: all ports see the same partner system and key",
    remediation=(
        "Put all bond ports into one port-channel on one switch (or one MLAG/vPC pair with "
        "the same LACP system ID); fix cabling that lands on another switch."
    ),
    lacp_only=True,
)
def lacp_same_partner(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that every up port's partner (`details partner lacp pdu`) reports the same
    `system mac address` and the same `oper key`.

    Why it matters: LACP aggregates only ports that lead to the same partner system and the
    same partner key (port-channel). Ports that see different systems are wired to
    different switches (without MLAG) or to a switch pair whose MLAG/vPC does not present
    one LACP system ID; ports that see different keys are in different port-channels. Either
    way the kernel forms separate aggregators and only one carries traffic.

    Fails when: two up ports report different partner system MACs, or the same system with
    different oper keys. Ports with no partner are left to LACP-PARTNER. Warns in a
    non-privileged view; skips when the kernel prints no per-port partner details.

    How to fix: trace the cables (LLDP: `oc get nns <node> -o yaml`, `lldpctl`); on
    the switch make the ports members of the same port-channel (`show lacp neighbor`,
    `show port-channel summary`); for an MLAG/vPC pair check that both peers use the same
    LACP system ID and port-channel number.
    """
    bond = bond_of(ctx)
    if bond.privileged_view is False:
        yield c.warned(ctx, f"per-port LACP partner data is {NOT_VISIBLE}")
        return
    up = up_ports(bond)
    if len(up) < 2:
        yield c.skipped(ctx, "fewer than two up ports: nothing to compare")
        return
    seen = {
        p.name: (p.partner_mac.lower(), p.partner.key if p.partner else None)
        for p in up
        if p.partner_mac is not None and not is_zero_mac(p.partner_mac)
    }
    if len(seen) < 2:
        any_details = any(p.partner is not None for p in up)
        why = (
            "fewer than two up ports have a partner; see LACP-PARTNER"
            if any_details
            else "this kernel shows no per-port partner details (details partner lacp pdu)"
        )
        yield c.skipped(ctx, why)
        return
    observed = {p: {"system_mac": m, "key": k} for p, (m, k) in seen.items()}
    evidence = "; ".join(
        port_evidence(p, f"details partner lacp pdu: system mac address: {m} / oper key: {k}")
        for p, (m, k) in seen.items()
    )
    macs = {m for m, _ in seen.values()}
    keys = {k for _, k in seen.values()}
    listing = ", ".join(f"{p} {m} key {k}" for p, (m, k) in seen.items())
    if len(macs) > 1:
        yield c.failed(
            ctx,
            f"up ports see different partner systems: {listing}{_lldp_switches(ctx, seen)}",
            expected="one partner system",
            observed=observed,
            evidence=evidence,
        )
    elif len(keys) > 1:
        yield c.failed(
            ctx,
            f"up ports see partner {next(iter(macs))} with different keys "
            f"(different port-channels): {listing}",
            expected="one partner key",
            observed=observed,
            evidence=evidence,
        )
    else:
        yield c.passed(
            ctx,
            f"{len(seen)} up ports see partner {next(iter(macs))} key {next(iter(keys))}",
            observed=observed,
            evidence=evidence,
        )
