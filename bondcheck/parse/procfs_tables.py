"""Label tables for the /proc/net/bonding parser: which label goes to which field, and how.

Kept apart from the parsing loop so that supporting a new kernel line is a one-line change
here. Each section of the file (master block, ``802.3ad info``, ``Active Aggregator Info``,
a port, a port's actor/partner LACPDU details) gets one merged dict: its own labels first,
then the labels of the enclosing sections, so a reordered or unexpected line still lands in
the right object with a single lookup.

Every helper here runs in time linear in its input: the evidence is untrusted, and an 8 MiB
file must never take longer than reading it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bondcheck.vocabulary import MODE_LONG_NAMES

#: The long name printed after ``Bonding Mode:`` -> the nmstate short name.
MODE_BY_LONG_NAME: dict[str, str] = {long: short for short, long in MODE_LONG_NAMES.items()}
_MODE_BY_FOLDED = {" ".join(k.lower().split()): v for k, v in MODE_BY_LONG_NAME.items()}
_FAIL_OVER_MAC = "(fail_over_mac"

VERSION_LABEL = "Ethernet Channel Bonding Driver"
NO_AGG_RE = re.compile(r"bond (\S+) has no active aggregator")
_RESELECT = "primary_reselect"
# Linear: the classes on either side of each repetition are disjoint.
_HASH_RE = re.compile(r"(\S+)(?:\s+\(\d+\))?")
# Characters that never occur in text the kernel prints: C0 controls other than TAB/LF/CR/
# VT/FF, DEL, and lone surrogates (bytes decoded with errors="surrogateescape").
BINARY_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f\ud800-\udfff]")
MAX_DIGITS = 64  # kernel counters are at most 20 digits; bounds int() on hostile input

# Sections of the state machine.
MASTER, AD, AGG, PORT, ACTOR, PARTNER = range(6)
PORT_SECTIONS = frozenset({PORT, ACTOR, PARTNER})
HEADERS = {
    "802.3ad info": AD,
    "Active Aggregator Info": AGG,
    "details actor lacp pdu": ACTOR,
    "details partner lacp pdu": PARTNER,
}

# A converter returns the parsed value, or BAD when the value is unreadable (the line then
# goes to ``extra`` verbatim). Values that legitimately mean "unknown" return None.
BAD = object()
Conv = Callable[[str], Any]


def _int(value: str) -> int | None:
    if value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)
    return None


def _strict(conv: Conv, *nulls: str) -> Conv:
    """``conv`` where ``nulls`` mean None and any other unreadable value is BAD."""

    def convert(value: str) -> Any:
        if value in nulls:
            return None
        result = conv(value)
        return BAD if result is None else result

    return convert


def _rule(**exceptions: Any) -> Conv:
    """A text value kept as printed, except a few values that mean something else."""
    table = {"": exceptions.pop("empty", None), **exceptions}
    return lambda value: table.get(value, value)


def _speed(value: str) -> int | None:
    number, _, unit = value.partition(" ")
    return _int(number) if unit == "Mbps" else None


def _targets(value: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in value.split(",") if t.strip())


def _count(value: str) -> Any:
    """An unsigned number, BAD when unreadable: the commonest converter, so one call."""
    if value.isdigit() and value.isascii() and len(value) <= MAX_DIGITS:
        return int(value)
    return BAD


_COUNT = _count
_TEXT = _rule()
_STATE = _rule(empty=BAD)  # an MII state must be a word
_NAME = _rule(**{"None": None})
_DUPLEX = _rule(Unknown=None, empty=BAD)
_SPEED = _strict(_speed, "Unknown")
_PORT_AGGREGATOR = _strict(_int, "N/A")
_LACP_ACTIVE = _strict({"on": True, "off": False}.get)


def _hash_policy(value: str) -> Any:
    """``layer3+4 (1)`` -> the name only."""
    match = _HASH_RE.fullmatch(value)
    return {"xmit_hash_policy": match[1]} if match else BAD


def _primary(value: str) -> Any:
    """``eth1 (primary_reselect always)`` -> the port (None for ``None``) and the policy.

    Read by hand: a regex for the optional ``primary_reselect`` prefix backtracks on a long
    run of blanks."""
    if not value:
        return BAD
    name, *rest = value.split(maxsplit=1)
    reselect = None
    if rest:
        inner = rest[0][1:-1]
        if rest[0][:1] != "(" or rest[0][-1:] != ")" or "(" in inner or ")" in inner:
            return BAD
        if inner.startswith(_RESELECT) and inner[len(_RESELECT) : len(_RESELECT) + 1].isspace():
            inner = inner[len(_RESELECT) :].lstrip()
        reselect = inner or None
    return {"primary": _NAME(name), "primary_reselect": reselect}


_Table = dict[str, tuple[str, Conv]]

_MASTER_KEYS: _Table = {
    "MII Status": ("mii_status", _STATE),
    "MII Polling Interval (ms)": ("miimon_ms", _COUNT),
    "Up Delay (ms)": ("updelay_ms", _COUNT),
    "Down Delay (ms)": ("downdelay_ms", _COUNT),
    "Peer Notification Delay (ms)": ("peer_notif_delay_ms", _COUNT),
    "Currently Active Slave": ("active_port", _NAME),
    "ARP Polling Interval (ms)": ("arp_interval_ms", _COUNT),
    "ARP Missed Max": ("arp_missed_max", _COUNT),
    "ARP IP target/s (n.n.n.n form)": ("arp_ip_targets", _targets),
    "NS IPv6 target/s (xx::xx form)": ("ns_ip6_targets", _targets),
    "NS IPv6 target/s (XX::XX form)": ("ns_ip6_targets", _targets),
}
_AD_KEYS: _Table = {
    "LACP active": ("lacp_active", _LACP_ACTIVE),
    "LACP rate": ("lacp_rate", _TEXT),
    "Min links": ("min_links", _COUNT),
    "Aggregator selection policy (ad_select)": ("ad_select", _TEXT),
    "System priority": ("system_priority", _COUNT),
    "System MAC address": ("system_mac", _TEXT),
}
_AGG_KEYS: _Table = {
    "Aggregator ID": ("aggregator_id", _COUNT),
    "Number of ports": ("num_ports", _COUNT),
    "Actor Key": ("actor_key", _COUNT),
    "Partner Key": ("partner_key", _COUNT),
    "Partner Mac Address": ("partner_mac", _TEXT),
}
_PORT_KEYS: _Table = {
    "MII Status": ("mii_status", _STATE),
    "Speed": ("speed_mbps", _SPEED),
    "Duplex": ("duplex", _DUPLEX),
    "Link Failure Count": ("link_failure_count", _COUNT),
    "Permanent HW addr": ("perm_hwaddr", _TEXT),
    "Slave queue ID": ("queue_id", _COUNT),
    "Aggregator ID": ("aggregator_id", _PORT_AGGREGATOR),
    "Actor Churn State": ("actor_churn_state", _TEXT),
    "Partner Churn State": ("partner_churn_state", _TEXT),
    "Actor Churned Count": ("actor_churned_count", _COUNT),
    "Partner Churned Count": ("partner_churned_count", _COUNT),
}
_PDU_KEYS: _Table = {
    "system priority": ("system_priority", _COUNT),
    "system mac address": ("system_mac", _TEXT),
    "port key": ("key", _COUNT),
    "oper key": ("key", _COUNT),
    "port priority": ("port_priority", _COUNT),
    "port number": ("port_number", _COUNT),
    "port state": ("port_state", _COUNT),
}
# Labels whose converter returns a dict of bond fields (field name "").
_BOND_MULTI: _Table = {
    "Transmit Hash Policy": ("", _hash_policy),
    "Primary Slave": ("", _primary),
}

# Where a label's value goes: the bond, the aggregator block, the port, its LACPDU details.
BOND, AGGINFO, SLAVE, PDU = range(4)
Entry = tuple[int, str, Conv]


def _section_table(*parts: tuple[int, _Table]) -> dict[str, Entry]:
    """One dict per section: its own labels win over the enclosing sections' labels."""
    merged: dict[str, Entry] = {}
    for target, table in reversed(parts):
        merged.update({key: (target, field, conv) for key, (field, conv) in table.items()})
    return merged


SECTION_TABLES: dict[int, dict[str, Entry]] = {
    MASTER: _section_table((BOND, _MASTER_KEYS), (BOND, _BOND_MULTI), (BOND, _AD_KEYS)),
    AD: _section_table((BOND, _AD_KEYS), (BOND, _MASTER_KEYS), (BOND, _BOND_MULTI)),
    AGG: _section_table(
        (AGGINFO, _AGG_KEYS), (BOND, _AD_KEYS), (BOND, _MASTER_KEYS), (BOND, _BOND_MULTI)
    ),
    PORT: _section_table((SLAVE, _PORT_KEYS)),
    ACTOR: _section_table((PDU, _PDU_KEYS), (SLAVE, _PORT_KEYS)),
    PARTNER: _section_table((PDU, _PDU_KEYS), (SLAVE, _PORT_KEYS)),
}
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


def strip_literal_tabs(line: str) -> str:
    r"""Drop a literal ``\t`` prefix (TABs written as escapes in a copied test string)."""
    at, end = 0, len(line)
    while line.startswith("\\t", at):
        at += 2
        while at < end and line[at].isspace():
            at += 1
    return line[at:]


def mode_of(value: str) -> tuple[str, str | None] | None:
    """(mode, fail_over_mac) of a ``Bonding Mode`` value, None for an unknown mode.

    ``IEEE 802.3ad Dynamic link aggregation`` or ``fault-tolerance (active-backup)
    (fail_over_mac active)``; blanks and case are folded.
    """
    head, fail_over_mac = value, None
    cut = value.rfind(_FAIL_OVER_MAC)
    if cut > 0 and value[cut - 1].isspace() and value.endswith(")"):
        inner = value[cut + len(_FAIL_OVER_MAC) : -1]
        name = inner.lstrip()
        if inner[:1].isspace() and name and not any(c in "()" or c.isspace() for c in name):
            head, fail_over_mac = value[:cut], name
    mode = _MODE_BY_FOLDED.get(" ".join(head.lower().split()))
    return None if mode is None else (mode, fail_over_mac)
