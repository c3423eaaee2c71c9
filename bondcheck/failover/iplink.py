"""Small readers for the iproute2 JSON the failover test needs beyond what verify reads.

``ip -j -s link show dev X`` gives packet counters and the admin/carrier flags of one port;
``ip -j route show`` and ``ip -j route get`` say where the probe target lives and which
device carries traffic to it. These are failover-only concerns (verify never looks at
counters or routes), so they live here rather than in the shared parser. Pure functions;
malformed text raises :class:`~bondcheck.errors.ParseError`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bondcheck.errors import ParseError


@dataclass(frozen=True)
class LinkStats:
    """One interface's flags and packet counters at one moment."""

    name: str
    flags: tuple[str, ...] = ()
    operstate: str | None = None
    master: str | None = None
    rx_packets: int | None = None
    tx_packets: int | None = None

    @property
    def admin_up(self) -> bool:
        return "UP" in self.flags

    @property
    def carrier(self) -> bool:
        return "LOWER_UP" in self.flags


def _load(text: str, source: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text) if text.strip() else []
    except json.JSONDecodeError as exc:
        raise ParseError(f"not iproute2 JSON ({exc.msg})", source=source) from None
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ParseError("expected a JSON list of objects", source=source)
    return data


def _count(block: object, key: str) -> int | None:
    if isinstance(block, dict):
        value = block.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def parse_link_stats(text: str, *, source: str = "ip -j -s link") -> dict[str, LinkStats]:
    """Counters and flags per interface from ``ip -j -s link show [dev X]``."""
    out: dict[str, LinkStats] = {}
    for item in _load(text, source):
        name = item.get("ifname")
        if not isinstance(name, str):
            continue
        stats = item.get("stats64") or item.get("stats") or {}
        rx = stats.get("rx") if isinstance(stats, dict) else None
        tx = stats.get("tx") if isinstance(stats, dict) else None
        flags = item.get("flags")
        out[name] = LinkStats(
            name=name,
            flags=tuple(str(f) for f in flags) if isinstance(flags, list) else (),
            operstate=item.get("operstate") if isinstance(item.get("operstate"), str) else None,
            master=item.get("master") if isinstance(item.get("master"), str) else None,
            rx_packets=_count(rx, "packets"),
            tx_packets=_count(tx, "packets"),
        )
    return out


def upper_devices(link_text: str, bond: str, *, source: str = "ip -j -d link") -> list[str]:
    """Devices stacked on the bond (VLANs, bridges it is enslaved to), transitively.

    The probe target may be reached through ``bond0.102`` or a bridge over the bond rather
    than the bond itself; traffic through any of them crosses the bond's ports.
    """
    items = _load(link_text, source)
    found = [bond]
    changed = True
    while changed:
        changed = False
        for item in items:
            name, lower, master = item.get("ifname"), item.get("link"), item.get("master")
            if not isinstance(name, str):
                continue
            if name not in found and isinstance(lower, str) and lower in found:
                found.append(name)  # a VLAN or macvlan on top of a device already found
                changed = True
            if name in found and isinstance(master, str) and master not in found:
                found.append(master)  # a bridge (or OVS port owner) the device belongs to
                changed = True
    return found


def gateway_for(
    route_text: str, devices: Iterable[str], *, source: str = "ip -j route"
) -> str | None:
    """The gateway of the default route through one of ``devices``, else of any route.

    Returns None when no route through those devices has a gateway: the operator must then
    name a target, because probing something that is not behind the bond proves nothing.
    """
    wanted = list(devices)
    routes = _load(route_text, source)
    best: tuple[int, int, str] | None = None
    for route in routes:
        dev, gateway = route.get("dev"), route.get("gateway")
        if dev not in wanted or not isinstance(gateway, str):
            continue
        rank = (0 if route.get("dst") == "default" else 1, wanted.index(dev), gateway)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def route_device(route_get_text: str, *, source: str = "ip -j route get") -> str | None:
    """The device ``ip -j route get TARGET`` says traffic to the target leaves by."""
    routes = _load(route_get_text, source)
    for route in routes:
        dev = route.get("dev")
        if isinstance(dev, str):
            return dev
    return None
