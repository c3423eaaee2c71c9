"""Decoding the IEEE 802.1AX actor/partner state byte the kernel prints as ``port state``."""

from __future__ import annotations

#: Bit names, least significant first.
STATE_BITS: tuple[tuple[int, str], ...] = (
    (0x01, "activity"),
    (0x02, "short timeout"),
    (0x04, "aggregation"),
    (0x08, "synchronization"),
    (0x10, "collecting"),
    (0x20, "distributing"),
    (0x40, "defaulted"),
    (0x80, "expired"),
)
ACTIVITY = 0x01
SHORT_TIMEOUT = 0x02
#: Aggregation + synchronization + collecting + distributing: the port carries traffic.
REQUIRED = 0x3C
#: Defaulted (no LACPDU from the partner) + expired (the partner's PDUs timed out).
FORBIDDEN = 0xC0


def bit_names(mask: int) -> list[str]:
    return [name for bit, name in STATE_BITS if mask & bit]


def describe(state: int) -> str:
    """``77 (0x4D: activity, aggregation, synchronization, defaulted)``."""
    return f"{state} (0x{state:02X}: {', '.join(bit_names(state)) or 'no bits'})"


def state_problems(state: int, *, need_activity: bool) -> list[str]:
    """What is wrong with a port state: missing required bits and set forbidden bits."""
    problems = []
    required = REQUIRED | (ACTIVITY if need_activity else 0)
    missing = required & ~state
    if missing:
        problems.append("missing " + ", ".join(bit_names(missing)))
    bad = state & FORBIDDEN
    if bad:
        problems.append(", ".join(bit_names(bad)))
    return problems
