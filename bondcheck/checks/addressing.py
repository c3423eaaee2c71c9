"""PORT-NO-IP and BOND-IP: addresses live on the bond (or its VLAN/bridge), never on ports."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from bondcheck.checks.base import CheckContext, CheckDef, bond_of, check, names
from bondcheck.model import Address, CheckResult, ExpectedIp, Status

_NO_IP_ADDR = (
    "ip -j addr was not collected (ip-addr.json missing, empty or unreadable): "
    "the addresses the policy requires cannot be judged"
)
_RECOLLECT = (
    "Collect the node again with its addresses (bondcheck collect saves ip -j addr as "
    "ip-addr.json; a sosreport needs sos_commands/networking/ip_-o_addr)."
)


def _missing(c: CheckDef, ctx: CheckContext) -> CheckResult:
    """Evidence a required check needs is missing: ERROR (exit 3), never a skip that would
    leave the node green."""
    return c.result(ctx, Status.ERROR, _NO_IP_ADDR, remediation=_RECOLLECT)


_FAMILY = {"inet": "IPv4", "inet6": "IPv6"}


def _line(iface: str, addr: Address) -> str:
    """An address as `ip addr` prints it: `inet 10.0.0.5/24 scope global bond0`."""
    return f"{addr.family} {addr} scope {addr.scope} {iface}"


def _routable(addrs: tuple[Address, ...], family: str | None = None) -> list[Address]:
    """IPv4 addresses and non-link-local IPv6 addresses (fe80::/10 is ignored)."""
    return [
        a
        for a in addrs
        if (family is None or a.family == family)
        and (a.family == "inet" or not a.is_link_local)
        and a.scope != "host"
    ]


def _norm(ip: str) -> str:
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return ip.strip().lower()


@check(
    "PORT-NO-IP",
    nns_blind=None,
    title="Bond ports carry no IP address",
    remediation=(
        "Set ipv4/ipv6 enabled: false on the port interfaces in the NNCP (or delete the "
        "port's own connection profile) so addresses live only on the bond."
    ),
)
def port_no_ip(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that no port of the bond (enslaved, or listed by the policy) has an IPv4
    address or a non-link-local IPv6 address in `ip addr`. IPv6 link-local (fe80::/10)
    addresses are ignored: the kernel can add them transiently.

    Why it matters: an address on a port bypasses the bond. Traffic to it dies with that one
    link, replies may leave through another port with the wrong MAC, and a leftover DHCP
    client on a port can steal the node's address or route. It usually means an old
    per-NIC connection profile is still active next to the bond.

    Fails when: a port has an IPv4 or global/site IPv6 address (one result per port).
    ERROR when `ip addr` was not collected: /proc/net/bonding says nothing about addresses,
    and a node whose ports could not be checked must not pass.

    How to fix: declare the ports in the NNCP with `ipv4: {enabled: false}` and `ipv6:
    {enabled: false}`; on the node, find the stale profile with `nmcli -f NAME,DEVICE
    connection show` and delete it; `ip addr flush dev <port>` clears the address now.
    """
    if not ctx.ip.has_addresses:
        yield _missing(c, ctx)
        return
    bond = bond_of(ctx)
    ports = list(dict.fromkeys([*ctx.expected.ports, *(p.name for p in bond.ports)]))
    bad = False
    for port in ports:
        found = _routable(ctx.ip.addresses.get(port, ()))
        if not found:
            continue
        bad = True
        yield c.failed(
            ctx,
            f"port {port} carries {names([str(a) for a in found])}; addresses belong on "
            f"{ctx.expected.ip_device or ctx.expected.name}",
            port=port,
            expected=[],
            observed=[str(a) for a in found],
            evidence="; ".join(_line(port, a) for a in found),
        )
    if not bad:
        yield c.passed(
            ctx,
            f"no IPv4 or global IPv6 address on {plural_ports(ports)}",
            expected=[],
            observed={p: [] for p in ports},
        )


def plural_ports(ports: list[str]) -> str:
    return f"port {ports[0]}" if len(ports) == 1 else f"ports {names(ports)}"


def _family_problems(
    c: CheckDef, ctx: CheckContext, device: str, family: str, want: ExpectedIp
) -> Iterator[CheckResult]:
    label = _FAMILY[family]
    have = _routable(ctx.ip.addresses.get(device, ()), family)
    shown = "; ".join(_line(device, a) for a in have) or f"ip addr: no {family} address on {device}"
    if not want.enabled:
        if have:
            yield c.failed(
                ctx,
                f"{label} is disabled in the policy but {device} has "
                f"{names([str(a) for a in have])}",
                expected=[],
                observed=[str(a) for a in have],
                evidence=shown,
            )
        return
    for addr in want.addresses:
        ip = _norm(addr.ip)
        same_ip = [a for a in have if _norm(a.local) == ip]
        if any(a.prefixlen == addr.prefix_length for a in same_ip):
            continue
        if same_ip:
            why = f"{device} has {same_ip[0]} instead (prefix differs)"
        else:
            elsewhere = [
                name
                for name, addrs in ctx.ip.addresses.items()
                if name != device and any(_norm(a.local) == ip for a in addrs)
            ]
            why = f"it is on {names(elsewhere)} instead" if elsewhere else f"{device} lacks it"
        yield c.failed(
            ctx,
            f"static {label} address {addr} is missing from {device}: {why}",
            expected=str(addr),
            observed=[str(a) for a in have],
            evidence=shown,
        )
    dynamic = want.dhcp or (family == "inet6" and want.autoconf)
    if dynamic and not have:
        how = "DHCP" if want.dhcp else "autoconf"
        build = c.failed if family == "inet" else c.warned
        yield build(
            ctx,
            f"{how} is on for {label} but {device} has no {'global ' if family == 'inet6' else ''}"
            f"{label} address",
            expected=f"a {how} {label} address",
            observed=[],
            evidence=shown,
        )


@check(
    "BOND-IP",
    nns_blind=None,
    title="The bond (or its VLAN/bridge) has the policy's addresses",
    remediation=(
        "Check the ipv4/ipv6 block of the interface that should hold the address (bond, or "
        "the VLAN/bridge on it) in the NNCP, and the DHCP server/VLAN for dynamic addressing."
    ),
)
def bond_ip(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks the addresses of the interface that carries the bond's IP configuration:
    the bond itself, or the VLAN or bridge the policy builds on top of it.

    - every static address of the policy (`ipv4.address` / `ipv6.address`) is on that
      interface with the same prefix length;
    - with `ipv4.dhcp: true` it has at least one IPv4 address (with IPv6 `dhcp` or
      `autoconf` at least one global IPv6 address, else a warning: the network may send
      no router advertisements);
    - with `enabled: false` it has no address of that family (IPv6 link-local aside).

    Why it matters: the bond is there to carry the node's traffic; a node whose bond has no
    address, a wrong prefix, or whose address sits on a port instead, is unreachable or
    half-reachable. With DHCP a bond that came up with another MAC (another first port)
    can get no lease or a different address.

    Fails when: a static address is missing or has another prefix length (the message says
    where the address is instead, e.g. on a port), DHCP is on and no IPv4 address was
    obtained, or a disabled family still has addresses. Skips when the policy has no
    ipv4/ipv6 block for the interface; ERROR when it has one and `ip addr` was not collected.

    How to fix: compare the NNCP's `ipv4`/`ipv6` blocks with `ip addr show <iface>`
    on the node; for DHCP check the VLAN/switch trunk and the DHCP server, and give an
    active-backup bond a `primary` (or set the bond's `mac-address`) so its MAC, and so
    its lease, is stable.
    """
    expected = ctx.expected
    device = expected.ip_device or expected.name
    if expected.ipv4 is None and expected.ipv6 is None:
        yield c.skipped(ctx, f"policy sets no ipv4/ipv6 for {device}")
        return
    if not ctx.ip.has_addresses:
        yield _missing(c, ctx)
        return
    if device not in ctx.ip.addresses and device not in ctx.ip.links:
        yield c.failed(
            ctx,
            f"{device} does not exist on {ctx.node}; the policy puts the addresses there",
            expected=device,
            observed=None,
            evidence=f"ip addr: no interface {device}",
        )
        return
    problems: list[CheckResult] = []
    for family, want in (("inet", expected.ipv4), ("inet6", expected.ipv6)):
        if want is not None:
            problems.extend(_family_problems(c, ctx, device, family, want))
    if problems:
        yield from problems
        return
    have = [str(a) for a in _routable(ctx.ip.addresses.get(device, ()))]
    yield c.passed(
        ctx,
        f"{device} has {names(have)}" if have else f"{device} has no address, as the policy sets",
        observed=have,
        evidence="; ".join(_line(device, a) for a in _routable(ctx.ip.addresses.get(device, ())))
        or None,
    )
