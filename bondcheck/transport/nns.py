"""``--via nns``: zero-touch evidence from the node's NodeNetworkState (NNS).

The nmstate handler publishes each node's interfaces as an NNS object, so reading it needs
nothing but ``get nodenetworkstates`` - no pod, no exec, no shell, no node access. The price
is what NNS does not carry: nmstate reports configuration and administrative state, not the
bonding driver's runtime view. There is no MII/carrier status, no LACP partner, aggregator or
port state, no link-failure counts, no active port. Checks that need those are SKIPPED with
``skip_reason`` rather than guessed.

How a judge uses it (``evidence.nns_state`` is set, ``evidence.bonds`` is empty)::

    observed, ip_state = observed_from_nns(evidence.nns_state, bond.name)
    for check in checks:
        why = nns_skip_reason(check.id, evidence.nns_state, bond.name)
        if why:  -> CheckResult(check.id, Status.SKIP, why, bond=bond.name)
        else:    -> run the check on (bond, observed, ip_state); observed None = bond absent

Everything in this module except ``NnsTransport.collect`` is pure.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from bondcheck.model import Address, Evidence, IpState, Link, NodeTarget, ObservedBond, ObservedPort
from bondcheck.transport.base import Transport
from bondcheck.transport.options import TransportOptions
from bondcheck.vocabulary import ENUM_OPTIONS, MODES

SKIP_MESSAGE = "not visible in NodeNetworkState; use a node transport"

#: Checks NNS can answer: configuration, membership and addresses.
NNS_ANSWERS = frozenset(
    {
        "BOND-PRESENT",
        "BOND-MODE",
        "BOND-OPTIONS",
        "PORT-ENSLAVED",
        "PORT-UNEXPECTED",
        "PORT-NO-IP",
        "BOND-IP",
        "POLICY-ENACTMENT",
    }
)

#: Why the others cannot be answered (any check not listed here and not in NNS_ANSWERS gets
#: the plain SKIP_MESSAGE: a check bondcheck adds later is skipped until proven answerable).
NNS_BLIND: Mapping[str, str] = {
    "BOND-MII": "NNS reports the administrative state (up/down), not the bond's MII status",
    "PORT-MII": "NNS has no per-port MII/carrier status",
    "PORT-SPEED": "NNS reports no ethernet speed/duplex for the ports",
    "LACP-PARTNER": "NNS has no LACP partner information",
    "LACP-AGGREGATOR": "NNS has no 802.3ad aggregator information",
    "LACP-SAME-PARTNER": "NNS has no LACP partner information",
    "LACP-PORT-STATE": "NNS has no LACP actor/partner port state",
    "LACP-RATE": "NNS shows the lacp_rate option, not the negotiated timeout bit",
    "LACP-VISIBILITY": "NNS carries no LACP runtime data at all",
}

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
_KINDS = {
    "bond": "bond",
    "vlan": "vlan",
    "linux-bridge": "bridge",
    "ovs-interface": "openvswitch",
    "veth": "veth",
    "vxlan": "vxlan",
    "mac-vlan": "macvlan",
    "mac-vtap": "macvtap",
    "team": "team",
    "dummy": "dummy",
    "vrf": "vrf",
    "infiniband": "ipoib",
}


# ------------------------------------------------------------------------------ pure helpers


def _interfaces(state: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    ifaces = state.get("interfaces") if isinstance(state, Mapping) else None
    return [i for i in ifaces if isinstance(i, Mapping)] if isinstance(ifaces, list) else []


def _find(state: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    for iface in _interfaces(state):
        if iface.get("name") == name:
            return iface
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _enum(option: str, value: Any) -> str | None:
    if value is None:
        return None
    number = _int(value)
    if number is not None and option in _ENUMS:
        return _ENUMS[option].get(number, str(value))
    text = str(value).strip().lower()
    return text.split()[0] if text else None


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("on", "true", "yes", "1"):
        return True
    if text in ("off", "false", "no", "0"):
        return False
    return None


def _ports(iface: Mapping[str, Any]) -> list[str]:
    agg = iface.get("link-aggregation") or {}
    ports = agg.get("port") if agg.get("port") is not None else agg.get("slaves")
    names = [str(p) for p in ports or [] if isinstance(p, (str, int))]
    for entry in agg.get("ports-config") or []:
        if isinstance(entry, Mapping) and entry.get("name") and entry["name"] not in names:
            names.append(str(entry["name"]))
    return names


def _targets(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v))
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    return ()


def _observed_port(state: Mapping[str, Any], name: str) -> ObservedPort:
    iface = _find(state, name) or {}
    eth = iface.get("ethernet") or {}
    speed = _int(eth.get("speed"))
    duplex = eth.get("duplex")
    return ObservedPort(
        name=name,
        mii_status="down" if iface.get("state") == "down" else "unknown",
        speed_mbps=speed if speed and speed > 0 else None,
        duplex=str(duplex).lower() if duplex else None,
    )


def observed_from_nns(
    current_state: Mapping[str, Any], bond: str
) -> tuple[ObservedBond | None, IpState]:
    """The bond as NNS describes it (None when NNS has no such bond) and every interface's
    addresses. Runtime-only fields (MII, LACP, active port, failure counts) stay unknown."""
    ip_state = ip_state_from_nns(current_state)
    iface = _find(current_state, bond)
    if iface is None or iface.get("type") != "bond" or iface.get("state") == "absent":
        return None, ip_state
    agg = iface.get("link-aggregation") or {}
    opts = agg.get("options") or {}
    opts = opts if isinstance(opts, Mapping) else {}
    mode = str(agg.get("mode") or "unknown").strip().lower()
    observed = ObservedBond(
        name=bond,
        mode=_MODES.get(mode, mode),
        fail_over_mac=_enum("fail_over_mac", opts.get("fail_over_mac")),
        mii_status="down" if iface.get("state") == "down" else "unknown",
        miimon_ms=_int(opts.get("miimon")),
        updelay_ms=_int(opts.get("updelay")),
        downdelay_ms=_int(opts.get("downdelay")),
        peer_notif_delay_ms=_int(opts.get("peer_notif_delay")),
        xmit_hash_policy=_enum("xmit_hash_policy", opts.get("xmit_hash_policy")),
        primary=str(opts["primary"]) if opts.get("primary") else None,
        primary_reselect=_enum("primary_reselect", opts.get("primary_reselect")),
        arp_interval_ms=_int(opts.get("arp_interval")),
        arp_missed_max=_int(opts.get("arp_missed_max")),
        arp_ip_targets=_targets(opts.get("arp_ip_target")),
        ns_ip6_targets=_targets(opts.get("ns_ip6_target")),
        lacp_active=_bool(opts["lacp_active"]) if "lacp_active" in opts else None,
        lacp_rate=_enum("lacp_rate", opts.get("lacp_rate")),
        min_links=_int(opts.get("min_links")),
        ad_select=_enum("ad_select", opts.get("ad_select")),
        system_priority=_int(opts.get("ad_actor_sys_prio")),
        privileged_view=None,
        ports=tuple(_observed_port(current_state, p) for p in _ports(iface)),
        extra=(("source", "NodeNetworkState"),),
    )
    return observed, ip_state


def _scope(ip: str) -> str:
    """The scope ``ip -j addr`` would print: host (loopback), link (link-local) or global."""
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return "global"
    if addr.is_loopback:
        return "host"
    return "link" if addr.is_link_local else "global"


def ip_state_from_nns(current_state: Mapping[str, Any]) -> IpState:
    """Addresses and links of every NNS interface (``has_links`` stays False: NNS is not
    ``ip -d link``, so the links carry no bonding ``info_data``)."""
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
                prefix = _int(addr.get("prefix-length")) if isinstance(addr, Mapping) else None
                if ip and prefix is not None:
                    found.append(Address(family, ip, prefix, _scope(ip)))
        addresses[name] = tuple(found)
        master = iface.get("controller") or masters.get(name)
        up = iface.get("state") == "up"
        links[name] = Link(
            name=name,
            kind=_KINDS.get(str(iface.get("type"))),
            master=str(master) if master else None,
            operstate="UP" if up else str(iface.get("state") or "unknown").upper(),
            flags=("UP",) if up else (),
            address=str(iface["mac-address"]).lower() if iface.get("mac-address") else None,
            slave_kind="bond" if name in masters else None,
        )
    return IpState(addresses=addresses, links=links, has_addresses=True, has_links=False)


def nns_skip_reason(check_id: str, current_state: Mapping[str, Any], bond: str) -> str | None:
    """None when NNS answers ``check_id`` for ``bond``; otherwise the SKIP message."""
    if check_id in NNS_ANSWERS:
        return None
    if check_id == "PORT-SPEED":
        iface = _find(current_state, bond)
        ports = _ports(iface) if iface else []
        speeds = [_observed_port(current_state, p) for p in ports]
        if speeds and all(p.speed_mbps is not None and p.duplex for p in speeds):
            return None
    reason = NNS_BLIND.get(check_id)
    return f"{SKIP_MESSAGE} ({reason})" if reason else SKIP_MESSAGE


# ------------------------------------------------------------------------------ transport


class NnsTransport(Transport):
    """Reads ``nodenetworkstates/<node>``; the Evidence carries ``nns_state``, no bond text."""

    name = "nns"
    default_concurrency = 16  # one GET per node

    def __init__(self, opts: TransportOptions, *, cluster: Any = None) -> None:
        self.opts = opts
        self._cluster = cluster
        self._lock = threading.Lock()

    def _get_cluster(self, timeout: float) -> Any:
        with self._lock:
            if self._cluster is None:
                from bondcheck.policy.cluster import Cluster

                self._cluster = Cluster(
                    self.opts.kubeconfig,
                    self.opts.context,
                    request_timeout=(min(10.0, timeout), timeout),
                )
            return self._cluster

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        from bondcheck.errors import CollectError

        obj = self._get_cluster(timeout).nns_object(target.name)
        status = obj.get("status") or {}
        state = status.get("currentState")
        if not isinstance(state, dict):
            raise CollectError(f"{target.name}: NodeNetworkState has no currentState yet")
        notes = []
        if status.get("lastSuccessfulUpdateTime"):
            notes.append(f"NodeNetworkState last updated {status['lastSuccessfulUpdateTime']}")
        if status.get("handlerNmstateVersion"):
            notes.append(f"reported by {status['handlerNmstateVersion']}")
        return Evidence(
            node=target.name, transport=self.name, bonds={}, nns_state=state, notes=tuple(notes)
        )

    def close(self) -> None:
        with self._lock:
            cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()
