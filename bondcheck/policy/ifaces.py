"""The ``interfaces`` list of an nmstate desired state, checked entry by entry."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bondcheck.ifname import ifname_problem
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


def _bridge_ports(entry: Mapping[str, object]) -> list[object]:
    """The raw ``bridge.port`` list (nmstate also reads it as ``ports``); [] when malformed."""
    bridge = entry.get("bridge")
    if not isinstance(bridge, Mapping):
        return []
    ports = bridge.get("port") or bridge.get("ports")
    return ports if isinstance(ports, list) else []


def bridge_port_names(iface: Iface) -> list[str]:
    """Names under ``bridge.port[].name`` of a linux-bridge or ovs-bridge entry."""
    ports = _bridge_ports(iface.raw)
    return [p["name"] for p in ports if isinstance(p, Mapping) and isinstance(p.get("name"), str)]


@dataclass(frozen=True)
class OvsBond:
    """An Open vSwitch bond: a ``bridge.port[]`` entry with ``link-aggregation``.

    It lives in the OVS database and ovs-vswitchd, not in the kernel bonding driver, so
    /proc/net/bonding never shows it; bondcheck can only say that it is there.
    """

    bridge: str
    name: str
    mode: str | None
    ports: tuple[str, ...]


def _text(value: object, default: str) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else default


#: Shown instead of a name that is not a valid interface name. A note is copied into
#: terminals, tickets and shells (its ovs-appctl hint), so policy text never reaches it raw.
INVALID_NAME = "(invalid name)"
_MODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")


def _name(value: object, default: str = "(unnamed)") -> str:
    """A name from the policy as a note may show it: valid interface names only."""
    text = _text(value, default)
    return text if text == default or ifname_problem(text) is None else INVALID_NAME


def _mode(value: object) -> str | None:
    text = _text(value, "").lower()
    if not text:
        return None
    return text if _MODE.fullmatch(text) else "(invalid mode)"


def _ovs_bond_port_names(conf: Mapping[str, object]) -> tuple[str, ...]:
    """``port[].name`` (alias ``ports``; ``slaves`` in nmstate 1.x) of an OVS bond section."""
    raw = next((conf[k] for k in ("port", "ports", "slaves") if conf.get(k) is not None), None)
    if not isinstance(raw, list):
        return ()
    names = [p.get("name") if isinstance(p, Mapping) else p for p in raw]
    return tuple(_name(n) for n in names if isinstance(n, str) and n.strip())


def ovs_bonds(desired: object) -> list[OvsBond]:
    """Every OVS bond of a desired state, in policy order; never raises.

    Malformed input yields what can be read: reporting it is the job of the normal
    validation (``collect_interfaces`` and friends), and a note must never hide that error
    behind one of its own. Bridges in state ``absent`` (being removed) or ``ignore`` (not
    managed by nmstate) hold nothing to verify and are skipped. The section is read only as
    ``link-aggregation``: nmstate's OvsBridgePortConfig has no ``bond`` alias for it (unlike
    a kernel bond's ``bond`` alias) and rejects unknown keys, so nothing else is an OVS bond.
    """
    if not isinstance(desired, Mapping):
        return []
    entries = desired.get("interfaces")
    if not isinstance(entries, list):
        return []
    found: list[OvsBond] = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        kind = _text(entry.get("type"), "").lower()
        state = _text(entry.get("state"), "up").lower()
        if kind not in ("ovs-bridge", "") or state in ("absent", "ignore"):
            continue
        bridge = _name(entry.get("name"))
        for port in _bridge_ports(entry):
            if not isinstance(port, Mapping):
                continue
            conf = port.get("link-aggregation")
            if not isinstance(conf, Mapping):
                continue
            found.append(
                OvsBond(
                    bridge=bridge,
                    name=_name(port.get("name")),
                    mode=_mode(conf.get("mode")),
                    ports=_ovs_bond_port_names(conf),
                )
            )
    return found


def vlan_base(iface: Iface) -> str | None:
    """``vlan.base-iface`` of a VLAN entry, None for anything else."""
    vlan = iface.raw.get("vlan")
    if not isinstance(vlan, Mapping):
        return None
    base = vlan.get("base-iface")
    return base if isinstance(base, str) else None
