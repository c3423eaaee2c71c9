"""Canonical forms for bond modes and options, shared by the policy loader and the checks.

nmstate accepts the same setting in many spellings: ``miimon: 100`` and ``miimon: "100"``,
``mode: 4``, ``mode: "4"``, ``mode: 802.3ad`` and (nmstate >= 2.2.x) ``mode: lacp``,
``lacp_rate: 1`` and ``lacp_rate: fast``, ``use_carrier: yes`` and ``use_carrier: true``.
The kernel and ``ip -j -d link`` report yet other forms (numbers, lowercase names).
Comparing any of these directly gives false alarms, so both sides are reduced to one form
here: ints for numbers, lowercase names for enums, bools for booleans, tuples for lists.

Everything here is pure and raises ValueError with a message that can be shown to a user
as it is (the caller prefixes the field path).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from bondcheck.ifname import ifname_problem
from bondcheck.vocabulary import ENUM_OPTIONS, MODES, as_bool, as_int

# Aliases nmstate accepts on input besides the names and numbers.
_MODE_ALIASES = {"lacp": "802.3ad"}

# Integer options and their valid range (the kernel's / nmstate's type: u8, u16, u32).
_U32 = (0, 2**32 - 1)
INT_OPTIONS: Mapping[str, tuple[int, int]] = {
    "miimon": _U32,
    "updelay": _U32,
    "downdelay": _U32,
    "peer_notif_delay": _U32,
    "arp_interval": _U32,
    "arp_missed_max": (0, 255),
    "min_links": _U32,
    "ad_actor_sys_prio": (1, 65535),
    "ad_user_port_key": (0, 1023),
    "lp_interval": _U32,
    "num_grat_arp": (0, 255),
    "num_unsol_na": (0, 255),
    "packets_per_slave": (0, 65535),
    "resend_igmp": _U32,
}

BOOL_OPTIONS: frozenset[str] = frozenset(
    {"tlb_dynamic_lb", "use_carrier", "lacp_active", "balance_slb"}
)

_OTHER_OPTIONS = frozenset({"primary", "ad_actor_system", "arp_ip_target", "ns_ip6_target"})

OPTION_NAMES: frozenset[str] = (
    frozenset(INT_OPTIONS) | frozenset(ENUM_OPTIONS) | BOOL_OPTIONS | (_OTHER_OPTIONS)
)

# Spellings nmstate accepts for an option name besides the kernel's snake_case one.
OPTION_ALIASES: Mapping[str, str] = {"balance-slb": "balance_slb"}


_MAC = re.compile(r"[0-9a-fA-F]{1,2}(?::[0-9a-fA-F]{1,2}){5}")


def _show(value: object) -> str:
    """A value as it should appear in an error message (strings quoted, others as YAML)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    return f"a {type(value).__name__}"


def normalize_mode(value: object) -> str:
    """The nmstate name of a bond mode given by name, kernel number (int or string) or alias."""
    number = as_int(value)
    if number is not None:
        if 0 <= number < len(MODES):
            return MODES[number]
        raise ValueError(f"unknown bond mode {_show(value)} (numbers run from 0 to 6)")
    if isinstance(value, str):
        name = value.strip().lower()
        name = _MODE_ALIASES.get(name, name)
        if name in MODES:
            return name
    raise ValueError(
        f"unknown bond mode {_show(value)} (expected one of {', '.join(MODES)}, "
        "a number 0-6, or lacp)"
    )


def parse_bool(value: object) -> bool:
    """A bool from every spelling nmstate accepts: true/false, 1/0, yes/no, on/off, y/n."""
    flag = as_bool(value)
    if flag is not None:
        return flag
    raise ValueError(f"expected a boolean (true/false, yes/no, on/off, 1/0), got {_show(value)}")


def _normalize_int(name: str, value: object) -> int:
    number = as_int(value)
    if number is None:
        raise ValueError(f"{name} must be a whole number, got {_show(value)}")
    low, high = INT_OPTIONS[name]
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


def _normalize_enum(name: str, value: object) -> str:
    names = ENUM_OPTIONS[name]
    number = as_int(value)
    if number is not None:
        if 0 <= number < len(names):
            return names[number]
    elif isinstance(value, str):
        word = value.strip().lower()
        if name == "arp_validate":
            word = word.replace("-", "_")  # nmstate's docs spell filter-active both ways
        if word in names:
            return word
    choices = ", ".join(f"{n} ({i})" for i, n in enumerate(names))
    raise ValueError(f"unknown {name} {_show(value)} (expected one of {choices})")


def normalize_mac(value: object) -> str:
    """A MAC address as lowercase, colon-separated, two digits per byte."""
    if isinstance(value, str) and _MAC.fullmatch(value.strip()):
        return ":".join(f"{int(part, 16):02x}" for part in value.strip().split(":"))
    hint = ""
    if isinstance(value, int) and not isinstance(value, bool):
        hint = " (quote it in YAML: an unquoted 12:34:56:... can be read as a number)"
    raise ValueError(f"expected a MAC address like 02:00:00:00:00:01, got {_show(value)}{hint}")


def _address_list(name: str, value: object) -> list[str]:
    """Items of a comma-separated string or a list of strings."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, (list, tuple)):
        items: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise ValueError(f"{name} entries must be strings, got {_show(item)}")
            items.extend(part.strip() for part in item.split(",") if part.strip())
        return items
    raise ValueError(f"{name} must be a comma-separated string or a list, got {_show(value)}")


def _normalize_addresses(name: str, value: object, version: int) -> tuple[str, ...]:
    kind = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    result = []
    for item in _address_list(name, value):
        try:
            result.append(kind(item).compressed)
        except ValueError:
            raise ValueError(f"{name}: {item!r} is not an IPv{version} address") from None
    return tuple(result)


def normalize_option(name: str, value: object) -> object:
    """The canonical value of one bond option, so policy and kernel values compare equal.

    ints for numeric options, lowercase names for enums (from a name or the kernel's code),
    bools for booleans, a validated interface name for ``primary``, a lowercase MAC for
    ``ad_actor_system``, tuples of canonical addresses for ``arp_ip_target`` and
    ``ns_ip6_target``. Options bondcheck does not know are passed through as strings (bools
    as ``true``/``false``) so they can still be compared as text.
    """
    name = OPTION_ALIASES.get(name, name)
    if value is None:
        raise ValueError(f"{name} has no value")
    if name in INT_OPTIONS:
        return _normalize_int(name, value)
    if name in ENUM_OPTIONS:
        return _normalize_enum(name, value)
    if name in BOOL_OPTIONS:
        try:
            return parse_bool(value)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
    if name == "primary":
        problem = ifname_problem(value)
        if problem:
            raise ValueError(f"primary {_show(value)} is not an interface name: it {problem}")
        assert isinstance(value, str)
        return value
    if name == "ad_actor_system":
        return normalize_mac(value)
    if name == "arp_ip_target":
        return _normalize_addresses(name, value, 4)
    if name == "ns_ip6_target":
        return _normalize_addresses(name, value, 6)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (Mapping, list, tuple)):
        raise ValueError(f"{name} must be a single value, got {_show(value)}")
    return str(value)
