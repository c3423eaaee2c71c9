"""Parser for /proc/net/bonding/<bond> (every kernel era, root and non-root views)."""

from __future__ import annotations

from typing import Any

from bondcheck.model import ObservedBond


def parse_bonding(text: str, *, name: str | None = None, source: str | None = None) -> ObservedBond:
    """Parse the text of /proc/net/bonding/<bond>.

    ``name`` is the bond's name when the caller knows it (the file name); the text itself never
    says. Raises ParseError (one line: why and where) for text that is not bonding output.
    """
    raise NotImplementedError


def bond_to_json(bond: ObservedBond) -> dict[str, Any]:
    """The ``bondcheck parse -o json`` contract of DESIGN.md (schema_version 1)."""
    raise NotImplementedError
