"""What the policy asks for (``bondcheck.policy`` builds it) and how the node enacted it.

Part of ``bondcheck.model``: import the names from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExpectedAddress:
    ip: str
    prefix_length: int

    def __str__(self) -> str:
        return f"{self.ip}/{self.prefix_length}"


@dataclass(frozen=True)
class ExpectedIp:
    """An nmstate ``ipv4`` or ``ipv6`` block, normalised."""

    enabled: bool
    dhcp: bool = False
    autoconf: bool = False
    addresses: tuple[ExpectedAddress, ...] = ()


@dataclass(frozen=True)
class ExpectedBond:
    """One bond of a policy, with every value in canonical form.

    ``options`` holds only what the policy sets, already normalised (ints for numbers,
    lowercase names for enums, bools for booleans), so checks compare like with like.
    ``ip_device`` is where the addresses must live: the bond itself, or a VLAN/bridge on top.
    """

    name: str
    state: str = "up"  # up | down | absent
    mode: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    ports: tuple[str, ...] = ()
    ip_device: str | None = None
    ipv4: ExpectedIp | None = None
    ipv6: ExpectedIp | None = None
    notes: tuple[str, ...] = ()  # e.g. "legacy 'slaves' key: rejected by nmstate >= 2.0"


@dataclass(frozen=True)
class Policy:
    """A NodeNetworkConfigurationPolicy reduced to what bondcheck verifies.

    ``notes`` names what the policy holds that bondcheck does not verify (an Open vSwitch
    bond lives in OVS, not in /proc/net/bonding), one line each: a report that omitted it
    would look complete while part of the policy went unchecked.
    """

    name: str
    bonds: tuple[ExpectedBond, ...]
    node_selector: Mapping[str, str] = field(default_factory=dict)
    generation: int | None = None
    templated: bool = False  # uses capture / {{ }}: the per-node NNCE holds the real state
    source: str = ""  # "cluster" or the file path
    notes: tuple[str, ...] = ()  # what the policy holds that bondcheck does not verify
    #: The NNCP object as read (``collect`` saves it beside the captures); not compared.
    document: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Enactment:
    """The condition of a node's NNCE that matters for POLICY-ENACTMENT."""

    node: str
    policy: str
    status: str  # Available | Failing | Progressing | Pending | Aborted | Unknown | Missing
    reason: str | None = None
    message: str | None = None
    policy_generation: int | None = None
    stale: bool = False  # policyGeneration differs from the policy's metadata.generation
