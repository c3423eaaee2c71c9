"""Just enough /proc/net/bonding parsing for the lab to know when a scenario has converged.

The lab deliberately does not use bondcheck's own parser: the lab is what proves that parser
right on real kernel output, so it must not depend on it. Only the fields that convergence
and the lab tests look at are read here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

ZERO_MAC = "00:00:00:00:00:00"
# LACP port state bits (IEEE 802.1AX): sync, collecting and distributing together mean the
# port carries traffic; 63 adds activity, short timeout and aggregation.
SYNC, COLLECTING, DISTRIBUTING, DEFAULTED = 0x08, 0x10, 0x20, 0x40
CARRYING = SYNC | COLLECTING | DISTRIBUTING
FULL_STATE = 63


@dataclass
class Port:
    """One "Slave Interface" block."""

    name: str
    mii: str = ""
    link_failures: int = 0
    aggregator: int | None = None
    actor_state: int | None = None
    partner_state: int | None = None
    partner_mac: str | None = None
    churn: tuple[str, str] = ("", "")


@dataclass
class Bond:
    """The bond header plus its ports."""

    mode: str = ""
    mii: str = ""
    active_port: str | None = None
    primary: str | None = None
    active_aggregator: int | None = None
    system_mac: str | None = None
    partner_mac: str | None = None
    ports: dict[str, Port] = field(default_factory=dict)

    def port(self, name: str) -> Port | None:
        return self.ports.get(name)


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def parse(text: str) -> Bond:
    """Parse the kernel's text; unknown lines are ignored."""
    bond = Bond()
    port: Port | None = None
    section = "bond"  # bond | agg | actor | partner
    for raw in text.splitlines():
        if not raw.strip():
            continue
        key, _, value = raw.strip().partition(":")
        value = value.strip()
        lkey = key.lower()
        if key == "Slave Interface":
            port = bond.ports.setdefault(value, Port(value))
            section = "port"
        elif key == "Active Aggregator Info":
            section = "agg"
        elif lkey == "details actor lacp pdu":
            section = "actor"
        elif lkey == "details partner lacp pdu":
            section = "partner"
        elif port is None:
            _bond_line(bond, section, key, value)
        else:
            _port_line(port, section, key, value)
    return bond


def _bond_line(bond: Bond, section: str, key: str, value: str) -> None:
    if section == "agg":
        if key == "Aggregator ID":
            bond.active_aggregator = _int(value)
        elif key == "Partner Mac Address":
            bond.partner_mac = value
    elif key == "Bonding Mode":
        bond.mode = value
    elif key == "MII Status":
        bond.mii = value
    elif key == "Currently Active Slave":
        bond.active_port = None if value == "None" else value
    elif key == "Primary Slave":
        bond.primary = None if value.startswith("None") else value.split()[0]
    elif key == "System MAC address":
        bond.system_mac = value


def _port_line(port: Port, section: str, key: str, value: str) -> None:
    if section in ("actor", "partner"):
        if key == "port state":
            if section == "actor":
                port.actor_state = _int(value)
            else:
                port.partner_state = _int(value)
        elif key == "system mac address" and section == "partner":
            port.partner_mac = value
    elif key == "MII Status":
        port.mii = value
    elif key == "Link Failure Count":
        port.link_failures = _int(value) or 0
    elif key == "Aggregator ID":
        port.aggregator = _int(value)
    elif key == "Actor Churn State":
        port.churn = (value, port.churn[1])
    elif key == "Partner Churn State":
        port.churn = (port.churn[0], value)


Predicate = Callable[["Bond | None"], bool]
PORTS = ("ens224", "ens256")


def _all_up(b: Bond, ports: tuple[str, ...] = PORTS) -> bool:
    return b.mii == "up" and all(p in b.ports and b.ports[p].mii == "up" for p in ports)


def _carrying(p: Port, exact: bool) -> bool:
    if p.actor_state is None or p.partner_state is None:
        return False
    if exact:
        return p.actor_state == FULL_STATE and p.partner_state == FULL_STATE
    return (p.actor_state & CARRYING) == CARRYING and (p.partner_state & CARRYING) == CARRYING


def lacp_converged(ports: tuple[str, ...] = PORTS, exact: bool = True) -> Predicate:
    """All ports up, in the active aggregator, with a real partner, carrying traffic.

    exact=True asks for state 63 on both sides (fast rate); exact=False asks only for the
    sync/collecting/distributing bits, which is what a slow-rate bond ever reaches.
    """

    def check(b: Bond | None) -> bool:
        if b is None or not _all_up(b, ports) or b.active_aggregator is None:
            return False
        return all(
            b.ports[p].aggregator == b.active_aggregator
            and b.ports[p].partner_mac not in (None, ZERO_MAC)
            and _carrying(b.ports[p], exact)
            for p in ports
        )

    return check


def links_up(active: str | None = None) -> Predicate:
    """Bond and both ports MII up; optionally a given port is the currently active one."""

    def check(b: Bond | None) -> bool:
        return b is not None and _all_up(b) and (active is None or b.active_port == active)

    return check


def no_partner(b: Bond | None) -> bool:
    """802.3ad with nobody answering: every port defaulted, each in some aggregator."""
    if b is None or not _all_up(b) or b.active_aggregator is None:
        return False
    return all(
        p.aggregator is not None and p.actor_state is not None and p.actor_state & DEFAULTED
        for p in b.ports.values()
    )


def split_aggregators(b: Bond | None) -> bool:
    """Two partners: distinct partner MACs, distinct aggregators, the active one carrying."""
    if b is None or not _all_up(b) or b.active_aggregator is None:
        return False
    ports = [b.ports[p] for p in PORTS]
    macs = {p.partner_mac for p in ports}
    if ZERO_MAC in macs or None in macs or len(macs) != 2:
        return False
    if len({p.aggregator for p in ports}) != 2:
        return False
    active = [p for p in ports if p.aggregator == b.active_aggregator]
    return len(active) == 1 and _carrying(active[0], exact=True)


def bond_absent(b: Bond | None) -> bool:
    """No bond0 at all."""
    return b is None


def port_mii(port: str, status: str) -> Predicate:
    """The named port is listed with the given MII status."""

    def check(b: Bond | None) -> bool:
        return b is not None and port in b.ports and b.ports[port].mii == status

    return check


def port_absent(port: str) -> Predicate:
    """The named port is no longer enslaved."""

    def check(b: Bond | None) -> bool:
        return b is not None and port not in b.ports

    return check


def bond_down(b: Bond | None) -> bool:
    """The bond itself lost carrier (every port down)."""
    return b is not None and b.mii == "down" and all(p.mii == "down" for p in b.ports.values())


def churn_settled(b: Bond | None) -> bool:
    """No port is still inside the 60 s churn-detection window ("monitoring")."""
    return b is not None and all("monitoring" not in p.churn for p in b.ports.values())
