"""Every corpus and synthetic sample parses to its hand-written golden JSON.

The goldens were written from the text, not from the parser, so a mismatch means one of the
two is wrong: read the sample again before touching either.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bondcheck.parse.procfs import bond_to_json, parse_bonding

from .conftest import CORPUS, NAMES, SAMPLES, SYNTHETIC, sample_key


def _diff(got: object, want: object, path: str = "$") -> list[str]:
    """Readable field-by-field differences, so a failure names the wrong value."""
    if isinstance(got, dict) and isinstance(want, dict):
        out: list[str] = []
        for key in sorted(set(got) | set(want)):
            out += _diff(got.get(key, "<missing>"), want.get(key, "<missing>"), f"{path}.{key}")
        return out
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        pairs = enumerate(zip(got, want, strict=True))
        return [d for i, (g, w) in pairs for d in _diff(g, w, f"{path}[{i}]")]
    return [] if got == want else [f"{path}: parsed {got!r}, golden {want!r}"]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: sample_key(p))
def test_sample_matches_golden(path: Path) -> None:
    text = path.read_bytes().decode()  # keep CRLF samples as they are
    bond = parse_bonding(text, name=NAMES.get(sample_key(path)), source=str(path))
    got = bond_to_json(bond)
    want = json.loads(path.with_suffix(".json").read_text())
    assert _diff(got, want) == []
    assert got == want
    # The JSON must survive a round trip unchanged (only JSON types inside).
    assert json.loads(json.dumps(got)) == got


def test_every_sample_has_a_golden_and_every_golden_a_sample() -> None:
    texts = {p.with_suffix("") for p in SAMPLES}
    goldens = {p.with_suffix("") for d in (CORPUS, SYNTHETIC) for p in d.glob("*.json")}
    assert texts == goldens
    assert len(list(CORPUS.glob("*.txt"))) == 32


def test_names_map_points_at_real_samples() -> None:
    keys = {sample_key(p) for p in SAMPLES}
    assert set(NAMES) <= keys


def test_whitespace_variants_parse_like_the_original() -> None:
    original = parse_bonding(
        (CORPUS / "ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt").read_text()
    )
    variants = sorted(SYNTHETIC.glob("synthetic-ws-ubuntu-6.8-*.txt"))
    assert len(variants) == 6
    for path in variants:
        assert parse_bonding(path.read_bytes().decode(), source=path.name) == original


def test_whitespace_variants_still_carry_their_mangling() -> None:
    """Guards against a checkout or an editor 'fixing' the samples (see .gitattributes)."""

    def raw(variant: str) -> bytes:
        name = f"synthetic-ws-ubuntu-6.8-8023ad-root-healthy-{variant}.txt"
        return (SYNTHETIC / name).read_bytes()

    assert raw("crlf").count(b"\r\n") == raw("crlf").count(b"\n") > 60
    assert b"        Aggregator ID: 1" in raw("tab-as-8-spaces")
    assert b"\\t\\t\\t\\tAggregator ID: 1" in raw("literal-backslash-t")
    assert b"\n\n" not in raw("no-blank-lines")
    assert b"\n\n\n" in raw("doubled-blank-lines")
    assert all(line.endswith((b" ", b"\t")) for line in raw("trailing-whitespace").splitlines())
