"""The ``bondcheck parse -o json`` shape of a parsed /proc/net/bonding file (schema_version 1).

DESIGN.md fixes the names of the core fields; everything else here is additive (the full
option set, the per-port LACP details, lines the parser did not know). The dict holds only
JSON types so that ``json.dumps`` needs no hooks and saved goldens compare with ``==``.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

from bondcheck.model import AdInfo, LacpPdu, ObservedBond, ObservedPort

SCHEMA_VERSION = 1

# A MAC-like value whose digits were replaced for publication: "xx:xx:..", "**:**:..".
_PLACEHOLDER_RE = re.compile(r"(?:[xX*?#]{1,2}[:\-.]){3,}[xX*?#]{1,2}")


def is_placeholder_mac(value: str | None) -> bool:
    """True for a redacted MAC such as ``xx:xx:xx:xx:xx:xx`` (published samples, not kernels).

    Checks that compare MACs (same partner, duplicate perm addresses) must not treat two
    placeholders as the same address.
    """
    return value is not None and _PLACEHOLDER_RE.fullmatch(value) is not None


def _lines(extra: tuple[tuple[str, str], ...]) -> list[dict[str, str]]:
    return [{"key": key, "value": value} for key, value in extra]


def _block(block: LacpPdu | AdInfo | None) -> dict[str, Any] | None:
    """An LACP PDU or aggregator block: its fields, as named in the model."""
    return None if block is None else asdict(block)


def _port_json(port: ObservedPort) -> dict[str, Any]:
    return {
        "name": port.name,
        "mii_status": port.mii_status,
        "speed_mbps": port.speed_mbps,
        "duplex": port.duplex,
        "link_failure_count": port.link_failure_count,
        "perm_hwaddr": port.perm_hwaddr,
        "queue_id": port.queue_id,
        "aggregator_id": port.aggregator_id,
        "actor_port_state": port.actor_port_state,
        "partner_port_state": port.partner_port_state,
        "partner_mac": port.partner_mac,
        "actor_churn_state": port.actor_churn_state,
        "partner_churn_state": port.partner_churn_state,
        "actor_churned_count": port.actor_churned_count,
        "partner_churned_count": port.partner_churned_count,
        "actor": _block(port.actor),
        "partner": _block(port.partner),
        "unknown_lines": _lines(port.extra),
    }


def _macs(bond: ObservedBond) -> list[str | None]:
    macs = [bond.system_mac, bond.ad_info.partner_mac if bond.ad_info else None]
    for port in bond.ports:
        macs.append(port.perm_hwaddr)
        macs.extend(pdu.system_mac for pdu in (port.actor, port.partner) if pdu)
    return macs


def bond_to_json(bond: ObservedBond) -> dict[str, Any]:
    """The ``bondcheck parse -o json`` contract of DESIGN.md (schema_version 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "bond": bond.name,
        "driver_version": bond.driver_version,
        "mode": bond.mode,
        "fail_over_mac": bond.fail_over_mac,
        "mii_status": bond.mii_status,
        "miimon_ms": bond.miimon_ms,
        "updelay_ms": bond.updelay_ms,
        "downdelay_ms": bond.downdelay_ms,
        "peer_notif_delay_ms": bond.peer_notif_delay_ms,
        "xmit_hash_policy": bond.xmit_hash_policy,
        "lacp_rate": bond.lacp_rate,
        "primary": bond.primary,
        "primary_reselect": bond.primary_reselect,
        "active_port": bond.active_port,
        "arp_interval_ms": bond.arp_interval_ms,
        "arp_missed_max": bond.arp_missed_max,
        "arp_ip_targets": list(bond.arp_ip_targets),
        "ns_ip6_targets": list(bond.ns_ip6_targets),
        "lacp_active": bond.lacp_active,
        "min_links": bond.min_links,
        "ad_select": bond.ad_select,
        "system_priority": bond.system_priority,
        "system_mac": bond.system_mac,
        "privileged_view": bond.privileged_view,
        "no_active_aggregator": bond.no_active_aggregator,
        "ad_info": _block(bond.ad_info),
        "redacted_macs": any(is_placeholder_mac(mac) for mac in _macs(bond)),
        "ports": [_port_json(port) for port in bond.ports],
        "unknown_lines": _lines(bond.extra),
    }
