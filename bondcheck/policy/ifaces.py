"""The ``interfaces`` list of an nmstate desired state, checked entry by entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bondcheck.policy.fields import Fields, type_name

STATES = ("up", "down", "absent", "ignore")


@dataclass(frozen=True)
class Iface:
    """One entry of ``interfaces``: where it is, its name, type and state, and the raw map."""

    index: int
    name: str
    type: str | None
    state: str
    raw: Mapping[str, object]

    @property
    def rel(self) -> str:
        return f"interfaces[{self.index}]"


def collect_interfaces(desired: Mapping[str, object], fields: Fields) -> list[Iface]:
    """Every entry of ``desired['interfaces']``; PolicyError for a malformed list or entry."""
    raw = desired.get("interfaces")
    if raw is None:
        raise fields.error("interfaces", "missing: the desired state lists no interfaces")
    if not isinstance(raw, list):
        raise fields.error("interfaces", f"must be a list, got a {type_name(raw)}")
    result = []
    for index, item in enumerate(raw):
        rel = f"interfaces[{index}]"
        entry = fields.mapping(item, rel)
        name = fields.text(entry.get("name"), f"{rel}.name", required=True)
        assert name is not None
        kind = fields.text(entry.get("type"), f"{rel}.type")
        state = fields.text(entry.get("state"), f"{rel}.state") or "up"
        state = state.strip().lower()
        if state not in STATES:
            raise fields.error(
                f"{rel}.state", f"unknown state {state!r} (expected one of {', '.join(STATES)})"
            )
        result.append(
            Iface(
                index=index,
                name=name,
                type=kind.strip().lower() if kind else None,
                state=state,
                raw=entry,
            )
        )
    return result


def bridge_port_names(iface: Iface) -> list[str]:
    """Names under ``bridge.port[].name`` of a linux-bridge or ovs-bridge entry."""
    bridge = iface.raw.get("bridge")
    if not isinstance(bridge, Mapping):
        return []
    ports = bridge.get("port") or bridge.get("ports")
    if not isinstance(ports, list):
        return []
    return [p["name"] for p in ports if isinstance(p, Mapping) and isinstance(p.get("name"), str)]


def vlan_base(iface: Iface) -> str | None:
    """``vlan.base-iface`` of a VLAN entry, None for anything else."""
    vlan = iface.raw.get("vlan")
    if not isinstance(vlan, Mapping):
        return None
    base = vlan.get("base-iface")
    return base if isinstance(base, str) else None
