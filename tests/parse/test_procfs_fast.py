"""The fast path of the /proc/net/bonding parser returns exactly what the general loop returns.

"Exactly" means more than ``==``: the same classes, the same ``__dict__`` contents in the same
order and the same pickle bytes (which would also show objects shared where the general loop
makes fresh ones). Where the general loop raises, the fast path must step aside (None) so the
error, its message and its line come from the general loop alone.
"""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondcheck.errors import ParseError
from bondcheck.parse.procfs import parse_bonding, parse_general
from bondcheck.parse.procfs_fast import Memo, kernel_shaped, parse_fast
from bondcheck.parse.procfs_tables import (
    _DUPLEX,
    _SPEED,
    BAD,
    SCALAR_CONVERTERS,
    STATE,
    TEXT,
    _name_or_none,
    _targets,
    count,
)

from .conftest import SAMPLES, sample_key

LAB = sorted(
    (Path(__file__).resolve().parents[2] / "fixtures" / "captures" / "lab").glob("*/**/bond0")
)
ALL = SAMPLES + LAB
TEXTS = [path.read_bytes().decode() for path in ALL]
# Synthetic copies whose whitespace the fast path leaves to the general loop on purpose.
GENERAL_ONLY = {"literal-backslash-t", "trailing-whitespace"}


def _shape(obj: Any) -> Any:
    """Class, fields in ``__dict__`` order and values, recursively: what 'identical' means."""
    if dataclasses.is_dataclass(obj):
        return type(obj).__name__, [(key, _shape(value)) for key, value in vars(obj).items()]
    if isinstance(obj, tuple):
        return [_shape(item) for item in obj]
    return type(obj).__name__, repr(obj)


def _outcome(parse: Any, text: str, name: str | None = None) -> tuple[Any, ...]:
    try:
        bond = parse(text, name=name, source="node/bond0")
    except ParseError as err:
        return "error", str(err), err.line
    return "bond", _shape(bond), pickle.dumps(bond)


def _id(path: Path) -> str:
    return sample_key(path) if path in SAMPLES else f"lab/{path.parts[-5]}"


@pytest.mark.parametrize("path", ALL, ids=_id)
def test_every_sample_reads_the_same_both_ways(path: Path) -> None:
    text = path.read_bytes().decode()
    for name in (None, "bond9"):
        assert _outcome(parse_bonding, text, name) == _outcome(parse_general, text, name)
    fast = parse_fast(text, None)
    if any(marker in path.name for marker in GENERAL_ONLY):
        assert fast is None
    else:  # the kernel's own output must not leave the fast path
        assert fast is not None and pickle.dumps(fast) == pickle.dumps(parse_general(text))


# Lines of every shape the general loop treats specially, and values it cannot read.
_LINES = [
    "Slave Interface: eth9", "Slave Interface:", "Slave Interface", "Slave Interface : eth7",
    "Bonding Mode: load balancing (xor)", "Bonding Mode: magic", "Bonding Mode:",
    "Ethernet Channel Bonding Driver: v1", "Ethernet Channel Bonding Driver:",
    "802.3ad info", "802.3ad info:", "802.3ad info: x", "802.3ad info :",
    "Active Aggregator Info:", "Active Aggregator Info", "Active Aggregator Info:: x",
    "details actor lacp pdu:", "details partner lacp pdu:", "details actor lacp pdu",
    "bond bond3 has no active aggregator", "bond x has no active aggregator:",
    "MII Status", "MII Status:", "MII Status: ", "MII Status:\tdown", "MII Status :  up",
    "Speed: fast", "Speed: Unknown", "Speed: 100 Mbps", "Duplex:", "Duplex: Unknown",
    "Aggregator ID: N/A", "Aggregator ID: 12345678901234567890123", "port key: x",
    "oper key: 7", "system mac address: 00:11:22:33:44:55", "LACP active: on",
    "LACP active: maybe", "Transmit Hash Policy: layer2 (0)", "Transmit Hash Policy: ?? (",
    "Primary Slave: eth0 (primary_reselect always)", "Primary Slave: None",
    "ARP IP target/s (n.n.n.n form): 10.0.0.1, 10.0.0.2", "NS IPv6 target/s (xx::xx form): ::1",
    "Currently Active Slave: None", ": x", ":", "x:", "Unknown line: value", "weird",
    "\\tMII Status: up", "System priority: 65535", "System MAC address:",
    "Peer Notification Delay (ms): 0", "Link Failure Count: 99999999999999999999999999",
    "Permanent HW addr:", "Min links: 0", "Up Delay (ms):  5", "Up Delay (ms): \t5",
    "Label:\tvalue", "MII Status: up ", "  Speed: 1000 Mbps", "\tDuplex: full", "a: b: c",
]  # fmt: skip
_NOISE = [":", ": ", " ", "\t", "\\t", "x", "\r", "\x00", "\xe9", "\x0b", "\ufeff"]


@st.composite
def variants(draw: st.DrawFn) -> str:
    """A sample after a few edits of the kinds copies and hostile input make (one seeded
    Random draw, so that hypothesis bookkeeping stays cheap)."""
    rng = draw(st.randoms(use_true_random=True))
    lines = rng.choice(TEXTS).split("\n")
    for _ in range(rng.randint(0, 5)):
        kind = rng.random()
        at = rng.randrange(len(lines) + 1)
        near = min(at, len(lines) - 1)
        if kind < 0.35:
            lines.insert(at, rng.choice(_LINES))
        elif not lines:
            continue
        elif kind < 0.5:
            del lines[near]
        elif kind < 0.6:
            lines.insert(at, lines[near])
        elif kind < 0.7:
            lines[near] = rng.choice(["", " ", "\t", "    "]) + lines[near] + rng.choice(["", " "])
        elif kind < 0.8:
            lines = lines[:at]
        elif kind < 0.95:
            cut = rng.randint(0, len(lines[near]))
            lines[near] = lines[near][:cut] + rng.choice(_NOISE) + lines[near][cut:]
        else:
            rng.shuffle(lines)
    return rng.choice(["\n", "\r\n"]).join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_edited_samples_read_the_same_both_ways(text: str) -> None:
    general = _outcome(parse_general, text)
    assert _outcome(parse_bonding, text) == general
    fast = parse_fast(text, None)  # never raises, and never answers where the general loop fails
    if general[0] == "error":
        assert fast is None
    elif fast is not None:
        assert pickle.dumps(fast) == general[2]


def test_kernel_shaped() -> None:
    assert kernel_shaped("Bonding Mode: x\n\tMII Status: up  \n\n")
    assert not kernel_shaped("Bonding Mode: x\r\n")  # parse_fast turns CRLF into LF first
    assert not kernel_shaped("Bonding Mode:  x\n")  # a value after blanks: the general loop
    assert not kernel_shaped("Bonding Mode: \tx\n")
    assert not kernel_shaped("\\tBonding Mode: x\n")  # a literal \t
    assert not kernel_shaped("\ufeffBonding Mode: x\n")
    assert not kernel_shaped("Bonding Mode: x\x0b\n")
    assert not kernel_shaped("Bonding Mode: x\x00\n")


def test_text_rules_keep_their_meaning() -> None:
    """The text converters became exception tables; their results are unchanged."""
    assert (TEXT(""), TEXT("slow")) == (None, "slow")
    assert (STATE(""), STATE("going back")) == (BAD, "going back")
    assert (_DUPLEX(""), _DUPLEX("Unknown"), _DUPLEX("full")) == (BAD, None, "full")
    assert (_name_or_none("None"), _name_or_none(""), _name_or_none("eth0")) == (None, None, "eth0")
    value = "".join(["up", "x"])  # a fresh string: the rule hands back that very object
    assert TEXT(value) is value


def test_memo_remembers_only_scalars_and_is_bounded() -> None:
    assert count in SCALAR_CONVERTERS and _targets not in SCALAR_CONVERTERS
    memo = Memo(count)
    assert memo["12"] == 12 and memo["x"] is BAD and memo["y" * 65] is BAD
    assert "12" in memo and "x" in memo and "y" * 65 not in memo  # long values are not kept
    for number in range(5000):
        assert memo[str(number)] == number
    assert len(memo) <= memo.limit < 5000
    targets = Memo(_targets)
    assert targets["a, b"] == ("a", "b") and len(targets) == 0  # strings are never shared
    speed = Memo(_SPEED)
    assert (speed["100 Mbps"], speed["Unknown"], speed["fast"]) == (100, None, BAD)
