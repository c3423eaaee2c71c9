"""The check catalog: every check, in the documented order, and how to look one up.

The order is the order of the check table in the design (BOND-PRESENT ... POLICY-ENACTMENT),
followed by the checks added since (PORT-FLAPPING, LACP-CHURN) and the judge's own
EVIDENCE-PARSE. It is the order of ``bondcheck checks``, of the results of a node, and of
docs/checks.md. Adding a check is one function in a topic module and one line here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bondcheck.checks.addressing import bond_ip, port_no_ip
from bondcheck.checks.base import CheckDef
from bondcheck.checks.enactment import policy_enactment
from bondcheck.checks.evidence import evidence_parse
from bondcheck.checks.flapping import port_flapping
from bondcheck.checks.lacp import lacp_aggregator, lacp_partner, lacp_same_partner
from bondcheck.checks.lacp_health import lacp_churn, lacp_port_state, lacp_rate, lacp_visibility
from bondcheck.checks.lldp import lldp_cabling, lldp_distinct_switch, lldp_neighbor
from bondcheck.checks.mii import bond_mii, port_mii
from bondcheck.checks.mode_options import bond_mode, bond_options
from bondcheck.checks.ports import port_enslaved, port_speed, port_unexpected
from bondcheck.checks.presence import bond_present

CATALOG: tuple[CheckDef, ...] = (
    bond_present,
    bond_mode,
    bond_options,
    bond_mii,
    port_enslaved,
    port_unexpected,
    port_mii,
    port_no_ip,
    port_speed,
    bond_ip,
    lacp_partner,
    lacp_aggregator,
    lacp_same_partner,
    lacp_port_state,
    lacp_rate,
    lacp_visibility,
    policy_enactment,
    port_flapping,
    lacp_churn,
    lldp_neighbor,
    lldp_distinct_switch,
    lldp_cabling,
    evidence_parse,
)

BY_ID: Mapping[str, CheckDef] = {c.id: c for c in CATALOG}
if len(BY_ID) != len(CATALOG):  # pragma: no cover - caught by the first test run
    raise ValueError("duplicate check id in CATALOG")

#: Every ID ``--only``/``--skip``/``explain`` accept, in catalog order.
CHECK_IDS: tuple[str, ...] = tuple(BY_ID)


def selected(only: Iterable[str] = (), skip: Iterable[str] = ()) -> list[CheckDef]:
    """The checks to run under --only / --skip (IDs are case-insensitive), in catalog order.

    Evidence-scope checks are never run: the judge reports them whatever the selection.
    """
    only_set = {c.upper() for c in only}
    skip_set = {c.upper() for c in skip}
    return [
        c
        for c in CATALOG
        if c.scope != "evidence" and (not only_set or c.id in only_set) and c.id not in skip_set
    ]
