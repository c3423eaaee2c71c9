"""LLDP-NEIGHBOR, LLDP-DISTINCT-SWITCH and LLDP-CABLING: where each bond port's cable goes.

LLDP neighbours come from lldpd on the node (``lldpctl -f json``, collected as lldp.json) or
from nmstate's own LLDP support (NodeNetworkState ``interfaces[].lldp.neighbors``). A node
with neither has no LLDP source: these checks then skip and say so, rather than warn about
every port.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from bondcheck.checks.base import CheckContext, CheckDef, check
from bondcheck.model import CheckResult, LldpNeighbor

if TYPE_CHECKING:
    from bondcheck.cabling import Cable

NO_SOURCE = (
    "no LLDP source on the node (lldpd not running, or LLDP not enabled in the NNCP's "
    "interfaces: lldp: enabled: true)"
)


@check(
    "LLDP-NEIGHBOR",
    nns_blind=None,
    title="Every bond port has an LLDP neighbour",
    remediation=(
        "Enable LLDP on the switch ports (Cisco `lldp run`, Arista/Juniper on by default) and "
        "on the node (lldpd, or `lldp: enabled: true` on the port interfaces in the NNCP); a "
        "port with no neighbour may be cabled to a device without LLDP or to nothing."
    ),
)
def lldp_neighbor(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that every port the policy puts in the bond hears an LLDP neighbour: the switch
    at the other end of its cable says who it is and which port.

    Why it matters: the neighbour is the only record on the node of where a cable goes.
    Without it, "which switch port is ens256 on" is a walk to the rack, and the cabling
    checks (LLDP-DISTINCT-SWITCH, LLDP-CABLING) cannot judge the port.

    Warns when the node has LLDP data but not for this port (LLDP off on that switch port,
    a device without LLDP, or no link). Skips, saying why, when the node has no LLDP source
    at all.

    How to fix: enable LLDP on the switch ports and on the node (`lldpd`, or
    `lldp: enabled: true` on the ethernet interfaces of the NNCP), then check
    `lldpctl` / `oc get nns <node> -o yaml` for the neighbour.
    """
    if ctx.lldp is None:
        yield c.skipped(ctx, NO_SOURCE)
        return
    heard = []
    for port in ctx.expected.ports:
        seen = ctx.neighbor(port)
        if seen is None:
            yield c.warned(ctx, f"no LLDP neighbour on {port}", port=port,
                           expected="an LLDP neighbour", observed=None)  # fmt: skip
        else:
            heard.append(f"{port} -> {seen.where}")
    if heard and len(heard) == len(ctx.expected.ports):
        yield c.passed(ctx, "; ".join(heard), observed=heard)


def _chassis(seen: LldpNeighbor) -> str:
    return seen.chassis_id or seen.system_name or "?"


@check(
    "LLDP-DISTINCT-SWITCH",
    nns_blind=None,
    title="The bond's ports reach at least two switches",
    remediation=(
        "Move one port's cable to the other switch of the pair (MLAG/vPC) so that one switch "
        "failure leaves the bond a link; with 802.3ad, configure the port-channel on both "
        "peers of the pair."
    ),
)
def lldp_distinct_switch(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the bond's ports are cabled to at least two distinct switches, by LLDP
    chassis ID (two names for one chassis are one switch).

    Why it matters: a bond whose ports all reach one switch survives a cable or optic, but
    not that switch's reboot, firmware upgrade or failure: the node loses its network with
    it. With 802.3ad, two switches that present one LACP partner are an MLAG/vPC pair (the
    redundant design); ports reaching two switches with different partners are not one
    port-channel at all, which LACP-SAME-PARTNER fails and names.

    Fails when every port reaches one chassis and distinct switches are required
    (`--require-distinct-switches`, or `require_distinct_switches: true` in the cabling
    file); warns when they are not required. Skips without an LLDP source, or when fewer
    than two ports have a neighbour (LLDP-NEIGHBOR says which).

    How to fix: re-cable one port to the second switch of the pair and extend the
    port-channel (MLAG/vPC) across both.
    """
    if ctx.lldp is None:
        yield c.skipped(ctx, NO_SOURCE)
        return
    seen = {port: n for port in ctx.expected.ports if (n := ctx.neighbor(port)) is not None}
    if len(seen) < 2:
        yield c.skipped(ctx, f"{len(seen)} port(s) with an LLDP neighbour; see LLDP-NEIGHBOR")
        return
    chassis = {_chassis(n) for n in seen.values()}
    where = ", ".join(f"{p} -> {n.where}" for p, n in seen.items())
    if len(chassis) >= 2:
        partners = {p.partner_mac for p in (ctx.observed.ports if ctx.observed else ())
                    if p.name in seen and p.partner_mac}  # fmt: skip
        pair = " (one LACP partner: an MLAG/vPC pair)" if len(partners) == 1 else ""
        yield c.passed(ctx, f"ports reach {len(chassis)} switches{pair}: {where}",
                       observed=sorted(chassis))  # fmt: skip
        return
    switch = next(iter(seen.values())).switch
    message = f"every port reaches one switch, {switch}: {where}; it is a single point of failure"
    required = ctx.cabling is not None and ctx.cabling.require_distinct_switches
    build = c.failed if required else c.warned
    yield build(ctx, message, expected="at least 2 switches", observed=sorted(chassis))


def _matches(seen: LldpNeighbor, cable: Cable) -> bool:
    if cable.switch not in (seen.system_name, seen.chassis_id):
        return False
    return cable.port is None or cable.port in (seen.port_id, seen.port_descr)


@check(
    "LLDP-CABLING",
    nns_blind=None,
    title="Each port is cabled where the cabling map says",
    remediation=(
        "Move the cable to the switch port the cabling map names (or fix the map if the "
        "change was intended); check the patch panel labels against LLDP."
    ),
)
def lldp_cabling(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks each bond port's LLDP neighbour against the expected cabling map given with
    `--cabling FILE` (node or node pattern -> port -> switch and switch port).

    Why it matters: after a change window a cable moved to the wrong switch port shows up
    as "no LACP partner" or a port outside the aggregator with no hint of where it went;
    the map says where it should be and LLDP says where it is: "ens256 is cabled to leaf-2
    Ethernet1/7, expected leaf-2 Ethernet1/8".

    Fails when a port's neighbour is another switch or switch port than the map says; warns
    when the map names a port that has no LLDP neighbour. Skips without `--cabling`, for a
    node the map does not list, or without an LLDP source.

    How to fix: move the cable to the mapped switch port, or update the map when the new
    cabling is intended.
    """
    expected = ctx.cabling.for_node(ctx.node) if ctx.cabling is not None else None
    if expected is None:
        why = "no --cabling map" if ctx.cabling is None else f"{ctx.node} is not in the map"
        yield c.skipped(ctx, why)
        return
    if ctx.lldp is None:
        yield c.skipped(ctx, NO_SOURCE)
        return
    good, bad = [], 0
    for port in ctx.expected.ports:
        cable = expected.get(port)
        if cable is None:
            continue
        seen = ctx.neighbor(port)
        if seen is None:
            bad += 1
            yield c.warned(ctx, f"no LLDP neighbour on {port}; expected {cable}", port=port,
                           expected=str(cable), observed=None)  # fmt: skip
        elif not _matches(seen, cable):
            bad += 1
            yield c.failed(ctx, f"{port} is cabled to {seen.where}, expected {cable}",
                           port=port, expected=str(cable), observed=seen.where)  # fmt: skip
        else:
            good.append(f"{port} -> {seen.where}")
    if not bad:
        if good:
            yield c.passed(ctx, "as mapped: " + "; ".join(good), observed=good)
        else:
            yield c.skipped(ctx, f"the map names none of {ctx.expected.name}'s ports")
