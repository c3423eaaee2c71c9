"""``bondcheck parse -o table``: one parsed /proc/net/bonding file, readable at a glance.

Two tables: the bond (mode, MII, timers, LACP settings, the active aggregator) and its ports
(MII, speed, failures, aggregator, LACP states, partner). Empty values print as ``-`` so a
missing line is visibly missing rather than silently zero.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bondcheck.model import ObservedBond
from bondcheck.output.summary import safe

if TYPE_CHECKING:
    from rich.console import Console


def _v(value: Any) -> str:
    if value is None or value == "" or value == ():
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def bond_rows(bond: ObservedBond) -> list[tuple[str, str]]:
    """Label/value rows for the bond table (only lines that mean something for its mode)."""
    rows = [
        ("bond", _v(bond.name)),
        ("mode", _v(bond.mode)),
        ("driver version", _v(bond.driver_version)),
        ("MII status", _v(bond.mii_status)),
        ("MII polling (ms)", _v(bond.miimon_ms)),
        ("up/down delay (ms)", f"{_v(bond.updelay_ms)} / {_v(bond.downdelay_ms)}"),
    ]
    if bond.xmit_hash_policy is not None:
        rows.append(("transmit hash policy", bond.xmit_hash_policy))
    if bond.mode == "active-backup" or bond.primary or bond.active_port:
        rows.append(("primary", _v(bond.primary)))
        rows.append(("active port", _v(bond.active_port)))
    if bond.arp_interval_ms:
        rows.append(("ARP interval (ms)", _v(bond.arp_interval_ms)))
        rows.append(("ARP targets", _v(bond.arp_ip_targets)))
    if bond.mode == "802.3ad":
        rows += [
            ("LACP rate", _v(bond.lacp_rate)),
            ("LACP active", _v(bond.lacp_active)),
            ("min links", _v(bond.min_links)),
            ("aggregator selection", _v(bond.ad_select)),
            ("privileged view", _v(bond.privileged_view)),
        ]
        info = bond.ad_info
        if bond.no_active_aggregator:
            rows.append(("active aggregator", "none"))
        elif info is not None:
            rows.append(
                (
                    "active aggregator",
                    f"id {_v(info.aggregator_id)}, {_v(info.num_ports)} port(s), "
                    f"partner {_v(info.partner_mac)} key {_v(info.partner_key)}",
                )
            )
    return rows


def _styled(label: str, value: str) -> str:
    """Link state in colour (green up, red otherwise), so a down port stands out."""
    if label == "MII status":
        return f"[green]{value}[/]" if value == "up" else f"[red]{value}[/]"
    return value


def render(bond: ObservedBond, console: Console) -> None:
    """Print the bond and port tables on ``console``."""
    from rich.markup import escape
    from rich.table import Table

    head = Table(
        show_header=False, title=escape(f"/proc/net/bonding/{bond.name or '<name unknown>'}")
    )
    head.add_column("field", style="bold")
    head.add_column("value")
    for label, value in bond_rows(bond):
        head.add_row(label, _styled(label, escape(safe(value))))
    console.print(head)
    if not bond.ports:
        console.print("no ports enslaved")
        return
    # One column per port (bonds have 2-4): fits 80 columns where a row per port would not.
    ports = Table(title=f"{len(bond.ports)} port(s)")
    ports.add_column("", style="bold")
    for port in bond.ports:
        ports.add_column(escape(safe(port.name)))
    for label, values in port_rows(bond):
        ports.add_row(label, *(_styled(label, escape(safe(v))) for v in values))
    console.print(ports)


def port_rows(bond: ObservedBond) -> list[tuple[str, list[str]]]:
    """Label and one value per port, LACP rows only for 802.3ad."""
    p = bond.ports
    rows = [
        ("MII status", [_v(x.mii_status) for x in p]),
        (
            "speed",
            [_v(x.speed_mbps) if x.speed_mbps is None else f"{x.speed_mbps} Mbps" for x in p],
        ),
        ("duplex", [_v(x.duplex) for x in p]),
        ("link failures", [_v(x.link_failure_count) for x in p]),
        ("perm HW addr", [_v(x.perm_hwaddr) for x in p]),
    ]
    if bond.mode == "802.3ad":
        rows += [
            ("aggregator ID", [_v(x.aggregator_id) for x in p]),
            ("actor state", [_v(x.actor_port_state) for x in p]),
            ("partner state", [_v(x.partner_port_state) for x in p]),
            ("partner MAC", [_v(x.partner_mac) for x in p]),
        ]
    return rows
