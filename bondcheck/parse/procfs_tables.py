"""Label tables for the /proc/net/bonding parser: which label goes to which field, and how.

Kept apart from the parsing loop so that supporting a new kernel line is a one-line change
here. Each section of the file (master block, ``802.3ad info``, ``Active Aggregator Info``,
a port, a port's actor/partner LACPDU details) gets one merged dict: its own labels first,
then the labels of the enclosing sections, so a reordered or unexpected line still lands in
the right object with a single lookup.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

#: The long name printed after ``Bonding Mode:`` -> the nmstate short name.
MODE_BY_LONG_NAME: dict[str, str] = {
    "load balancing (round-robin)": "balance-rr",
    "fault-tolerance (active-backup)": "active-backup",
    "load balancing (xor)": "balance-xor",
    "fault-tolerance (broadcast)": "broadcast",
    "IEEE 802.3ad Dynamic link aggregation": "802.3ad",
    "transmit load balancing": "balance-tlb",
    "adaptive load balancing": "balance-alb",
}
MODE_BY_FOLDED = {" ".join(k.lower().split()): v for k, v in MODE_BY_LONG_NAME.items()}

VERSION_LABEL = "Ethernet Channel Bonding Driver"
MODE_RE = re.compile(r"(.*?)(?:\s+\(fail_over_mac\s+([^()\s]+)\))?")
_SUFFIX_RE = re.compile(r"(\S+)(?:\s+\((?:primary_reselect\s+)?([^()]*)\))?")
_HASH_RE = re.compile(r"(\S+)(?:\s+\(\d+\))?")
NO_AGG_RE = re.compile(r"bond (\S+) has no active aggregator")
# Characters that never occur in text the kernel prints: C0 controls other than TAB/LF/CR/
# VT/FF, DEL, and lone surrogates (bytes decoded with errors="surrogateescape").
BINARY_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")
#: Printable ASCII and the whitespace the kernel may print: text made only of these bytes
#: cannot hold a BINARY_RE character (the parser's fast path).
PLAIN_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r\x0b\x0c"
MAX_DIGITS = 64  # kernel counters are at most 20 digits; bounds int() on hostile input

# Sections of the state machine.
MASTER, AD, AGG, PORT, ACTOR, PARTNER = range(6)

# A converter returns the parsed value, or BAD when the value is unreadable (the line then
# goes to ``extra`` verbatim). Values that legitimately mean "unknown" return None.
BAD = object()
_Conv = Callable[[str], Any]


def _int(value: str) -> int | None:
    if value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)
    return None


def count(value: str) -> Any:
    """An unsigned number: BAD when unreadable.

    The commonest converter, so the parsing loop inlines it when it meets this function in
    an entry (compare by identity); keep the two in step.
    """
    if value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)
    return BAD


def _speed(value: str) -> int | None:
    number, _, unit = value.partition(" ")
    return _int(number) if unit == "Mbps" else None


def _lacp_active(value: str) -> bool | None:
    return {"on": True, "off": False}.get(value)


def _strict(conv: _Conv, *nulls: str) -> _Conv:
    """Wrap ``conv`` so that ``nulls`` map to None and any other unreadable value to BAD."""

    def convert(value: str) -> Any:
        if value in nulls:
            return None
        result = conv(value)
        return BAD if result is None else result

    return convert


class TextRule:
    """A text value kept as printed, except a few values that mean something else.

    ``rule(value)`` is ``exceptions.get(value, value)``: the printed string itself, or its
    replacement (None for "not set", BAD for unreadable). The fast loop reads ``exceptions``
    directly instead of calling the rule.
    """

    __slots__ = ("exceptions",)

    def __init__(self, exceptions: dict[str, Any]) -> None:
        self.exceptions = exceptions

    def __call__(self, value: str) -> Any:
        return self.exceptions.get(value, value)


#: The converter of plain text values ("" -> None); inlined by the loop like ``count``.
TEXT = _text = TextRule({"": None})
#: An MII state must be a word; an empty one is unreadable. Inlined by the loop like TEXT.
STATE = _STATE = TextRule({"": BAD})
_name_or_none = TextRule({"None": None, "": None})
_DUPLEX = TextRule({"Unknown": None, "": BAD})


def _targets(value: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in value.split(",") if t.strip())


#: Decimal strings of small numbers -> their value: one dict lookup instead of the checks of
#: ``count`` for the values the kernel prints most (states, keys, priorities, counters).
SMALL_INTS: dict[str, int] = {str(i): i for i in range(1024)}

_INT = count
_SPEED = _strict(_speed, "Unknown")
_PORT_AGGREGATOR = _strict(_int, "N/A")
_LACP_ACTIVE = _strict(_lacp_active)
#: Converters whose results are numbers, booleans, None or BAD: values that share no object
#: with the text, so the fast loop may remember them per value (``procfs_fast.Memo``). Each
#: lists the values the kernel prints most, converted once when the memo is made, so that a
#: first parse costs about what the thousandth does (``count`` has SMALL_INTS).
SCALAR_CONVERTERS: dict[_Conv, tuple[str, ...]] = {
    count: (),
    _SPEED: ("Unknown", *(f"{mbps} Mbps" for mbps in (10, 100, 1000, 2500, 5000, 10000, 20000,
                                                     25000, 40000, 50000, 100000, 200000,
                                                     400000, 800000))),
    _PORT_AGGREGATOR: ("N/A", *(str(number) for number in range(256))),
    _LACP_ACTIVE: ("on", "off"),
}  # fmt: skip
_Table = dict[str, tuple[str, _Conv]]

_MASTER_KEYS: _Table = {
    "MII Status": ("mii_status", _STATE),
    "MII Polling Interval (ms)": ("miimon_ms", _INT),
    "Up Delay (ms)": ("updelay_ms", _INT),
    "Down Delay (ms)": ("downdelay_ms", _INT),
    "Peer Notification Delay (ms)": ("peer_notif_delay_ms", _INT),
    "Currently Active Slave": ("active_port", _name_or_none),
    "ARP Polling Interval (ms)": ("arp_interval_ms", _INT),
    "ARP Missed Max": ("arp_missed_max", _INT),
    "ARP IP target/s (n.n.n.n form)": ("arp_ip_targets", _targets),
    "NS IPv6 target/s (xx::xx form)": ("ns_ip6_targets", _targets),
    "NS IPv6 target/s (XX::XX form)": ("ns_ip6_targets", _targets),
}
_AD_KEYS: _Table = {
    "LACP active": ("lacp_active", _LACP_ACTIVE),
    "LACP rate": ("lacp_rate", _text),
    "Min links": ("min_links", _INT),
    "Aggregator selection policy (ad_select)": ("ad_select", _text),
    "System priority": ("system_priority", _INT),
    "System MAC address": ("system_mac", _text),
}
_AGG_KEYS: _Table = {
    "Aggregator ID": ("aggregator_id", _INT),
    "Number of ports": ("num_ports", _INT),
    "Actor Key": ("actor_key", _INT),
    "Partner Key": ("partner_key", _INT),
    "Partner Mac Address": ("partner_mac", _text),
}
_PORT_KEYS: _Table = {
    "MII Status": ("mii_status", _STATE),
    "Speed": ("speed_mbps", _SPEED),
    "Duplex": ("duplex", _DUPLEX),
    "Link Failure Count": ("link_failure_count", _INT),
    "Permanent HW addr": ("perm_hwaddr", _text),
    "Slave queue ID": ("queue_id", _INT),
    "Aggregator ID": ("aggregator_id", _PORT_AGGREGATOR),
    "Actor Churn State": ("actor_churn_state", _text),
    "Partner Churn State": ("partner_churn_state", _text),
    "Actor Churned Count": ("actor_churned_count", _INT),
    "Partner Churned Count": ("partner_churned_count", _INT),
}
_PDU_KEYS: _Table = {
    "system priority": ("system_priority", _INT),
    "system mac address": ("system_mac", _text),
    "port key": ("key", _INT),
    "oper key": ("key", _INT),
    "port priority": ("port_priority", _INT),
    "port number": ("port_number", _INT),
    "port state": ("port_state", _INT),
}
HEADERS = {
    "802.3ad info": AD,
    "Active Aggregator Info": AGG,
    "details actor lacp pdu": ACTOR,
    "details partner lacp pdu": PARTNER,
}


def _hash_policy(value: str) -> Any:
    match = _HASH_RE.fullmatch(value)
    return {"xmit_hash_policy": match[1]} if match else BAD


def _primary(value: str) -> Any:
    match = _SUFFIX_RE.fullmatch(value)
    if match is None:
        return BAD
    return {"primary": _name_or_none(match[1]), "primary_reselect": match[2] or None}


# Where a label's value goes. MULTI converters return a dict of bond fields (or BAD when
# unreadable); the other kinds are (target, field, converter).
BOND, AGGINFO, SLAVE, PDU, MULTI = range(5)
_Entry = tuple[int, str, _Conv]


def _section_table(*parts: tuple[int, _Table]) -> dict[str, _Entry]:
    """One dict per section: its own labels win over the enclosing sections' labels."""
    merged: dict[str, _Entry] = {}
    for target, table in reversed(parts):
        merged.update({key: (target, field, conv) for key, (field, conv) in table.items()})
    return merged


_BOND_MULTI: _Table = {
    "Transmit Hash Policy": ("", _hash_policy),
    "Primary Slave": ("", _primary),
}
SECTION_TABLES: dict[int, dict[str, _Entry]] = {
    MASTER: _section_table((BOND, _MASTER_KEYS), (MULTI, _BOND_MULTI), (BOND, _AD_KEYS)),
    AD: _section_table((BOND, _AD_KEYS), (BOND, _MASTER_KEYS), (MULTI, _BOND_MULTI)),
    AGG: _section_table(
        (AGGINFO, _AGG_KEYS), (BOND, _AD_KEYS), (BOND, _MASTER_KEYS), (MULTI, _BOND_MULTI)
    ),
    PORT: _section_table((SLAVE, _PORT_KEYS)),
    ACTOR: _section_table((PDU, _PDU_KEYS), (SLAVE, _PORT_KEYS)),
    PARTNER: _section_table((PDU, _PDU_KEYS), (SLAVE, _PORT_KEYS)),
}
PORT_SECTIONS = frozenset({PORT, ACTOR, PARTNER})
GATED_LABELS = frozenset({"System priority", "System MAC address"})
POST_GATING_LABELS = frozenset({"Peer Notification Delay (ms)", "LACP active"})


def split_label(line: str) -> tuple[str, str, str]:
    """(label, separator, value) of a stripped, non-empty line.

    Split on the first ": " (values hold colons, and so does the NS target label); a line
    ending in ":" is a label with no value; ``Label:<TAB>value`` is split on the TAB.
    """
    key, sep, value = line.partition(": ")
    if sep:
        return key, sep, value.lstrip()
    if line[-1] == ":":
        return line[:-1], ":", value
    key, sep, value = line.partition(":\t")
    return key, sep, value.lstrip()


_MODE_CACHE: dict[str, tuple[str, str | None]] = {}
_MODE_CACHE_SIZE = 256  # the kernel prints a handful of mode lines; bound hostile input


def mode_of(value: str) -> tuple[str, str | None] | None:
    """(mode, fail_over_mac) of a ``Bonding Mode`` value, None for an unknown mode.

    Memoized: the files of a fleet repeat a few values, and the regex and case folding cost
    more than the line. Unknown values are not remembered, so garbage cannot fill the memo.
    """
    known = _MODE_CACHE.get(value)
    if known is None:
        match = MODE_RE.fullmatch(value)
        mode = MODE_BY_FOLDED.get(" ".join(match[1].lower().split())) if match else None
        if mode is None or match is None:
            return None
        known = (mode, match[2])
        if len(_MODE_CACHE) < _MODE_CACHE_SIZE:
            _MODE_CACHE[value] = known
    return known
