"""Where each bond option can be seen on a node, and how to compare its values.

BOND-OPTIONS compares only what the policy sets. For each option this module answers: what
value does the node run, and which line shows it? The first source is /proc/net/bonding
(the kernel's own words); the kernel prints some options only in some modes or only to a
privileged reader, and never prints others (arp_validate, use_carrier, tlb_dynamic_lb, ...),
so the second source is ``ip -d link``'s ``info_data`` for the bond. When neither shows the
option, the answer is an :class:`Unseen` with the reason, and the check SKIPs or WARNs
instead of guessing.

Values are canonicalised on both sides (ints, lowercase enum names, bools, sorted target
tuples), because ``ip -d link`` prints some enums as numbers (``all_slaves_active 1``) and
booleans as 0/1 or on/off.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bondcheck.checks.base import NOT_VISIBLE, CheckContext, mode_line
from bondcheck.model import ObservedBond
from bondcheck.vocabulary import ENUM_OPTIONS, HASH_POLICY_CODES, as_bool

#: Enum options: names indexed by the kernel's numeric code.
ENUMS = ENUM_OPTIONS
BOOLS = frozenset({"lacp_active", "tlb_dynamic_lb", "use_carrier", "balance_slb"})
TARGET_LISTS = frozenset({"arp_ip_target", "ns_ip6_target"})
#: Delays the kernel keeps as a count of miimon intervals (rounded down).
MIIMON_MULTIPLES = frozenset({"updelay", "downdelay", "peer_notif_delay"})

#: Option -> ``ip -d -j link`` info_data key (iproute2 ip/iplink_bond.c).
INFO_DATA_KEYS: dict[str, str] = {
    "lacp_rate": "ad_lacp_rate",
    "lacp_active": "ad_lacp_active",
    "peer_notif_delay": "peer_notify_delay",
    "num_grat_arp": "num_peer_notif",
    "num_unsol_na": "num_peer_notif",
}
#: Options the kernel shows only to a CAP_NET_ADMIN reader.
ROOT_ONLY = frozenset({"ad_actor_sys_prio", "ad_actor_system"})

_LACP_ONLY = frozenset({"802.3ad"})
_PRIMARY_MODES = frozenset({"active-backup", "balance-tlb", "balance-alb"})
_ARP_MODES = frozenset({"balance-rr", "active-backup", "balance-xor", "broadcast"})
_TLB_MODES = frozenset({"balance-tlb", "balance-alb"})
#: Options the kernel acts on only in some modes (Documentation/networking/bonding.rst; the
#: ``unsuppmodes`` of drivers/net/bonding/bond_options.c). xmit_hash_policy is decided by
#: ``hash_in_use`` because tlb/alb use it only with tlb_dynamic_lb 0.
MODE_BOUND: dict[str, frozenset[str]] = {
    "lacp_rate": _LACP_ONLY,
    "lacp_active": _LACP_ONLY,
    "ad_select": _LACP_ONLY,
    "ad_actor_sys_prio": _LACP_ONLY,
    "ad_actor_system": _LACP_ONLY,
    "ad_user_port_key": _LACP_ONLY,
    "min_links": _LACP_ONLY,
    "primary": _PRIMARY_MODES,
    "primary_reselect": _PRIMARY_MODES,
    "fail_over_mac": frozenset({"active-backup"}),
    "arp_interval": _ARP_MODES,
    "arp_ip_target": _ARP_MODES,
    "arp_validate": _ARP_MODES,
    "arp_all_targets": _ARP_MODES,
    "arp_missed_max": _ARP_MODES,
    "tlb_dynamic_lb": _TLB_MODES,
    "lp_interval": _TLB_MODES,
    "packets_per_slave": frozenset({"balance-rr"}),
}


@dataclass(frozen=True)
class Seen:
    """The value the node runs (canonical), and the line that shows it."""

    value: Any
    evidence: str


@dataclass(frozen=True)
class Unseen:
    """The option is not visible in the evidence; ``warn`` when more access would show it."""

    reason: str
    warn: bool = False


def canon(option: str, value: Any) -> Any:
    """The comparable form of an option value, whichever spelling it arrived in."""
    if value is None:
        return None
    if option in ENUMS:
        text = str(value).strip().lower()
        table = ENUMS[option]
        if text.isdigit() and int(text) < len(table):
            return table[int(text)]
        return text
    if option in BOOLS:
        flag = as_bool(value)
        return str(value).strip().lower() if flag is None else flag
    if option in TARGET_LISTS:
        items = value.split(",") if isinstance(value, str) else list(value)
        return tuple(sorted(_ip(str(i)) for i in items if str(i).strip()))
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    return text.lower() if option == "ad_actor_system" else text


def plain(value: Any) -> Any:
    """JSON-friendly form of a canonical value (tuples become lists)."""
    return list(value) if isinstance(value, tuple) else value


def round_down(value: int, miimon: int | None) -> int:
    """The delay the kernel keeps: a whole number of miimon intervals (0 if miimon is 0)."""
    if miimon is None:
        return value
    if miimon <= 0:
        return 0
    return (value // miimon) * miimon


def _ip(text: str) -> str:
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return text.lower()


def _on_off(value: bool | None) -> str:
    return "on" if value else "off"


_ProcReader = Callable[[ObservedBond], "Seen | None"]


def _line(value: Any, text: str) -> Seen | None:
    return None if value is None else Seen(value, text)


def _primary(b: ObservedBond) -> Seen | None:
    if b.mode not in ("active-backup", "balance-tlb", "balance-alb"):
        return None  # the kernel prints no Primary Slave line in this mode
    suffix = f" (primary_reselect {b.primary_reselect})" if b.primary_reselect else ""
    return Seen(b.primary, f"Primary Slave: {b.primary or 'None'}{suffix}")


def _primary_reselect(b: ObservedBond) -> Seen | None:
    if b.primary is None or b.primary_reselect is None:
        return None  # printed only as a suffix of a set primary
    return Seen(
        b.primary_reselect, f"Primary Slave: {b.primary} (primary_reselect {b.primary_reselect})"
    )


def _fail_over_mac(b: ObservedBond) -> Seen | None:
    if b.mode != "active-backup":
        return None  # the suffix exists only in active-backup
    return Seen(b.fail_over_mac or "none", mode_line(b.mode, b.fail_over_mac))


def _arp_interval(b: ObservedBond) -> Seen:
    if b.arp_interval_ms is None:
        # The kernel prints the ARP lines whenever arp_interval > 0: no line means 0.
        return Seen(0, "no 'ARP Polling Interval (ms)' line (ARP monitoring off)")
    return Seen(b.arp_interval_ms, f"ARP Polling Interval (ms): {b.arp_interval_ms}")


def _arp_targets(b: ObservedBond) -> Seen | None:
    if not b.arp_interval_ms:
        return None  # the targets line is printed only with ARP monitoring on
    return Seen(b.arp_ip_targets, "ARP IP target/s (n.n.n.n form): " + ", ".join(b.arp_ip_targets))


def _ns_targets(b: ObservedBond) -> Seen | None:
    if not b.ns_ip6_targets:
        return None  # an empty list and a kernel without the line look the same
    return Seen(b.ns_ip6_targets, "NS IPv6 target/s (xx::xx form): " + ", ".join(b.ns_ip6_targets))


def _hash(b: ObservedBond) -> Seen | None:
    policy = b.xmit_hash_policy
    if policy is None:
        return None
    code = HASH_POLICY_CODES.get(policy)
    return Seen(
        policy, f"Transmit Hash Policy: {policy}" + (f" ({code})" if code is not None else "")
    )


_PROC: dict[str, _ProcReader] = {
    "miimon": lambda b: _line(b.miimon_ms, f"MII Polling Interval (ms): {b.miimon_ms}"),
    "updelay": lambda b: _line(b.updelay_ms, f"Up Delay (ms): {b.updelay_ms}"),
    "downdelay": lambda b: _line(b.downdelay_ms, f"Down Delay (ms): {b.downdelay_ms}"),
    "peer_notif_delay": lambda b: _line(
        b.peer_notif_delay_ms, f"Peer Notification Delay (ms): {b.peer_notif_delay_ms}"
    ),
    "arp_interval": _arp_interval,
    "arp_missed_max": lambda b: _line(b.arp_missed_max, f"ARP Missed Max: {b.arp_missed_max}"),
    "arp_ip_target": _arp_targets,
    "ns_ip6_target": _ns_targets,
    "xmit_hash_policy": _hash,
    "primary": _primary,
    "primary_reselect": _primary_reselect,
    "fail_over_mac": _fail_over_mac,
    "lacp_rate": lambda b: _line(b.lacp_rate, f"LACP rate: {b.lacp_rate}"),
    "lacp_active": lambda b: _line(b.lacp_active, f"LACP active: {_on_off(b.lacp_active)}"),
    "min_links": lambda b: _line(b.min_links, f"Min links: {b.min_links}"),
    "ad_select": lambda b: _line(
        b.ad_select, f"Aggregator selection policy (ad_select): {b.ad_select}"
    ),
    "ad_actor_sys_prio": lambda b: _line(
        b.system_priority, f"System priority: {b.system_priority}"
    ),
    "ad_actor_system": lambda b: _line(b.system_mac, f"System MAC address: {b.system_mac}"),
}


def observe(option: str, ctx: CheckContext) -> Seen | Unseen:
    """The node's value of ``option``, canonical, with the line that shows it."""
    bond = ctx.observed
    assert bond is not None  # BOND-OPTIONS needs the bond
    reader = _PROC.get(option)
    if reader is not None:
        seen = reader(bond)
        if seen is not None:
            return Seen(canon(option, seen.value), seen.evidence)
    from_ip = _from_info_data(option, ctx)
    if isinstance(from_ip, Seen):
        return from_ip
    if option in ROOT_ONLY and bond.privileged_view is False:
        return Unseen(f"{option} is {NOT_VISIBLE}", warn=True)
    if reader is not None:
        where = f"not shown in /proc/net/bonding for mode {bond.mode} on this kernel"
    else:
        where = "not visible in /proc/net/bonding"
    return Unseen(f"{option} is {where}; {from_ip}")


def _from_info_data(option: str, ctx: CheckContext) -> Seen | str:
    """The value from ``ip -d link`` info_data, or why it is not there."""
    name = ctx.expected.name
    if not ctx.ip.has_links:
        return "collect ip -d link (ip-link.json) to verify it"
    link = ctx.ip.links.get(name)
    if link is None or not link.info_data:
        return f"ip -d link shows no bond details for {name}"
    key = INFO_DATA_KEYS.get(option, option)
    if key not in link.info_data:
        return f"ip -d link does not show {key} for {name}"
    raw = link.info_data[key]
    shown = ", ".join(map(str, raw)) if isinstance(raw, (list, tuple)) else raw
    return Seen(canon(option, raw), f"ip -d link show {name}: {key} {shown}")


def hash_in_use(mode: str, ctx: CheckContext) -> bool:
    """Whether the kernel hashes with xmit_hash_policy in ``mode`` (bond_mode_uses_xmit_hash):
    always in balance-xor and 802.3ad, in tlb/alb only with tlb_dynamic_lb 0 (assumed when
    ``ip -d link`` does not say)."""
    if mode in ("balance-xor", "802.3ad"):
        return True
    if mode not in _TLB_MODES:
        return False
    link = ctx.ip.links.get(ctx.expected.name)
    dynamic = link.info_data.get("tlb_dynamic_lb") if link is not None else None
    return dynamic is None or canon("tlb_dynamic_lb", dynamic) is not True


def inert_in_mode(option: str, ctx: CheckContext) -> bool:
    """True when the kernel ignores ``option`` in the mode the bond actually runs."""
    bond = ctx.observed
    assert bond is not None
    if option == "xmit_hash_policy":
        return not hash_in_use(bond.mode, ctx)
    modes = MODE_BOUND.get(option)
    return modes is not None and bond.mode not in modes
