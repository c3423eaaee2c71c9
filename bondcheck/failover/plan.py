"""What to pull and whether it is safe to: the failover test's pre-check rules.

Everything here is a pure function of parsed evidence, so the rules are unit-tested on
fixtures and apply identically whichever transport read the node. A rule that says no is a
*refusal* (exit 4): nothing on the node is changed.

The rules, in the order a refusal names them:

* the node passes ``verify`` for the bond (no FAIL or ERROR result for it);
* the port is enslaved to the bond, administratively up and MII up (pulling a port that is
  already down proves nothing);
* at least one OTHER port is *working*: MII up and, for 802.3ad, in the active aggregator with
  a partner and synchronised (sync + collecting + distributing) - the last working port is
  never pulled, whatever the operator asks;
* 802.3ad ``min_links``: the working ports left must still satisfy it, or the bond's carrier
  would drop;
* 802.3ad needs the privileged view of /proc/net/bonding (LACP state is otherwise unknown).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bondcheck.errors import InputError
from bondcheck.failover.iplink import LinkStats
from bondcheck.ifname import ifname_problem
from bondcheck.model import CheckResult, ObservedBond, ObservedPort, Policy, Status
from bondcheck.vocabulary import is_zero_mac

LACP = "802.3ad"
SYNC, COLLECTING, DISTRIBUTING = 0x08, 0x10, 0x20
IN_SYNC = SYNC | COLLECTING | DISTRIBUTING


@dataclass(frozen=True)
class Timing:
    """How long each phase lasts; checked so the restore timer can never cut the pull short."""

    pull_seconds: float = 5.0
    restore_after: int = 30
    rejoin_timeout: float = 60.0
    lead_seconds: float = 0.5  # probe baseline before the pull
    margin_seconds: float = 5.0  # restore_after must exceed the pull by at least this much

    def problems(self) -> list[str]:
        out: list[str] = []
        if not 0.5 <= self.pull_seconds <= 600:
            out.append("--pull-seconds must be between 0.5 and 600")
        if not 2 <= self.restore_after <= 3600:
            out.append("--restore-after must be between 2 and 3600 seconds")
        elif self.restore_after < self.lead_seconds + self.pull_seconds + self.margin_seconds:
            out.append(
                f"--restore-after ({self.restore_after} s) must exceed --pull-seconds "
                f"({self.pull_seconds:g} s) by at least {self.margin_seconds:g} s, so the "
                "restore timer never ends the pull early"
            )
        if not 1 <= self.rejoin_timeout <= 3600:
            out.append("--rejoin-timeout must be between 1 and 3600 seconds")
        return out


def active_aggregator(bond: ObservedBond) -> int | None:
    return bond.ad_info.aggregator_id if bond.ad_info else None


def partner_of(bond: ObservedBond, port: ObservedPort) -> str | None:
    """The partner system MAC a port sees (per-port details, else the bond's aggregator)."""
    mac = port.partner_mac
    if mac is None and bond.ad_info and port.aggregator_id == active_aggregator(bond):
        mac = bond.ad_info.partner_mac
    return mac


def port_problem(bond: ObservedBond, port: ObservedPort) -> str | None:
    """Why ``port`` is not carrying traffic for ``bond`` right now; None when it is."""
    if port.mii_status != "up":
        return f"MII status {port.mii_status}"
    if bond.mode != LACP:
        return None
    active = active_aggregator(bond)
    if active is None:
        return "the bond has no active aggregator"
    if port.aggregator_id != active:
        return f"in aggregator {port.aggregator_id}, not the active aggregator {active}"
    mac = partner_of(bond, port)
    if mac is None or is_zero_mac(mac):
        return "no LACP partner"
    for side, state in (("actor", port.actor_port_state), ("partner", port.partner_port_state)):
        if state is not None and state & IN_SYNC != IN_SYNC:
            return f"{side} state {state} lacks sync+collecting+distributing"
    return None


def working_ports(bond: ObservedBond, exclude: Iterable[str] = ()) -> list[str]:
    skip = set(exclude)
    return [p.name for p in bond.ports if p.name not in skip and port_problem(bond, p) is None]


def verify_failures(results: Sequence[CheckResult], bond: str) -> list[CheckResult]:
    """Results that make the node fail ``verify`` for ``bond`` (node-wide ones count too)."""
    return [
        r for r in results if r.status in (Status.FAIL, Status.ERROR) and r.bond in (bond, None)
    ]


def refusal_reasons(
    bond_name: str,
    bond: ObservedBond | None,
    port: str,
    results: Sequence[CheckResult],
    port_link: LinkStats | None = None,
) -> list[str]:
    """Every reason not to pull ``port`` of ``bond_name``; empty means it is safe."""
    reasons = [
        f"verify fails for {bond_name}: {r.check}"
        + (f" ({r.port})" if r.port else "")
        + f": {r.message}"
        for r in verify_failures(results, bond_name)
    ]
    if bond is None:
        return [*reasons, f"{bond_name} does not exist on the node"]
    if bond.mode == LACP and bond.privileged_view is False:
        reasons.append(
            "LACP state of the bond is not visible (no CAP_NET_ADMIN): cannot prove the other "
            "ports are in the active aggregator"
        )
    observed = bond.port(port)
    if observed is None:
        names = ", ".join(p.name for p in bond.ports) or "none"
        return [*reasons, f"{port} is not a port of {bond_name} (ports: {names})"]
    if port_link is not None and not port_link.admin_up:
        reasons.append(f"{port} is administratively down already")
    problem = port_problem(bond, observed)
    if problem:
        reasons.append(f"{port} is not working before the test ({problem})")
    others = working_ports(bond, exclude=[port])
    if not others:
        detail = "; ".join(
            f"{p.name}: {port_problem(bond, p)}" for p in bond.ports if p.name != port
        )
        reasons.append(
            f"pulling {port} would leave {bond_name} without a working port"
            + (f" ({detail})" if detail else " (it is the only port)")
        )
    elif bond.mode == LACP and bond.min_links and len(others) < bond.min_links:
        reasons.append(
            f"min_links is {bond.min_links}: with {port} pulled only {len(others)} working "
            f"port(s) remain and {bond_name} would lose carrier"
        )
    return reasons


def checked_ports(ports: Iterable[str]) -> tuple[str, ...]:
    """Validate ``--port`` names before anything reaches a node (InputError otherwise)."""
    names = tuple(dict.fromkeys(ports))
    for name in names:
        problem = ifname_problem(name)
        if problem:
            raise InputError(f"--port {name!r} {problem}")
    return names


def choose_bonds(policy: Policy, bond: str | None, ports: Sequence[str]) -> tuple[str, ...]:
    """Which of the policy's bonds the test covers.

    ``--bond`` picks one; otherwise a one-bond policy needs no choice, and with ``--port`` the
    bonds that list those ports are used. Anything else is ambiguous: a usage error rather
    than a guess about which links to pull.
    """
    names = [b.name for b in policy.bonds if b.state == "up"]
    if bond is not None:
        if bond not in names:
            raise InputError(
                f"--bond {bond}: policy {policy.name} has no bond of that name "
                f"(bonds: {', '.join(names) or 'none'})"
            )
        return (bond,)
    if not names:
        raise InputError(f"policy {policy.name} defines no bond in state up")
    if len(names) == 1:
        return (names[0],)
    if ports:
        chosen = [b.name for b in policy.bonds if b.name in names and set(b.ports) & set(ports)]
        if chosen:
            return tuple(chosen)
    raise InputError(
        f"policy {policy.name} has several bonds ({', '.join(names)}): choose one with --bond"
    )


def ports_to_pull(
    bond: ObservedBond, requested: Sequence[str], expected: Sequence[str]
) -> list[str]:
    """The ports to pull in turn: the requested ones, else every port of the bond.

    The node's own port list is used (in kernel order) so a port the policy forgot is tested
    too; the policy's ports that the node lacks are kept so the pre-check refuses them with a
    reason instead of silently skipping them.
    """
    if requested:
        return list(requested)
    names = [p.name for p in bond.ports]
    return names + [p for p in expected if p not in names]
