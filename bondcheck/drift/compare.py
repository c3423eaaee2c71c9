"""Compare two NodeStates of one node: every difference as a Change with a DRIFT-* ID.

Pure and deterministic: node-level drift first (kernel), then bond by bond in name order,
the bond's own fields before its ports, ports in the order of the after snapshot. A value
that one snapshot cannot show (speed of a link that is down, LACP details hidden from an
unprivileged reader, addresses not collected) is not compared: "not visible" is never
reported as a change.
"""

from __future__ import annotations

from typing import Any

from bondcheck.drift.model import Change, NodeState
from bondcheck.model import Address, IpState, ObservedBond, ObservedPort
from bondcheck.vocabulary import ZERO_MAC

LACP = "802.3ad"

#: (ObservedBond field, the option's name as nmstate and sysfs spell it), in report order.
OPTIONS: tuple[tuple[str, str], ...] = (
    ("miimon_ms", "miimon"),
    ("updelay_ms", "updelay"),
    ("downdelay_ms", "downdelay"),
    ("peer_notif_delay_ms", "peer_notif_delay"),
    ("xmit_hash_policy", "xmit_hash_policy"),
    ("lacp_rate", "lacp_rate"),
    ("lacp_active", "lacp_active"),
    ("ad_select", "ad_select"),
    ("min_links", "min_links"),
    ("system_priority", "ad_actor_sys_prio"),
    ("primary", "primary"),
    ("primary_reselect", "primary_reselect"),
    ("fail_over_mac", "fail_over_mac"),
    ("arp_interval_ms", "arp_interval"),
    ("arp_ip_targets", "arp_ip_target"),
    ("ns_ip6_targets", "ns_ip6_target"),
    ("arp_missed_max", "arp_missed_max"),
)


def compare_nodes(before: NodeState, after: NodeState) -> list[Change]:
    """Every difference between two snapshots of one node, bonds of either side included."""
    changes: list[Change] = []
    if before.kernel and after.kernel and before.kernel != after.kernel:
        changes.append(
            Change(
                "DRIFT-KERNEL",
                f"kernel {before.kernel} -> {after.kernel}: the node was upgraded and rebooted",
                before=before.kernel,
                after=after.kernel,
            )
        )
    for name in sorted({*before.bonds, *after.bonds}):
        old, new = before.bonds.get(name), after.bonds.get(name)
        if old is None and new is None:
            continue
        if old is None or new is None:
            changes.append(_bond_presence(name, old, new))
            continue
        changes.extend(compare_bonds(name, old, new))
        changes.extend(_addresses(name, old, new, before.ip, after.ip))
        changes.extend(_cabling(name, old, new, before, after))
    return changes


def _cabling(
    name: str, old: ObservedBond, new: ObservedBond, before: NodeState, after: NodeState
) -> list[Change]:
    """DRIFT-CABLING: a bond port's LLDP neighbour (chassis, switch port) changed. Compared
    only when both snapshots have an LLDP source."""
    if before.lldp is None or after.lldp is None:
        return []
    changes = []
    for port in dict.fromkeys([p.name for p in new.ports] + [p.name for p in old.ports]):
        was, now = before.lldp.get(port, ()), after.lldp.get(port, ())
        key_was = [(n.chassis_id, n.port_id) for n in was]
        key_now = [(n.chassis_id, n.port_id) for n in now]
        if key_was == key_now:
            continue
        shown_was = ", ".join(n.where for n in was) or "no neighbour"
        shown_now = ", ".join(n.where for n in now) or "no neighbour"
        message = f"{port} of {name} was cabled to {shown_was}, now to {shown_now}"
        if shown_was == shown_now:  # same names, another chassis: a replaced switch
            ids = (", ".join(str(n.chassis_id) for n in seen) for seen in (was, now))
            message += " (chassis {} -> {}: another switch by the same name)".format(*ids)
        changes.append(Change("DRIFT-CABLING", message, bond=name, port=port,
                              before=shown_was, after=shown_now))  # fmt: skip
    return changes


def _bond_presence(name: str, old: ObservedBond | None, new: ObservedBond | None) -> Change:
    if new is None:
        assert old is not None
        message = f"{name} vanished (it was {old.mode} with {_ports(old)})"
        return Change("DRIFT-BOND", message, name, before=old.mode, after=None)
    message = f"{name} appeared ({new.mode} with {_ports(new)})"
    return Change("DRIFT-BOND", message, name, before=None, after=new.mode)


def _ports(bond: ObservedBond) -> str:
    return ", ".join(p.name for p in bond.ports) or "no ports"


def compare_bonds(name: str, old: ObservedBond, new: ObservedBond) -> list[Change]:
    """The bond's own drift (mode, options, MII, active port, aggregator) and its ports'."""
    out: list[Change] = []
    same_mode = old.mode == new.mode
    if not same_mode:
        out.append(_change("DRIFT-MODE", name, f"{name} mode", old.mode, new.mode))
    same_view = old.privileged_view == new.privileged_view
    for attr, option in OPTIONS:
        was, now = getattr(old, attr), getattr(new, attr)
        if was == now or ((was is None or now is None) and not (same_mode and same_view)):
            continue
        out.append(_change("DRIFT-OPTIONS", name, f"{name} {option}:", was, now))
    if old.mii_status != new.mii_status:
        out.append(_change("DRIFT-MII", name, f"{name} MII status", old.mii_status, new.mii_status))
    out.extend(_ports_drift(name, old, new))
    if same_mode and old.active_port != new.active_port:
        what = f"{name}'s active port moved:"
        out.append(_change("DRIFT-ACTIVE-PORT", name, what, old.active_port, new.active_port))
    if same_mode and new.mode == LACP:
        out.extend(_active_aggregator(name, old, new))
    return out


def _change(drift: str, bond: str, what: str, was: Any, now: Any) -> Change:
    """A change of the bond as a whole: ``<what> <before> -> <after>``."""
    return Change(
        drift, f"{what} {_show(was)} -> {_show(now)}", bond, None, _value(was), _value(now)
    )


def _ports_drift(name: str, old: ObservedBond, new: ObservedBond) -> list[Change]:
    out: list[Change] = []
    before = {p.name: p for p in old.ports}
    after = {p.name: p for p in new.ports}
    for port in before:
        if port not in after:
            out.append(Change("DRIFT-PORTS", f"{port} left {name}", name, port, port, None))
    for port in after:
        if port not in before:
            out.append(Change("DRIFT-PORTS", f"{port} joined {name}", name, port, None, port))
    lacp = old.mode == LACP and new.mode == LACP
    for port, now in after.items():
        was = before.get(port)
        if was is not None:
            out.extend(compare_ports(name, was, now, lacp=lacp))
    return out


def compare_ports(bond: str, old: ObservedPort, new: ObservedPort, *, lacp: bool) -> list[Change]:
    """One port's drift: MII, speed/duplex, link failures, and for 802.3ad partner and
    aggregator."""
    out: list[Change] = []
    name = new.name
    if old.mii_status != new.mii_status:
        message = f"{name} MII status {old.mii_status} -> {new.mii_status}"
        out.append(Change("DRIFT-MII", message, bond, name, old.mii_status, new.mii_status))
    was = (old.speed_mbps, old.duplex)
    now = (new.speed_mbps, new.duplex)
    if None not in (*was, *now) and was != now:
        message = f"{name} {_speed(*was)} -> {_speed(*now)}"
        out.append(Change("DRIFT-SPEED", message, bond, name, _speed(*was), _speed(*now)))
    out.extend(_flaps(bond, old, new))
    if lacp:
        out.extend(_partner(bond, old, new))
        if None not in (old.aggregator_id, new.aggregator_id) and (
            old.aggregator_id != new.aggregator_id
        ):
            message = f"{name} moved from aggregator {old.aggregator_id} to {new.aggregator_id}"
            out.append(
                Change(
                    "DRIFT-AGGREGATOR", message, bond, name, old.aggregator_id, new.aggregator_id
                )
            )
    return out


def _speed(speed: int | None, duplex: str | None) -> str:
    return f"{speed} Mbps {duplex}"


def _flaps(bond: str, old: ObservedPort, new: ObservedPort) -> list[Change]:
    was, now = old.link_failure_count, new.link_failure_count
    if was is None or now is None or was == now:
        return []
    name = new.name
    if now > was:
        times = now - was
        message = (
            f"{name} failed {times} time{'s' if times != 1 else ''} since the baseline "
            f"(link failure count {was} -> {now})"
        )
    else:
        message = (
            f"{name}'s link failure count was reset ({was} -> {now}): the node rebooted, the "
            f"bonding driver was reloaded or the port was enslaved anew; {now} failure"
            f"{'s' if now != 1 else ''} since then"
        )
    return [Change("DRIFT-FLAPS", message, bond, name, was, now)]


def _partner_of(port: ObservedPort) -> dict[str, Any] | None:
    partner = port.partner
    if partner is None or partner.system_mac is None:
        return None
    return {
        "system_mac": partner.system_mac.lower(),
        "key": partner.key,
        "port": partner.port_number,
    }


def _partner(bond: str, old: ObservedPort, new: ObservedPort) -> list[Change]:
    was, now = _partner_of(old), _partner_of(new)
    if was is None or now is None or was == now:
        return []
    name = new.name
    if now["system_mac"] == ZERO_MAC:
        message = f"{name} lost its LACP partner ({was['system_mac']}): none answers now"
    elif was["system_mac"] == ZERO_MAC:
        message = f"{name} found an LACP partner: {now['system_mac']}"
    elif was["system_mac"] != now["system_mac"]:
        message = (
            f"{name}'s LACP partner is a different switch: system {was['system_mac']} -> "
            f"{now['system_mac']}"
        )
    elif was["key"] != now["key"]:
        message = (
            f"{name}'s LACP partner key {was['key']} -> {now['key']}: "
            "a different port-channel on the same switch"
        )
    else:
        message = (
            f"{name}'s LACP partner port {was['port']} -> {now['port']}: "
            "another port of the same switch"
        )
    return [Change("DRIFT-PARTNER", message, bond, name, was, now)]


def _active_aggregator(name: str, old: ObservedBond, new: ObservedBond) -> list[Change]:
    was = None if old.ad_info is None else old.ad_info.aggregator_id
    now = None if new.ad_info is None else new.ad_info.aggregator_id
    if old.no_active_aggregator:
        was = None
    if new.no_active_aggregator:
        now = None
    seen = old.ad_info is not None or old.no_active_aggregator
    shown = new.ad_info is not None or new.no_active_aggregator
    if was == now or not (seen and shown):
        return []
    return [_change("DRIFT-AGGREGATOR", name, f"{name}'s active aggregator", was, now)]


def _global(addresses: tuple[Address, ...]) -> set[str]:
    return {str(a) for a in addresses if not a.is_link_local and a.scope != "host"}


def _addresses(
    name: str, old: ObservedBond, new: ObservedBond, before: IpState, after: IpState
) -> list[Change]:
    """Addresses that left or reached the bond or one of its ports (both snapshots' ports);
    an address that left one and reached another is one change: moved."""
    if not (before.has_addresses and after.has_addresses):
        return []
    places = [name, *dict.fromkeys(p.name for p in (*old.ports, *new.ports))]
    gone: dict[str, str] = {}
    came: dict[str, str] = {}
    for dev in places:
        was = _global(before.addresses.get(dev, ()))
        now = _global(after.addresses.get(dev, ()))
        for addr in sorted(was - now):
            gone.setdefault(addr, dev)
        for addr in sorted(now - was):
            came.setdefault(addr, dev)
    out: list[Change] = []
    for addr in sorted({*gone, *came}):
        src, dst = gone.get(addr), came.get(addr)
        port = dst if dst not in (None, name) else (src if src != name else None)
        if src and dst:
            message = f"{addr} moved from {src} to {dst}"
        elif dst:
            message = f"{addr} appeared on {dst}"
        else:
            message = f"{addr} left {src}"
        out.append(Change("DRIFT-ADDRESSES", message, name, port, _on(addr, src), _on(addr, dst)))
    return out


def _on(addr: str, dev: str | None) -> dict[str, str] | None:
    return None if dev is None else {"address": addr, "device": dev}


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _show(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(value) or "none"
    return str(value)
