"""NodeNetworkState -> the observed model: what ``--via nns`` judges a node by (pure).

The nmstate handler publishes each node's interfaces as an NNS object. nmstate reports
configuration and administrative state, not the bonding driver's runtime view: there is no
MII/carrier status, no LACP partner, aggregator or port state, no link-failure counts, no
active port. The conversion here fills what NNS says and leaves the rest unknown; each check
says on its definition whether NNS can answer it (``CheckDef.nns_blind``), so the judge skips
the others with the reason instead of guessing.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bondcheck.errors import ParseError
from bondcheck.model import Address, IpState, Link, ObservedBond, ObservedPort
from bondcheck.vocabulary import ENUM_OPTIONS, MODES, as_bool, as_int

T = TypeVar("T")

_ENUMS: Mapping[str, Mapping[int, str]] = {
    option: dict(enumerate(ENUM_OPTIONS[option]))
    for option in (
        "xmit_hash_policy",
        "lacp_rate",
        "ad_select",
        "fail_over_mac",
        "primary_reselect",
    )
}
_MODES = {**{str(code): name for code, name in enumerate(MODES)}, "lacp": "802.3ad"}


# ------------------------------------------------------------------------------ pure helpers


def _interfaces(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    ifaces = state.get("interfaces") if isinstance(state, Mapping) else None
    return [i for i in ifaces if isinstance(i, Mapping)] if isinstance(ifaces, list) else []


def _by_name(state: Mapping[str, Any]) -> dict[Any, Mapping[str, Any]]:
    """Interfaces by name (the first of each), built once per lookup round: a bond with
    thousands of ports is read in linear time."""
    by_name: dict[Any, Mapping[str, Any]] = {}
    for iface in _interfaces(state):
        by_name.setdefault(iface.get("name"), iface)
    return by_name


def _enum(option: str, value: Any) -> str | None:
    if value is None:
        return None
    number = as_int(value)
    if number is not None and option in _ENUMS:
        return _ENUMS[option].get(number, str(value))
    text = str(value).strip().lower()
    return text.split()[0] if text else None


def _ports(iface: Mapping[str, Any]) -> list[str]:
    agg = iface.get("link-aggregation") or {}
    ports = agg.get("port") if agg.get("port") is not None else agg.get("slaves")
    names = dict.fromkeys(str(p) for p in ports or [] if isinstance(p, (str, int)))
    for entry in agg.get("ports-config") or []:
        if isinstance(entry, Mapping) and entry.get("name"):
            names.setdefault(str(entry["name"]), None)
    return list(names)


def _targets(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v))
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return ()


def _observed_port(by_name: Mapping[Any, Mapping[str, Any]], name: str) -> ObservedPort:
    iface = by_name.get(name) or {}
    eth = iface.get("ethernet") or {}
    speed = as_int(eth.get("speed"))
    duplex = eth.get("duplex")
    return ObservedPort(
        name=name,
        mii_status="down" if iface.get("state") == "down" else "unknown",
        speed_mbps=speed if speed and speed > 0 else None,
        duplex=str(duplex).lower() if duplex else None,
    )


def _observed(current_state: Mapping[str, Any], bond: str) -> ObservedBond | None:
    by_name = _by_name(current_state)
    iface = by_name.get(bond)
    if iface is None or iface.get("type") != "bond" or iface.get("state") == "absent":
        return None
    agg = iface.get("link-aggregation") or {}
    opts = agg.get("options") or {}
    opts = opts if isinstance(opts, Mapping) else {}
    mode = str(agg.get("mode") or "unknown").strip().lower()
    return ObservedBond(
        name=bond,
        mode=_MODES.get(mode, mode),
        fail_over_mac=_enum("fail_over_mac", opts.get("fail_over_mac")),
        mii_status="down" if iface.get("state") == "down" else "unknown",
        miimon_ms=as_int(opts.get("miimon")),
        updelay_ms=as_int(opts.get("updelay")),
        downdelay_ms=as_int(opts.get("downdelay")),
        peer_notif_delay_ms=as_int(opts.get("peer_notif_delay")),
        xmit_hash_policy=_enum("xmit_hash_policy", opts.get("xmit_hash_policy")),
        primary=str(opts["primary"]) if opts.get("primary") else None,
        primary_reselect=_enum("primary_reselect", opts.get("primary_reselect")),
        arp_interval_ms=as_int(opts.get("arp_interval")),
        arp_missed_max=as_int(opts.get("arp_missed_max")),
        arp_ip_targets=_targets(opts.get("arp_ip_target")),
        ns_ip6_targets=_targets(opts.get("ns_ip6_target")),
        lacp_active=as_bool(opts["lacp_active"]) if "lacp_active" in opts else None,
        lacp_rate=_enum("lacp_rate", opts.get("lacp_rate")),
        min_links=as_int(opts.get("min_links")),
        ad_select=_enum("ad_select", opts.get("ad_select")),
        system_priority=as_int(opts.get("ad_actor_sys_prio")),
        privileged_view=None,
        ports=tuple(_observed_port(by_name, p) for p in _ports(iface)),
        extra=(("source", "NodeNetworkState"),),
    )


def _scope(ip: str) -> str:
    """The scope ``ip -j addr`` would print: host (loopback), link (link-local) or global."""
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return "global"
    if addr.is_loopback:
        return "host"
    return "link" if addr.is_link_local else "global"


def _ip_state(current_state: Mapping[str, Any]) -> IpState:
    masters: dict[str, str] = {}
    for iface in _interfaces(current_state):
        if iface.get("type") == "bond":
            for port in _ports(iface):
                masters.setdefault(port, str(iface.get("name")))
    addresses: dict[str, tuple[Address, ...]] = {}
    links: dict[str, Link] = {}
    for iface in _interfaces(current_state):
        name = str(iface.get("name") or "")
        if not name:
            continue
        found: list[Address] = []
        for key, family in (("ipv4", "inet"), ("ipv6", "inet6")):
            block = iface.get(key) or {}
            for addr in block.get("address") or [] if isinstance(block, Mapping) else []:
                ip = str(addr.get("ip") or "") if isinstance(addr, Mapping) else ""
                prefix = as_int(addr.get("prefix-length")) if isinstance(addr, Mapping) else None
                if ip and prefix is not None:
                    found.append(Address(family, ip, prefix, _scope(ip)))
        addresses[name] = tuple(found)
        master = iface.get("controller") or masters.get(name)
        links[name] = Link(
            name=name,
            master=str(master) if master else None,
            operstate=str(iface.get("state") or "unknown").upper(),
        )
    return IpState(addresses=addresses, links=links, has_addresses=True, has_links=False)


def observed_from_nns(current_state: Mapping[str, Any], bond: str) -> ObservedBond | None:
    """The bond as NNS describes it (None when NNS has no such bond); runtime-only fields
    (MII, LACP, active port, failure counts) stay unknown. Raises ParseError, and nothing
    else, for a state that is not nmstate's shape."""
    return _guarded(lambda: _observed(current_state, bond))


def ip_state_from_nns(current_state: Mapping[str, Any]) -> IpState:
    """Addresses and links of every NNS interface (``has_links`` stays False: NNS is not
    ``ip -d link``, so the links carry no bonding ``info_data``). ParseError as above."""
    return _guarded(lambda: _ip_state(current_state))


def _guarded(read: Callable[[], T]) -> T:
    """NNS comes from the cluster, shaped by whatever wrote it: anything this reader cannot
    follow becomes one ParseError (the node's EVIDENCE-PARSE), never a crash of the run."""
    try:
        return read()
    except ParseError:
        raise
    except Exception as exc:
        detail = " ".join(str(exc).split())[:200]
        raise ParseError(
            f"NodeNetworkState unreadable ({type(exc).__name__}: {detail})", source="nns"
        ) from exc
