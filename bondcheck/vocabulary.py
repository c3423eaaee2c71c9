"""The bonding driver's vocabulary: mode names and enum option values, in kernel-code order.

One table for everyone: the procfs parser, the policy normaliser, the checks and the NNS
reader all translate between names and the kernel's numbers (``mode 4``, ``lacp_rate 1``,
``Transmit Hash Policy: layer3+4 (1)``), and they must never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: nmstate / kernel short mode names; index = the kernel's mode number (BOND_MODE_*: 0-6).
MODES: tuple[str, ...] = (
    "balance-rr",
    "active-backup",
    "balance-xor",
    "broadcast",
    "802.3ad",
    "balance-tlb",
    "balance-alb",
)

#: The long name the kernel prints after ``Bonding Mode:``, per short name.
MODE_LONG_NAMES: Mapping[str, str] = {
    "balance-rr": "load balancing (round-robin)",
    "active-backup": "fault-tolerance (active-backup)",
    "balance-xor": "load balancing (xor)",
    "broadcast": "fault-tolerance (broadcast)",
    "802.3ad": "IEEE 802.3ad Dynamic link aggregation",
    "balance-tlb": "transmit load balancing",
    "balance-alb": "adaptive load balancing",
}

#: Enum options: value names indexed by the number the kernel and nmstate also accept.
ENUM_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "lacp_rate": ("slow", "fast"),
    "xmit_hash_policy": ("layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"),
    "ad_select": ("stable", "bandwidth", "count"),
    "fail_over_mac": ("none", "active", "follow"),
    "primary_reselect": ("always", "better", "failure"),
    "arp_validate": (
        "none",
        "active",
        "backup",
        "all",
        "filter",
        "filter_active",
        "filter_backup",
    ),
    "arp_all_targets": ("any", "all"),
    "all_slaves_active": ("dropped", "delivered"),
}

#: ``Transmit Hash Policy: layer3+4 (1)``: name -> the kernel number printed after it.
HASH_POLICY_CODES: Mapping[str, int] = {
    name: code for code, name in enumerate(ENUM_OPTIONS["xmit_hash_policy"])
}

#: The partner system MAC the kernel prints when no LACPDU was ever received.
ZERO_MAC = "00:00:00:00:00:00"


def is_zero_mac(mac: str | None) -> bool:
    """True for the all-zero MAC (any case, ``-`` or ``:`` separated): no LACP partner."""
    return mac is not None and mac.replace("-", ":").lower() == ZERO_MAC


def as_bool(value: object) -> bool | None:
    """A bool from every spelling nmstate accepts (true/false, yes/no, on/off, y/n, 1/0);
    None when ``value`` is none of them."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, str)):
        word = str(value).strip().lower()
        if word in ("true", "yes", "on", "y", "1"):
            return True
        if word in ("false", "no", "off", "n", "0"):
            return False
    return None


def as_int(value: object) -> int | None:
    """An int from an int or a decimal string (NNCP options, NNS, NNCE fields: YAML and JSON
    hold numbers either way); None when it is neither (bools are not ints)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
        return int(value)
    return None
