"""Proof of recovery: has the port rejoined, and is the bond as it was before the test?

Rejoined means MII up and, for 802.3ad, back in the active aggregator with the same partner
system as before the pull and with the sync, collecting and distributing bits set on both
sides. The state need not be exactly 63: with ``lacp_rate slow`` the remaining bits converge
on a 30 s cycle, and the three bits are what decide whether the port carries traffic.

After the test the node is judged again and compared with its state before: the same check
verdicts and the same key fields. Link failure counts may grow (the pull is a link failure)
and, in active-backup without a primary, the active port may legitimately stay where the
failover moved it; nothing else may differ. Pure functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bondcheck.failover.plan import IN_SYNC, LACP, active_aggregator, partner_of, port_problem
from bondcheck.model import CheckResult, ObservedBond


def rejoin_problem(bond: ObservedBond, port: str, partner_before: str | None) -> str | None:
    """Why ``port`` has not rejoined ``bond`` yet; None once it has."""
    observed = bond.port(port)
    if observed is None:
        return f"{port} is no longer a port of the bond"
    if observed.mii_status != "up":
        return f"{port} MII status is {observed.mii_status}"
    if bond.mode != LACP:
        return None
    problem = port_problem(bond, observed)
    if problem:
        return f"{port}: {problem}"
    partner = partner_of(bond, observed)
    if partner_before and partner != partner_before:
        return f"{port} sees partner {partner}, not {partner_before} as before the test"
    return None


def bond_partner(bond: ObservedBond) -> str | None:
    """The partner system of the active aggregator (802.3ad), None otherwise."""
    if bond.mode != LACP or bond.ad_info is None:
        return None
    return bond.ad_info.partner_mac


def key_fields(bond: ObservedBond) -> dict[str, Any]:
    """The parsed fields that must be identical before and after a successful test."""
    active = active_aggregator(bond)
    fields: dict[str, Any] = {
        "mode": bond.mode,
        "mii_status": bond.mii_status,
        "miimon_ms": bond.miimon_ms,
        "updelay_ms": bond.updelay_ms,
        "downdelay_ms": bond.downdelay_ms,
        "xmit_hash_policy": bond.xmit_hash_policy,
        "lacp_rate": bond.lacp_rate,
        "primary": bond.primary,
        "ports": [p.name for p in bond.ports],
    }
    if bond.mode == LACP:
        fields["partner_mac"] = bond_partner(bond)
        fields["aggregator_ports"] = bond.ad_info.num_ports if bond.ad_info else None
    if bond.primary and bond.primary_reselect in (None, "always"):
        fields["active_port"] = bond.active_port  # the primary must be active again
    for p in bond.ports:
        entry: dict[str, Any] = {
            "mii_status": p.mii_status,
            "speed_mbps": p.speed_mbps,
            "duplex": p.duplex,
            "perm_hwaddr": p.perm_hwaddr,
        }
        if bond.mode == LACP:
            entry["in_active_aggregator"] = active is not None and p.aggregator_id == active
            entry["partner_mac"] = partner_of(bond, p)
            for side, state in (("actor", p.actor_port_state), ("partner", p.partner_port_state)):
                entry[f"{side}_in_sync"] = None if state is None else state & IN_SYNC == IN_SYNC
        fields[f"port:{p.name}"] = entry
    return fields


def _diff(prefix: str, before: Any, after: Any) -> list[str]:
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[str] = []
        for key in sorted(set(before) | set(after), key=str):
            out += _diff(f"{prefix}.{key}" if prefix else str(key), before.get(key), after.get(key))
        return out
    return [] if before == after else [f"{prefix}: {before!r} before, {after!r} after"]


#: Checks whose verdict follows the link failure counts, which a pull raises by design.
GROWS_WITH_PULLS = frozenset({"PORT-FLAPPING"})


def verdicts(results: Sequence[CheckResult]) -> dict[str, str]:
    """Check verdicts keyed by check/bond/port, for a before/after comparison."""
    out: dict[str, str] = {}
    for r in results:
        if r.check in GROWS_WITH_PULLS:
            continue
        key = "/".join(x for x in (r.check, r.bond or "", r.port or "") if x)
        out[key] = r.status.value
    return out


def state_differences(
    before: ObservedBond,
    after: ObservedBond,
    results_before: Sequence[CheckResult],
    results_after: Sequence[CheckResult],
) -> list[str]:
    """What differs between the state before and after the test (empty: nothing)."""
    diffs = _diff("", key_fields(before), key_fields(after))
    vb, va = verdicts(results_before), verdicts(results_after)
    for key in sorted(set(vb) | set(va)):
        if vb.get(key) != va.get(key):
            was, now = vb.get(key, "absent"), va.get(key, "absent")
            diffs.append(f"check {key}: {was} before, {now} after")
    for p in before.ports:
        q = after.port(p.name)
        if q is None or p.link_failure_count is None or q.link_failure_count is None:
            continue
        if q.link_failure_count < p.link_failure_count:
            diffs.append(
                f"port:{p.name}.link_failure_count went down ({p.link_failure_count} -> "
                f"{q.link_failure_count}): the port was re-enslaved"
            )
    return diffs
