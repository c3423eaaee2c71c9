"""Every DRIFT-* ID, described once: ``bondcheck explain``, ``bondcheck checks`` and
docs/checks.md are generated from this table, as they are from the check catalog.

A drift is not a verdict: it says that something differs from the baseline, and whether that
is fine depends on what the change window meant to change. So each entry says when the drift
is expected, and what to do when it is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class DriftDef:
    """One drift ID: its title, the ``explain`` text and what to do when it was not planned."""

    id: str
    title: str
    explain: str
    remediation: str


DRIFTS: tuple[DriftDef, ...] = (
    DriftDef(
        "DRIFT-NODE",
        "A node appeared or vanished between the snapshots",
        "The node has evidence on one side only: it was added to (or removed from) the fleet, "
        "or one of the collections missed it.\n\nExpected when nodes were added, drained or "
        "renamed during the window.",
        "Collect the missing node again; if it should exist, find out why it is gone.",
    ),
    DriftDef(
        "DRIFT-BOND",
        "A bond appeared or vanished",
        "/proc/net/bonding/<bond> exists in one snapshot only: the bond was created or "
        "removed (an NNCP applied or deleted, or a configuration that did not come back "
        "after a reboot).\n\nExpected when the window added or removed the bond.",
        "Compare the node's NNCP and its NNCE; re-apply the policy if the bond should exist.",
    ),
    DriftDef(
        "DRIFT-MODE",
        "The bonding mode changed",
        "The kernel runs the bond in another mode than before (e.g. active-backup instead of "
        "802.3ad). Every other difference of the bond follows from it.\n\nExpected only when "
        "the NNCP's mode was edited on purpose; the switch side must change with it.",
        "Check the NNCP's link-aggregation mode and the switch's port-channel configuration.",
    ),
    DriftDef(
        "DRIFT-OPTIONS",
        "A bond option changed (miimon, lacp_rate, xmit_hash_policy, ad_select, primary, ...)",
        "One result per option whose value differs: miimon, updelay, downdelay, "
        "peer_notif_delay, xmit_hash_policy, lacp_rate, lacp_active, ad_select, min_links, "
        "system priority, primary, primary_reselect, fail_over_mac, arp_interval, "
        "arp_ip_target, ns_ip6_target, arp_missed_max. An option missing on one side because "
        "the mode changed is left to DRIFT-MODE; one hidden from an unprivileged reader is "
        "not compared.\n\nExpected when the window edited the NNCP's options.",
        "Compare with the NNCP's link-aggregation options; revert the edit if it was not planned.",
    ),
    DriftDef(
        "DRIFT-PORTS",
        "A port joined or left the bond",
        "The bond's port list differs: 'ens256 left bond0' means the kernel no longer lists it "
        "as a slave (released, renamed, or its NIC is gone).\n\nExpected when ports were "
        "added, removed or renamed on purpose (NIC replacement, NNCP edit).",
        "Re-enslave the port (fix the NNCP's port list) or find the NIC that disappeared.",
    ),
    DriftDef(
        "DRIFT-ACTIVE-PORT",
        "The active port moved (active-backup, balance-tlb, balance-alb)",
        "The 'Currently Active Slave' differs: a failover happened, or the primary came "
        "back.\n\nExpected after a planned failover test or when the primary's link was "
        "pulled; unexpected otherwise: look for the link that failed (DRIFT-FLAPS, DRIFT-MII).",
        "Find why the previously active port stopped carrying traffic before trusting the bond.",
    ),
    DriftDef(
        "DRIFT-MII",
        "The bond's or a port's MII status changed",
        "The link state the bonding driver sees differs (up -> down, or down -> up).\n\n"
        "Expected when a cable or switch port was worked on and is to stay down; a link that "
        "went down and stayed down after the window is not.",
        "Check the cable, transceiver and switch port of the link that is down.",
    ),
    DriftDef(
        "DRIFT-SPEED",
        "A port's speed or duplex changed",
        "The negotiated speed or duplex of a port differs while the port is up on both sides "
        "(a port that went down shows DRIFT-MII instead).\n\nExpected after a NIC, "
        "transceiver or cable upgrade; a drop (25000 -> 10000, full -> half) usually means "
        "a bad cable or transceiver.",
        "Check the cable and transceiver; ports of one bond should run at one speed.",
    ),
    DriftDef(
        "DRIFT-FLAPS",
        "A port's link failure count grew (or was reset)",
        "The kernel counts every link failure of a port in 'Link Failure Count'. A higher "
        "count means the port failed that many times since the baseline: 'ens224 failed 3 "
        "times since the baseline'. A lower count is not negative flapping: the counter "
        "starts again at 0 when the node reboots, the bonding driver is reloaded or the port "
        "is enslaved anew, and the message says so.\n\nExpected when links were pulled on "
        "purpose during the window (switch firmware, cabling); unexpected growth is a "
        "flapping link.",
        "Check the port's cable, transceiver and switch-side logs for the failures.",
    ),
    DriftDef(
        "DRIFT-PARTNER",
        "The LACP partner of a port changed (system MAC, key or port number)",
        "802.3ad only, compared where both snapshots show the LACP details (a reader with "
        "CAP_NET_ADMIN). A different partner system MAC means a different switch (or switch "
        "pair); a different key a different port-channel; a different port number another "
        "switch port. A partner of 00:00:00:00:00:00 means none answers.\n\nExpected after "
        "recabling to other switches or a switch replacement; otherwise the port is cabled "
        "to the wrong place.",
        "Trace the port's cable to the switch and the port-channel the change record names.",
    ),
    DriftDef(
        "DRIFT-AGGREGATOR",
        "A port changed aggregator, or the active aggregator changed",
        "802.3ad only. The kernel groups ports that share a partner into aggregators and "
        "sends over one of them. A port in another aggregator, or another active aggregator, "
        "follows a partner change, a link that was down, or a re-created bond.\n\nExpected "
        "with DRIFT-PARTNER or after a reboot; on its own, look at LACP-AGGREGATOR in verify.",
        "Run verify: every port should be in the active aggregator with the same partner.",
    ),
    DriftDef(
        "DRIFT-ADDRESSES",
        "An address moved on or off the bond or a port",
        "IPv4 and global IPv6 addresses of the bond and of its ports (link-local addresses are "
        "derived from MACs and not compared). An address that left one interface and "
        "appeared on another is reported once, as moved.\n\nExpected when the window "
        "renumbered the node; an address on a port is never right (PORT-NO-IP).",
        "Put the addresses back on the bond (the NNCP's ipv4/ipv6), none on its ports.",
    ),
    DriftDef(
        "DRIFT-CABLING",
        "A bond port's LLDP neighbour changed: the cable goes elsewhere",
        "The switch (chassis ID) or switch port (port ID) a bond port's LLDP neighbour "
        "reports differs from the baseline, or the neighbour appeared or vanished. Compared "
        "only when both snapshots hold LLDP data (lldp.json, saved when lldpd runs on the "
        "node).\n\nExpected when the window re-cabled the node or replaced a switch.",
        "Compare with the cabling plan (--cabling); put the cable back if the move was not "
        "planned, and update the switch's port-channel if it was.",
    ),
    DriftDef(
        "DRIFT-KERNEL",
        "The kernel release changed",
        "uname -r differs: the node was upgraded and rebooted. Not a problem in itself, but "
        "context for every other drift of the node (counters reset, aggregators renumbered, "
        "a driver with other defaults).\n\nExpected after an OS upgrade.",
        "Nothing to fix when the upgrade was planned; otherwise find who rebooted the node.",
    ),
)

BY_ID: Mapping[str, DriftDef] = {d.id: d for d in DRIFTS}
if len(BY_ID) != len(DRIFTS):  # pragma: no cover - caught by the first test run
    raise ValueError("duplicate drift id in DRIFTS")

#: Every drift ID, in report order.
DRIFT_IDS: tuple[str, ...] = tuple(BY_ID)
