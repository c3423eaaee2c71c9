"""Captured samples for the failover tests, read and parsed."""

from __future__ import annotations

from pathlib import Path

from bondcheck.model import ObservedBond
from bondcheck.parse.procfs import parse_bonding

DATA = Path(__file__).parent / "data"


def sample(name: str) -> str:
    return (DATA / name).read_text()


def bond(name: str) -> ObservedBond:
    """A captured /proc/net/bonding/bond0 file, parsed by bondcheck's own parser."""
    return parse_bonding(sample(name), name="bond0", source=name)
