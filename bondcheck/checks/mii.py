"""BOND-MII and PORT-MII: the bond and each of its ports have link (carrier)."""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import (
    CheckContext,
    CheckDef,
    bond_of,
    check,
    names,
    port_evidence,
    up_ports,
)
from bondcheck.model import CheckResult

#: Transitional per-port states inside updelay/downdelay: the link is changing right now.
TRANSITIONAL = frozenset({"going down", "going back"})


@check(
    "BOND-MII",
    nns_blind="NNS reports the administrative state (up/down), not the bond's MII status",
    title="Bond link (MII status) is up",
    remediation=(
        "Bring at least one port up (cabling, switch port enabled, NIC driver); in 802.3ad "
        "check min_links and that the switch port-channel is up."
    ),
)
def bond_mii(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the bond itself has carrier: `MII Status: up` in the bond's header
    block of /proc/net/bonding/<bond>.

    Why it matters: a bond without carrier carries no traffic at all; if it holds the
    node's primary address the node drops off the cluster network (NotReady, pods
    evicted).

    Fails when: the bond's MII status is anything but `up`. The bond is down when no port
    has link, and in 802.3ad also when the active aggregator has fewer ports than
    `min_links` or no aggregator is active (no LACP partner).

    How to fix: look at the ports first (PORT-MII, LACP-* results): `ip link show` and
    `ethtool <port>` on the node, cabling and the switch port state. For 802.3ad make
    sure the switch has an LACP port-channel on those ports (`show etherchannel summary`
    / `show lacp neighbor`) and that `min_links` in the NNCP is not larger than the
    number of ports that can come up.
    """
    bond = bond_of(ctx)
    evidence = f"MII Status: {bond.mii_status}"
    if bond.mii_status == "up":
        yield c.passed(
            ctx,
            f"{ctx.expected.name} MII status is up",
            expected="up",
            observed="up",
            evidence=evidence,
        )
        return
    up = [p.name for p in up_ports(bond)]
    detail = f"{len(up)} of {len(bond.ports)} port(s) up"
    if bond.mode == "802.3ad" and bond.min_links:
        detail += f", min_links {bond.min_links}"
    yield c.failed(
        ctx,
        f"{ctx.expected.name} MII status is {bond.mii_status} ({detail})",
        expected="up",
        observed=bond.mii_status,
        evidence=evidence,
    )


@check(
    "PORT-MII",
    nns_blind="NNS has no per-port MII/carrier status",
    title="Every enslaved port has link (MII status up)",
    remediation=(
        "Restore the port's link: cable/optic, switch port (shutdown? err-disabled?), NIC "
        "driver/firmware; a port that keeps going down needs the switch logs."
    ),
)
def port_mii(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks each port listed under `Slave Interface:` has `MII Status: up`.

    Why it matters: a bond with a dead port still passes traffic, so the loss of redundancy
    goes unnoticed until the second link fails and the node drops off the network. This is
    the check that catches "one leg is down".

    Fails when: a port's MII status is `down` (or `unknown`). Warns when it is `going
    down` or `going back`: the port is inside downdelay/updelay, so the link is changing
    as the evidence was read; read again to see where it settles.

    How to fix: on the node, `ip link show <port>` and `ethtool <port>` (Link detected,
    speed) and the kernel log (`journalctl -k | grep <port>`); on the switch, the port's
    state (administratively down, err-disabled, LACP suspended). Replace the cable or
    optic if the port flaps; see PORT-FLAPPING for the link failure count.
    """
    bond = bond_of(ctx)
    if not bond.ports:
        yield c.skipped(ctx, f"{ctx.expected.name} has no ports; see PORT-ENSLAVED")
        return
    bad = False
    for port in bond.ports:
        if port.mii_status == "up":
            continue
        bad = True
        build = c.warned if port.mii_status in TRANSITIONAL else c.failed
        what = " (link is changing inside up/down delay)" if port.mii_status in TRANSITIONAL else ""
        yield build(
            ctx,
            f"port {port.name} MII status is {port.mii_status}{what}",
            port=port.name,
            expected="up",
            observed=port.mii_status,
            evidence=port_evidence(port.name, f"MII Status: {port.mii_status}"),
        )
    if not bad:
        ports = [p.name for p in bond.ports]
        yield c.passed(
            ctx,
            f"all {len(ports)} port(s) up: {names(ports)}",
            expected="up",
            observed={p: "up" for p in ports},
        )
