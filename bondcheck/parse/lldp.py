"""LLDP neighbours per local port, from lldpd's JSON or NodeNetworkState TLVs. Pure functions.

lldpd (``lldpctl -f json``) changes shape with the count: ``lldp.interface`` is an object
keyed by interface name when one interface has neighbours and a list of one-key objects when
several do; an interface with several neighbours is a list under its name; ``chassis`` is
keyed by the system name when the neighbour sent one, or holds ``id`` directly when it did
not. NodeNetworkState reports ``interfaces[].lldp.neighbors`` as a list of TLV lists: type 1
chassis ID (``chassis-id``), 2 port ID, 4 port description and 5 system name are kept (what
identifies the switch port); the others are not read. Both become ``{port: (LldpNeighbor,
...)}``; a shape that is not one of these raises ParseError with one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from bondcheck.errors import ParseError
from bondcheck.model.lldp import LldpNeighbor

Neighbors = dict[str, tuple[LldpNeighbor, ...]]


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    """``{"a": x}`` or ``[{"a": x}, {"b": y}]`` -> (a, x), (b, y)."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, Mapping):
            raise ParseError(f"lldpctl JSON: expected an object, got {type(item).__name__}")
        yield from item.items()


def _id(block: Any) -> str | None:
    return _str(block.get("value")) if isinstance(block, Mapping) else None


def _lldpd_neighbor(port: str, body: Any) -> LldpNeighbor:
    if not isinstance(body, Mapping):
        raise ParseError(f"lldpctl JSON: the neighbour on {port} is not an object")
    chassis = body.get("chassis") or {}
    name: str | None = None
    if isinstance(chassis, Mapping) and "id" not in chassis and len(chassis) == 1:
        name, chassis = next(iter(chassis.items()))
    if not isinstance(chassis, Mapping):
        chassis = {}
    port_block: Mapping[str, Any] = body["port"] if isinstance(body.get("port"), Mapping) else {}
    return LldpNeighbor(
        port=port,
        chassis_id=_id(chassis.get("id")),
        system_name=_str(name),
        port_id=_id(port_block.get("id")),
        port_descr=_str(port_block.get("descr")),
    )


def parse_lldpctl(text: str) -> Neighbors:
    """``lldpctl -f json`` (show neighbors) -> neighbours per local port."""
    try:
        doc = json.loads(text) if text.strip() else {}
    except ValueError as exc:
        raise ParseError(f"lldpctl JSON does not parse: {exc}") from None
    if not isinstance(doc, Mapping):
        raise ParseError("lldpctl JSON: the document is not an object")
    lldp = doc.get("lldp") or {}
    if not isinstance(lldp, Mapping):
        raise ParseError("lldpctl JSON: 'lldp' is not an object")
    found: dict[str, list[LldpNeighbor]] = {}
    interfaces = lldp.get("interface")
    if interfaces is None:
        return {}
    for port, bodies in _pairs(interfaces):
        for body in bodies if isinstance(bodies, list) else [bodies]:
            found.setdefault(port, []).append(_lldpd_neighbor(port, body))
    return {port: tuple(items) for port, items in found.items()}


def _tlv_neighbor(port: str, tlvs: Any) -> LldpNeighbor:
    if not isinstance(tlvs, list):
        raise ParseError(f"NNS lldp: the neighbour on {port} is not a TLV list")
    fields: dict[str, Any] = {}
    for tlv in tlvs:
        if not isinstance(tlv, Mapping):
            continue
        kind = tlv.get("type")
        if kind == 1:
            fields["chassis_id"] = _str(tlv.get("chassis-id"))
        elif kind == 2:
            fields["port_id"] = _str(tlv.get("port-id"))
        elif kind == 4:
            fields["port_descr"] = _str(tlv.get("port-description"))
        elif kind == 5:
            fields["system_name"] = _str(tlv.get("system-name"))
    return LldpNeighbor(port=port, **fields)


def lldp_from_nns(state: Mapping[str, Any]) -> Neighbors | None:
    """Neighbours from an NNS ``currentState``; None when no interface has LLDP enabled (no
    LLDP source at all, which the checks report differently from "no neighbour")."""
    interfaces = state.get("interfaces") or []
    if not isinstance(interfaces, list):
        raise ParseError("NNS: 'interfaces' is not a list")
    enabled = False
    found: Neighbors = {}
    for iface in interfaces:
        if not isinstance(iface, Mapping) or not isinstance(iface.get("lldp"), Mapping):
            continue
        lldp, name = iface["lldp"], str(iface.get("name") or "")
        if lldp.get("enabled") is not True:
            continue
        enabled = True
        neighbors = lldp.get("neighbors") or []
        if not isinstance(neighbors, list):
            raise ParseError(f"NNS lldp of {name}: 'neighbors' is not a list")
        if neighbors:
            found[name] = tuple(_tlv_neighbor(name, tlvs) for tlvs in neighbors)
    return found if enabled else None
