"""The data bondcheck passes between its stages.

Everything here is a frozen dataclass so that a parsed bond, a normalised policy or a check
result can be shared between threads and compared in tests without surprises. The stages are:

    policy  -> Policy / ExpectedBond          (what the NNCP asks for)
    collect -> Evidence                       (raw text, exactly as the node printed it)
    parse   -> ObservedBond / IpState         (pure functions of that text)
    checks  -> CheckResult                    (pure functions of expected + observed)
    report  -> NodeReport / Report            (what the output formats render)

Nothing in this module does I/O or imports a heavy library.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------------------------
# Verdicts


class Status(str, enum.Enum):
    """Outcome of one check, or the worst outcome of a node.

    Ordered by severity so that ``max()`` over results gives a node's status.
    """

    PASS = "pass"
    SKIP = "skip"
    WARN = "warn"
    FAIL = "fail"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Status.PASS: 0, Status.SKIP: 0, Status.WARN: 1, Status.FAIL: 2, Status.ERROR: 3}


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """The most severe status of a collection; PASS when it is empty.

    ERROR outranks FAIL for a single check, but a node whose checks ran is judged by
    ``node_status`` instead, which keeps "could not collect" and "collected and failed" apart.
    """
    result = Status.PASS
    for status in statuses:
        if status.rank > result.rank:
            result = status
    return result


# --------------------------------------------------------------------------------------------
# What the kernel shows (parse/procfs.py builds these)


@dataclass(frozen=True)
class LacpPdu:
    """One ``details actor|partner lacp pdu`` block (root view only, kernel >= ~4.x)."""

    system_priority: int | None = None
    system_mac: str | None = None
    key: int | None = None  # "port key" for the actor, "oper key" for the partner
    port_priority: int | None = None
    port_number: int | None = None
    port_state: int | None = None


@dataclass(frozen=True)
class AdInfo:
    """The ``Active Aggregator Info`` block, or the same fields from ``ip -d link``."""

    aggregator_id: int | None = None
    num_ports: int | None = None
    actor_key: int | None = None
    partner_key: int | None = None
    partner_mac: str | None = None


@dataclass(frozen=True)
class ObservedPort:
    """One ``Slave Interface`` block of /proc/net/bonding/<bond>."""

    name: str
    mii_status: str = "unknown"
    speed_mbps: int | None = None
    duplex: str | None = None
    link_failure_count: int | None = None
    perm_hwaddr: str | None = None
    queue_id: int | None = None
    aggregator_id: int | None = None  # None for "N/A" or a mode without aggregators
    actor_churn_state: str | None = None
    partner_churn_state: str | None = None
    actor_churned_count: int | None = None
    partner_churned_count: int | None = None
    actor: LacpPdu | None = None
    partner: LacpPdu | None = None
    extra: tuple[tuple[str, str], ...] = ()  # lines this parser does not know, kept verbatim

    @property
    def actor_port_state(self) -> int | None:
        return self.actor.port_state if self.actor else None

    @property
    def partner_port_state(self) -> int | None:
        return self.partner.port_state if self.partner else None

    @property
    def partner_mac(self) -> str | None:
        return self.partner.system_mac if self.partner else None


@dataclass(frozen=True)
class ObservedBond:
    """Everything /proc/net/bonding/<bond> said about one bond.

    ``privileged_view`` is True when the reader had CAP_NET_ADMIN (the kernel printed the
    root-only LACP lines), False when those lines were withheld, and None where the format
    cannot tell (non-802.3ad modes, or kernels that print the block to every reader).
    """

    name: str | None
    mode: str  # nmstate name: balance-rr, active-backup, ..., 802.3ad
    driver_version: str | None = None
    fail_over_mac: str | None = None
    mii_status: str = "unknown"
    miimon_ms: int | None = None
    updelay_ms: int | None = None
    downdelay_ms: int | None = None
    peer_notif_delay_ms: int | None = None
    xmit_hash_policy: str | None = None
    primary: str | None = None
    primary_reselect: str | None = None
    active_port: str | None = None
    arp_interval_ms: int | None = None
    arp_missed_max: int | None = None
    arp_ip_targets: tuple[str, ...] = ()
    ns_ip6_targets: tuple[str, ...] = ()
    lacp_active: bool | None = None
    lacp_rate: str | None = None
    min_links: int | None = None
    ad_select: str | None = None
    system_priority: int | None = None
    system_mac: str | None = None
    ad_info: AdInfo | None = None
    no_active_aggregator: bool = False  # the kernel printed "bond X has no active aggregator"
    privileged_view: bool | None = None
    ports: tuple[ObservedPort, ...] = ()
    extra: tuple[tuple[str, str], ...] = ()

    def port(self, name: str) -> ObservedPort | None:
        for port in self.ports:
            if port.name == name:
                return port
        return None


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
    ifindex: int | None = None
    kind: str | None = None  # linkinfo.info_kind: bond, vlan, bridge, veth, ...
    master: str | None = None
    operstate: str | None = None
    flags: tuple[str, ...] = ()
    address: str | None = None
    slave_kind: str | None = None  # linkinfo.info_slave_kind: "bond" for bond ports
    info_data: Mapping[str, Any] = field(default_factory=dict)
    slave_data: Mapping[str, Any] = field(default_factory=dict)

    @property
    def admin_up(self) -> bool:
        return "UP" in self.flags


@dataclass(frozen=True)
class IpState:
    """Addresses and links of one node, keyed by interface name."""

    addresses: Mapping[str, tuple[Address, ...]] = field(default_factory=dict)
    links: Mapping[str, Link] = field(default_factory=dict)
    has_addresses: bool = False  # ip -j addr was available
    has_links: bool = False  # ip -j -d link was available


# --------------------------------------------------------------------------------------------
# What the policy asks for (policy/ builds these)


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
    """A NodeNetworkConfigurationPolicy reduced to what bondcheck verifies."""

    name: str
    bonds: tuple[ExpectedBond, ...]
    api_version: str = "nmstate.io/v1"
    node_selector: Mapping[str, str] = field(default_factory=dict)
    generation: int | None = None
    templated: bool = False  # uses capture / {{ }}: the per-node NNCE holds the real state
    source: str = ""  # "cluster" or the file path


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


# --------------------------------------------------------------------------------------------
# What a node gave us (transports build these; capture dirs hold the same)


@dataclass(frozen=True)
class NodeTarget:
    """A node to collect from: its name, an address to reach it, and its labels."""

    name: str
    address: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Evidence:
    """Raw output from one node, exactly as printed, so it can be saved and re-judged.

    ``bonds`` maps each bond name to the text of /proc/net/bonding/<bond>, or None when the
    file does not exist (the bond is absent). ``privileged`` records whether the reader had
    CAP_NET_ADMIN as far as the transport knows (uid 0 / sudo), None when unknown.
    """

    node: str
    transport: str
    bonds: Mapping[str, str | None] = field(default_factory=dict)
    ip_addr: str | None = None
    ip_link: str | None = None
    privileged: bool | None = None
    kernel: str | None = None
    enactment: Enactment | None = None
    nns_state: Mapping[str, Any] | None = None  # NodeNetworkState currentState (--via nns)
    notes: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------
# Verdicts per check and per node


@dataclass(frozen=True)
class CheckResult:
    """One finding: a check applied to one bond (and maybe one port) of one node."""

    check: str
    status: Status
    message: str
    bond: str | None = None
    port: str | None = None
    expected: Any = None
    observed: Any = None
    evidence: str | None = None  # the line of kernel text (or JSON field) that shows it
    remediation: str | None = None


@dataclass(frozen=True)
class NodeReport:
    """All results for one node; ``error`` is set when evidence could not be collected.

    ``notes`` carries what the collection said about the evidence (an empty file treated as
    not collected, a sosreport without ``ip -j``, ...): not a verdict, but what a reader needs
    to trust or question the verdicts.
    """

    node: str
    transport: str
    results: tuple[CheckResult, ...] = ()
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def status(self) -> Status:
        if self.error is not None:
            return Status.ERROR
        return worst([r.status for r in self.results])


@dataclass(frozen=True)
class Report:
    """The whole run: what the output formats render and the exit code is computed from."""

    policy: str
    tool_version: str
    nodes: tuple[NodeReport, ...] = ()
