"""Builders for the model objects the checks judge, so each test states only what matters.

The defaults describe a healthy 802.3ad bond ``bond0`` with ports eth1/eth2, read as root:
one active aggregator (1) with both ports, the same partner on both, actor and partner
state 63 (fast, in sync, collecting, distributing), 10G full duplex, no link failures.
Tests change one thing and assert the one result that must change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bondcheck.checks.base import CheckContext
from bondcheck.checks.catalog import BY_ID
from bondcheck.model import (
    Address,
    AdInfo,
    CheckResult,
    Enactment,
    Evidence,
    ExpectedAddress,
    ExpectedBond,
    ExpectedIp,
    IpState,
    LacpPdu,
    Link,
    ObservedBond,
    ObservedPort,
    Status,
)

ACTOR_MAC = "52:54:00:aa:bb:01"
PARTNER_MAC = "00:1c:73:00:00:99"
ZERO = "00:00:00:00:00:00"


def lacp_port(
    name: str,
    *,
    mii: str = "up",
    agg: int | None = 1,
    actor_state: int | None = 63,
    partner_state: int | None = 63,
    partner_mac: str | None = PARTNER_MAC,
    partner_key: int | None = 3,
    details: bool = True,
    **kw: Any,
) -> ObservedPort:
    """An 802.3ad port; ``details=False`` drops the root-only details blocks."""
    actor = partner = None
    if details:
        actor = LacpPdu(65535, ACTOR_MAC, 15, 255, 1, actor_state)
        partner = LacpPdu(127, partner_mac, partner_key, 127, 1, partner_state)
    fields: dict[str, Any] = {
        "speed_mbps": 10000,
        "duplex": "full",
        "link_failure_count": 0,
        "aggregator_id": agg,
        "actor_churn_state": "none",
        "partner_churn_state": "none",
        "actor_churned_count": 0,
        "partner_churned_count": 0,
    }
    fields.update(kw)
    return ObservedPort(name=name, mii_status=mii, actor=actor, partner=partner, **fields)


def plain_port(name: str, *, mii: str = "up", **kw: Any) -> ObservedPort:
    """A port of a non-802.3ad bond."""
    fields: dict[str, Any] = {"speed_mbps": 10000, "duplex": "full", "link_failure_count": 0}
    fields.update(kw)
    return ObservedPort(name=name, mii_status=mii, **fields)


def lacp_bond(*ports: ObservedPort, **kw: Any) -> ObservedBond:
    """A healthy, privileged view of an 802.3ad bond (override any field with ``kw``)."""
    ports = ports or (lacp_port("eth1"), lacp_port("eth2"))
    fields: dict[str, Any] = {
        "name": "bond0",
        "mode": "802.3ad",
        "mii_status": "up",
        "miimon_ms": 100,
        "updelay_ms": 0,
        "downdelay_ms": 0,
        "xmit_hash_policy": "layer3+4",
        "lacp_rate": "fast",
        "lacp_active": True,
        "min_links": 0,
        "ad_select": "stable",
        "system_priority": 65535,
        "system_mac": ACTOR_MAC,
        "ad_info": AdInfo(1, len(ports), 15, 3, PARTNER_MAC),
        "privileged_view": True,
        "ports": tuple(ports),
    }
    fields.update(kw)
    return ObservedBond(**fields)


def nonroot(bond: ObservedBond) -> ObservedBond:
    """The same bond as a reader without CAP_NET_ADMIN sees it on a >= 4.3 kernel."""
    ports = tuple(replace(p, actor=None, partner=None) for p in bond.ports)
    return replace(
        bond,
        system_priority=None,
        system_mac=None,
        ad_info=None,
        no_active_aggregator=False,
        privileged_view=False,
        ports=ports,
    )


def ab_bond(*ports: ObservedPort, **kw: Any) -> ObservedBond:
    """A healthy active-backup bond."""
    ports = ports or (plain_port("eth1"), plain_port("eth2"))
    fields: dict[str, Any] = {
        "name": "bond0",
        "mode": "active-backup",
        "mii_status": "up",
        "miimon_ms": 100,
        "updelay_ms": 0,
        "downdelay_ms": 0,
        "active_port": ports[0].name if ports else None,
        "ports": tuple(ports),
    }
    fields.update(kw)
    return ObservedBond(**fields)


def expected(
    *,
    name: str = "bond0",
    mode: str | None = "802.3ad",
    ports: tuple[str, ...] = ("eth1", "eth2"),
    options: Mapping[str, Any] | None = None,
    **kw: Any,
) -> ExpectedBond:
    return ExpectedBond(name=name, mode=mode, ports=ports, options=dict(options or {}), **kw)


def addr(text: str, scope: str = "global") -> Address:
    """``10.0.0.5/24`` -> Address; the family follows from the text."""
    local, _, prefix = text.partition("/")
    return Address("inet6" if ":" in local else "inet", local, int(prefix), scope)


def ip_state(
    addresses: Mapping[str, list[str]] | None = None,
    *,
    links: Mapping[str, Link] | None = None,
    has_addresses: bool = True,
) -> IpState:
    """IpState from ``{"bond0": ["10.0.0.5/24"]}``; fe80 addresses get scope link."""
    table = {
        iface: tuple(addr(a, "link" if a.lower().startswith("fe80") else "global") for a in addrs)
        for iface, addrs in (addresses or {}).items()
    }
    return IpState(
        addresses=table,
        links=dict(links or {}),
        has_addresses=has_addresses,
        has_links=links is not None,
    )


def bond_link(name: str = "bond0", **info_data: Any) -> Link:
    return Link(name=name, info_data=info_data)


def ipv4(*addresses: str, enabled: bool = True, dhcp: bool = False) -> ExpectedIp:
    return ExpectedIp(enabled=enabled, dhcp=dhcp, addresses=tuple(_exp(a) for a in addresses))


def ipv6(
    *addresses: str, enabled: bool = True, dhcp: bool = False, autoconf: bool = False
) -> ExpectedIp:
    return ExpectedIp(
        enabled=enabled,
        dhcp=dhcp,
        autoconf=autoconf,
        addresses=tuple(_exp(a) for a in addresses),
    )


def _exp(text: str) -> ExpectedAddress:
    ip, _, prefix = text.partition("/")
    return ExpectedAddress(ip, int(prefix))


def context(
    observed: ObservedBond | None = None,
    exp: ExpectedBond | None = None,
    *,
    ip: IpState | None = None,
    enactment: Enactment | None = None,
    node: str = "worker-0",
    use_default_bond: bool = True,
) -> CheckContext:
    """A CheckContext; by default the healthy LACP bond against a matching policy."""
    if observed is None and use_default_bond:
        observed = lacp_bond()
    return CheckContext(
        node=node,
        expected=exp or expected(),
        observed=observed,
        ip=ip or IpState(),
        evidence=Evidence(node=node, transport="test"),
        enactment=enactment,
    )


def absent_context(exp: ExpectedBond | None = None, **kw: Any) -> CheckContext:
    """The bond's /proc file does not exist."""
    return context(None, exp, use_default_bond=False, **kw)


def run(check_id: str, ctx: CheckContext) -> list[CheckResult]:
    check = BY_ID.get(check_id.upper())
    assert check is not None, f"{check_id} is not registered"
    results = list(check.run(ctx))
    assert results, f"{check_id} yielded no result"
    assert all(r.check == check_id for r in results)
    return results


def statuses(results: list[CheckResult]) -> list[Status]:
    return [r.status for r in results]


def only(results: list[CheckResult], status: Status) -> CheckResult:
    """The single result of ``results``, asserting its status."""
    assert len(results) == 1, [(r.status, r.message) for r in results]
    assert results[0].status is status, results[0].message
    return results[0]


def by_status(results: list[CheckResult], status: Status) -> list[CheckResult]:
    return [r for r in results if r.status is status]
