"""Property tests: mangled bonding text yields an ObservedBond or a ParseError, nothing else.

The parser turns an unexpected internal exception into a ParseError saying "unreadable
bonding text (...)" so that users never see a traceback; here that wrapper counts as a bug.
"""

from __future__ import annotations

import dataclasses
import json
import random
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bondcheck.errors import ParseError
from bondcheck.model import ObservedBond
from bondcheck.parse.procfs import bond_to_json, parse_bonding

from .conftest import SAMPLES

TEXTS = [path.read_bytes().decode() for path in SAMPLES]
BOUNDED = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_NUMBER = re.compile(r"(?<=: )\d+\b")


def _outcome(text: str) -> ObservedBond | None:
    """Parse; None for a proper ParseError; any other exception propagates and fails."""
    try:
        bond = parse_bonding(text, source="fuzz")
    except ParseError as err:
        assert "unreadable bonding text" not in str(err), str(err)  # a wrapped bug
        assert "\n" not in str(err)
        return None
    assert isinstance(bond, ObservedBond)
    assert isinstance(bond.mii_status, str) and bond.mii_status
    assert all(isinstance(p.name, str) and p.name and p.mii_status for p in bond.ports)
    assert dataclasses.replace(bond) == bond  # the fast builder agrees with __init__
    json.dumps(bond_to_json(bond))  # the JSON view must hold for every successful parse
    return bond


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A sample after a handful of random edits of the kinds real copies and attacks make.

    The edits come from a seeded Random (one draw) rather than many small draws: hypothesis
    then needs far less bookkeeping per example, which keeps 300 examples to about a second.
    """
    rng = draw(st.randoms(use_true_random=True))
    lines = rng.choice(TEXTS).split("\n")
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["truncate", "shuffle", "dup", "bytes", "unicode", "drop"])
        at = rng.randrange(max(len(lines), 1))
        if kind == "truncate":
            lines = lines[:at]
        elif kind == "shuffle":
            rng.shuffle(lines)
        elif kind == "dup" and lines:
            lines.insert(at, lines[at])
        elif kind == "drop" and lines:
            del lines[at]
        elif kind in ("bytes", "unicode") and lines:
            if kind == "bytes":
                noise = rng.randbytes(rng.randint(1, 8)).decode("latin-1")
            else:
                noise = "".join(chr(rng.randrange(0x20, 0x30000)) for _ in range(rng.randint(1, 8)))
            cut = rng.randint(0, len(lines[at]))
            lines[at] = lines[at][:cut] + noise + lines[at][cut:]
    return "\n".join(lines)


@BOUNDED
@given(mutated())
def test_mutated_samples_parse_or_fail_cleanly(text: str) -> None:
    _outcome(text)


@BOUNDED
@given(st.text(max_size=300))
def test_arbitrary_text_parses_or_fails_cleanly(text: str) -> None:
    _outcome(text)


@BOUNDED
@given(st.binary(max_size=300))
def test_arbitrary_bytes_decoded_as_a_reader_would(raw: bytes) -> None:
    _outcome(raw.decode("utf-8", errors="surrogateescape"))


@BOUNDED
@given(st.sampled_from(TEXTS), st.integers(0, 10**30))
def test_huge_numbers_are_read_exactly(text: str, huge: int) -> None:
    replaced = _NUMBER.sub(str(huge), text)
    bond = _outcome(replaced)
    assert bond is not None  # numbers of any size are valid values
    if "Link Failure Count: " in text:
        assert all(p.link_failure_count == huge for p in bond.ports)
    if "MII Polling Interval (ms): " in text:
        assert bond.miimon_ms == huge


_LEAD = ["", " ", "\t", "        ", "\\t\\t\\t\\t", " \t "]
_TRAIL = ["", " ", "\t", "  \t "]


@BOUNDED
@given(st.sampled_from(TEXTS), st.randoms(use_true_random=True))
def test_whitespace_never_changes_the_result(text: str, rng: random.Random) -> None:
    """Leading/trailing whitespace, blank lines and line endings are layout, not content."""
    expected = parse_bonding(text)
    out = []
    for line in text.splitlines():
        if line.strip():
            line = rng.choice(_LEAD) + line.strip() + rng.choice(_TRAIL)
        out.append(line + "\n" * rng.randint(1, 3))
    eol = rng.choice(["\n", "\r\n"])
    assert parse_bonding("".join(out).replace("\n", eol)) == expected
