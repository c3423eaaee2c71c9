"""LLDP neighbours per local port, from lldpd's JSON or NodeNetworkState TLVs. Pure functions.

lldpd (``lldpctl -f json``) changes shape with the count: ``lldp.interface`` is an object
keyed by interface name when one interface has neighbours and a list of one-key objects when
several do; an interface with several neighbours is a list under its name; ``chassis`` is
keyed by the system name when the neighbour sent one, or holds ``id`` directly when it did
not. NodeNetworkState reports ``interfaces[].lldp.neighbors`` as a list of TLV lists: type 1
chassis ID (``chassis-id``, ``chassis-id-type`` as a number), 2 port ID, 4 port description,
5 system name, 8 management addresses (a list), 127 organisation-specific: 802.1 VLANs
(``ieee-802-1-vlans``) and 802.3 maximum frame size; 6 and 7 (descriptions, capabilities) are
not kept. Both become ``{port: (LldpNeighbor,
...)}``; a shape that is not one of these raises ParseError with one line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from bondcheck.errors import ParseError
from bondcheck.model.lldp import LldpNeighbor

Neighbors = dict[str, tuple[LldpNeighbor, ...]]

#: IEEE 802.1AB subtypes as NNS prints them (numbers) -> lldpd's words.
CHASSIS_SUBTYPES = {
    1: "chassis",
    2: "ifalias",
    3: "port",
    4: "mac",
    5: "ip",
    6: "ifname",
    7: "local",
}
PORT_SUBTYPES = {1: "ifalias", 2: "port", 3: "mac", 4: "ip", 5: "ifname", 6: "agentcid", 7: "local"}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) else -1


def _pairs(value: Any) -> Iterator[tuple[str, Any]]:
    """``{"a": x}`` or ``[{"a": x}, {"b": y}]`` -> (a, x), (b, y)."""
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, Mapping):
            raise ParseError(f"lldpctl JSON: expected an object, got {type(item).__name__}")
        yield from item.items()


def _id(block: Any) -> tuple[str | None, str | None]:
    if not isinstance(block, Mapping):
        return None, None
    return _str(block.get("value")), _str(block.get("type"))


def _lldpd_neighbor(port: str, body: Any) -> LldpNeighbor:
    if not isinstance(body, Mapping):
        raise ParseError(f"lldpctl JSON: the neighbour on {port} is not an object")
    chassis = body.get("chassis") or {}
    name: str | None = None
    if isinstance(chassis, Mapping) and "id" not in chassis and len(chassis) == 1:
        name, chassis = next(iter(chassis.items()))
    if not isinstance(chassis, Mapping):
        chassis = {}
    chassis_id, chassis_type = _id(chassis.get("id"))
    port_block: Mapping[str, Any] = body["port"] if isinstance(body.get("port"), Mapping) else {}
    port_id, port_type = _id(port_block.get("id"))
    mgmt = chassis.get("mgmt-ip")
    vlan = body.get("vlan")
    vlans = tuple(
        int(v["vlan-id"])
        for v in (vlan if isinstance(vlan, list) else [vlan])
        if isinstance(v, Mapping) and str(v.get("vlan-id", "")).isdigit()
    )
    mfs = port_block.get("mfs")
    return LldpNeighbor(
        port=port,
        chassis_id=chassis_id,
        chassis_id_type=chassis_type,
        system_name=_str(name),
        port_id=port_id,
        port_id_type=port_type,
        port_descr=_str(port_block.get("descr")),
        mgmt_ip=_str(mgmt[0] if isinstance(mgmt, list) and mgmt else mgmt),
        vlans=vlans,
        max_frame_size=int(mfs) if isinstance(mfs, str) and mfs.isdigit() else None,
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
            fields["chassis_id_type"] = CHASSIS_SUBTYPES.get(_int(tlv.get("chassis-id-type")))
        elif kind == 2:
            fields["port_id"] = _str(tlv.get("port-id"))
            fields["port_id_type"] = PORT_SUBTYPES.get(_int(tlv.get("port-id-type")))
        elif kind == 4:
            fields["port_descr"] = _str(tlv.get("port-description"))
        elif kind == 5:
            fields["system_name"] = _str(tlv.get("system-name"))
        elif kind == 8:
            addresses = tlv.get("management-addresses")
            first = addresses[0] if isinstance(addresses, list) and addresses else {}
            fields["mgmt_ip"] = _str(first.get("address") if isinstance(first, Mapping) else None)
        elif kind == 127:
            _org_tlv(tlv, fields)
    return LldpNeighbor(port=port, **fields)


def _org_tlv(tlv: Mapping[str, Any], fields: dict[str, Any]) -> None:
    """802.1 VLANs and the 802.3 maximum frame size, the organisation TLVs a bond cares about
    (a VLAN missing on one port, a jumbo MTU on one switch only)."""
    vlans = tlv.get("ieee-802-1-vlans")
    if isinstance(vlans, list):
        fields["vlans"] = tuple(
            v["vid"] for v in vlans if isinstance(v, Mapping) and isinstance(v.get("vid"), int)
        )
    size = tlv.get("ieee-802-3-max-frame-size")
    if isinstance(size, int):
        fields["max_frame_size"] = size


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
