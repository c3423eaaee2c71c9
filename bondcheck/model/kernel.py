"""What the kernel shows in /proc/net/bonding/<bond> (``bondcheck.parse.procfs`` builds it).

Part of ``bondcheck.model``: import the names from there.
"""

from __future__ import annotations

from dataclasses import dataclass


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
