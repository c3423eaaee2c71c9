"""The check catalog: every check module, registered in the documented order.

The order is the order of the check table in the design (BOND-PRESENT ... POLICY-ENACTMENT),
followed by the checks added since (PORT-FLAPPING, LACP-CHURN). It is the order of
``bondcheck checks``, of the results of a node, and of docs/checks.md, so it lives in one
place here instead of depending on which module happens to be imported first.
"""

from __future__ import annotations

from bondcheck.checks.addressing import bond_ip, port_no_ip
from bondcheck.checks.base import CheckDef
from bondcheck.checks.enactment import policy_enactment
from bondcheck.checks.flapping import port_flapping
from bondcheck.checks.lacp import lacp_aggregator, lacp_partner, lacp_same_partner
from bondcheck.checks.lacp_health import lacp_churn, lacp_port_state, lacp_rate, lacp_visibility
from bondcheck.checks.mii import bond_mii, port_mii
from bondcheck.checks.mode_options import bond_mode, bond_options
from bondcheck.checks.ports import port_enslaved, port_speed, port_unexpected
from bondcheck.checks.presence import bond_present
from bondcheck.checks.registry import register

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
)

for _check in CATALOG:
    register(_check)
