"""Addresses and links as ``ip -j addr`` and ``ip -j -d link`` show them (parse/iproute.py).

Part of ``bondcheck.model``: import the names from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Address:
    """One address from ``ip -j addr``."""

    family: str  # "inet" | "inet6"
    local: str
    prefixlen: int
    scope: str = "global"

    @property
    def is_link_local(self) -> bool:
        return self.scope == "link" or self.local.lower().startswith("fe80:")

    def __str__(self) -> str:
        return f"{self.local}/{self.prefixlen}"


@dataclass(frozen=True)
class Link:
    """One interface from ``ip -j -d link`` (or the link part of ``ip -j addr``)."""

    name: str
    master: str | None = None
    operstate: str | None = None
    info_data: Mapping[str, Any] = field(default_factory=dict)  # linkinfo.info_data (bonds)


@dataclass(frozen=True)
class IpState:
    """Addresses and links of one node, keyed by interface name."""

    addresses: Mapping[str, tuple[Address, ...]] = field(default_factory=dict)
    links: Mapping[str, Link] = field(default_factory=dict)
    has_addresses: bool = False  # ip -j addr was available
    has_links: bool = False  # ip -j -d link was available
