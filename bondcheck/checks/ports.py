"""PORT-ENSLAVED, PORT-UNEXPECTED and PORT-SPEED: the bond has the right, matching ports."""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import (
    LACP_MODE,
    CheckContext,
    CheckDef,
    bond_of,
    check,
    names,
    port_evidence,
    up_ports,
)
from bondcheck.model import CheckResult, ObservedPort


def _where_is(port: str, ctx: CheckContext) -> str:
    """What `ip link` says about a port missing from the bond, when it was collected."""
    if not ctx.ip.has_links and not ctx.ip.has_addresses:
        return ""
    link = ctx.ip.links.get(port)
    if link is None:
        return f"; no interface {port} exists on the node"
    if link.master and link.master != ctx.expected.name:
        return f"; it is enslaved to {link.master}"
    if link.master is None:
        state = f", operstate {link.operstate}" if link.operstate else ""
        return f"; it has no master{state}"
    return ""


@check(
    "PORT-ENSLAVED",
    nns_blind=None,
    title="Every port the policy lists is enslaved to the bond",
    remediation=(
        "Fix the port name in link-aggregation.port (compare with ip link on the node), "
        "free the port from any other master, and re-apply the NNCP."
    ),
)
def port_enslaved(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that every interface in the policy's `link-aggregation.port` (or `ports`,
    `slaves`, `ports-config`) appears as `Slave Interface: <port>` in
    /proc/net/bonding/<bond>. Ports are compared as a set: the kernel lists them in enslave
    order, which differs between nodes.

    Why it matters: a missing port means the bond runs with less redundancy and bandwidth
    than designed, while the NNCP may still report success. Typical causes: NIC names
    differ on this node's hardware (ens1f0 vs ens2f0), the port is enslaved to another bond
    or bridge, or it failed to enslave (MTU, driver).

    Fails when: a policy port is not enslaved; with `ip link` evidence the message says
    whether the interface does not exist, has no master, or belongs to another master.

    How to fix: compare the names with `ip -br link` on the node; correct
    `link-aggregation.port` in the NNCP (or use a per-node NNCP / nodeSelector when the
    hardware differs), release the port from its other master, and re-apply. `oc get nnce
    <node>.<policy> -o yaml` shows nmstate's error if enslaving failed.
    """
    bond = bond_of(ctx)
    wanted = ctx.expected.ports
    if not wanted:
        yield c.skipped(ctx, "policy lists no ports")
        return
    present = {p.name for p in bond.ports}
    missing = [p for p in wanted if p not in present]
    for port in missing:
        yield c.failed(
            ctx,
            f"port {port} is not enslaved to {ctx.expected.name}{_where_is(port, ctx)}",
            port=port,
            expected="enslaved",
            observed="not enslaved",
            evidence=(
                f"no 'Slave Interface: {port}' in /proc/net/bonding/{ctx.expected.name}"
                f" (ports: {names([p.name for p in bond.ports])})"
            ),
        )
    if not missing:
        yield c.passed(
            ctx,
            f"all {len(wanted)} policy port(s) enslaved: {names(list(wanted))}",
            expected=sorted(wanted),
            observed=sorted(present),
        )


@check(
    "PORT-UNEXPECTED",
    nns_blind=None,
    title="The bond has no ports the policy does not list",
    remediation=(
        "Release the extra port (ip link set <port> nomaster, or remove it from the NNCP "
        "that added it) or add it to this policy's link-aggregation.port."
    ),
)
def port_unexpected(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that every `Slave Interface:` of the bond is a port the policy lists.

    Why it matters: an extra port was added outside the policy (manual `nmcli`, another
    NNCP, an old ifcfg/keyfile profile). It changes the bond's behaviour (an 802.3ad
    aggregator with a port wired to another switch, an active-backup bond that can fail
    over to an unintended link) and the next policy apply may remove it abruptly.

    Fails when: the bond has a port that the policy's port list does not name. Skips when
    the policy lists no ports.

    How to fix: find what added it (`nmcli -f NAME,DEVICE,MASTER connection show`, other
    NNCPs with `oc get nncp`); either add the port to this NNCP or release it with
    `ip link set <port> nomaster` and delete its stale connection profile.
    """
    bond = bond_of(ctx)
    wanted = set(ctx.expected.ports)
    if not wanted:
        yield c.skipped(ctx, "policy lists no ports")
        return
    extra = [p for p in bond.ports if p.name not in wanted]
    for port in extra:
        yield c.failed(
            ctx,
            f"port {port.name} is enslaved to {ctx.expected.name} but the policy does not "
            f"list it (policy ports: {names(list(ctx.expected.ports))})",
            port=port.name,
            expected=sorted(wanted),
            observed="enslaved",
            evidence=port_evidence(port.name, f"MII Status: {port.mii_status}"),
        )
    if not extra:
        yield c.passed(
            ctx,
            f"no port beyond the policy's {len(wanted)}",
            expected=sorted(wanted),
            observed=[p.name for p in bond.ports],
        )


def _speed(port: ObservedPort) -> str:
    speed = f"{port.speed_mbps} Mbps" if port.speed_mbps is not None else "Unknown"
    return f"Speed: {speed} / Duplex: {port.duplex or 'Unknown'}"


@check(
    "PORT-SPEED",
    nns_blind="NNS has no per-port MII status, so it cannot tell which ports' speeds to compare",
    title="Ports run at the same speed and duplex",
    remediation=(
        "Use identical NICs/optics and switch port speed on every port (check autoneg with "
        "ethtool); 802.3ad aggregates only equal full-duplex ports."
    ),
)
def port_speed(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the ports whose MII status is up report the same `Speed` and
    `Duplex` in /proc/net/bonding/<bond>.

    Why it matters: 802.3ad puts only ports with the same speed and duplex (the same actor
    key) in one aggregator, so a 1G port next to 10G ports sits idle in its own aggregator,
    or takes over alone under `ad_select bandwidth`. In other modes a slower port carries
    a share of traffic (balance-rr/xor/tlb/alb) or becomes the active link after a
    failover (active-backup) and caps throughput.

    Fails when (802.3ad): the up ports differ in speed or duplex, or one runs half duplex.
    Warns on a speed/duplex difference in other modes. Ports with `Speed: Unknown`
    (virtual NICs, or no speed from the driver) are left out; with fewer than two known
    ports the check skips.

    How to fix: `ethtool <port>` on the node for speed, duplex and autonegotiation;
    match optics/cables and the switch port speed (`speed 10000` / `negotiation auto`
    on the port-channel members); replace a port that negotiated down.
    """
    bond = bond_of(ctx)
    up = up_ports(bond)
    known = [p for p in up if p.speed_mbps is not None]
    unknown = [p.name for p in up if p.speed_mbps is None]
    lacp = bond.mode == LACP_MODE
    half = [p for p in known if p.duplex == "half"] if lacp else []
    for port in half:
        yield c.failed(
            ctx,
            f"port {port.name} runs half duplex; 802.3ad needs full duplex",
            port=port.name,
            expected="full",
            observed="half",
            evidence=port_evidence(port.name, _speed(port)),
        )
    if len(known) < 2:
        if half:
            return
        why = f"speed unknown for {names(unknown)}" if unknown else "nothing to compare"
        yield c.skipped(
            ctx,
            f"fewer than two up ports with a known speed ({why})",
            observed={p.name: p.speed_mbps for p in up},
        )
        return
    combos = {(p.speed_mbps, p.duplex) for p in known}
    observed = {p.name: f"{p.speed_mbps} Mbps {p.duplex or 'Unknown'}" for p in known}
    if len(combos) == 1:
        if half:
            return
        speed, duplex = next(iter(combos))
        note = f" ({names(unknown)} unknown)" if unknown else ""
        yield c.passed(
            ctx,
            f"{len(known)} up ports at {speed} Mbps {duplex or 'Unknown'} duplex{note}",
            observed=observed,
        )
        return
    build = c.failed if lacp else c.warned
    listing = ", ".join(f"{name} {value}" for name, value in observed.items())
    yield build(
        ctx,
        f"up ports differ in speed/duplex: {listing}",
        expected="equal speed and duplex",
        observed=observed,
        evidence="; ".join(port_evidence(p.name, _speed(p)) for p in known),
    )
