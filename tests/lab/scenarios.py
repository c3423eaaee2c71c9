"""The lab's named scenarios and faults, and how to tell that each one has converged.

A scenario is a guest-side build (`labnet scenario BUILD`), a predicate that says the
kernel has settled, and optionally fault steps applied after that (a cable pulled from a
converged bond is a different picture from a bond built with the cable already out).
Convergence is read from /proc/net/bonding/bond0, never waited for with sleeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.lab import bondproc as bp
from tests.lab.errors import LabError


@dataclass(frozen=True)
class Step:
    """One fault applied to a built scenario (see FAULTS for names and arguments)."""

    fault: str
    kwargs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """A named picture of bond0 and its switch side."""

    name: str
    description: str
    build: str
    ready: bp.Predicate
    steps: tuple[Step, ...] = ()
    settled: bp.Predicate | None = None
    timeout: float = 60.0
    lacp_partner: bool = False  # 802.3ad with a real partner: a replugged port must rejoin
    exact_lacp: bool = True  # fast rate on both sides, so state 63 is reachable


_HEALTHY_LACP = bp.lacp_converged()


def _lacp_fault(
    name: str, description: str, steps: tuple[Step, ...], settled: bp.Predicate
) -> Scenario:
    return Scenario(
        name, description, "healthy-802.3ad", _HEALTHY_LACP, steps, settled, lacp_partner=True
    )


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            "healthy-802.3ad",
            "802.3ad (miimon 100, lacp_rate fast, layer3+4) against an "
            "802.3ad partner bond: one aggregator, both ports state 63",
            "healthy-802.3ad",
            _HEALTHY_LACP,
            lacp_partner=True,
        ),
        Scenario(
            "healthy-active-backup",
            "active-backup (primary ens224, updelay/downdelay 200) behind a bridge",
            "healthy-active-backup",
            bp.links_up(active="ens224"),
        ),
        Scenario(
            "healthy-balance-rr",
            "balance-rr against a balance-rr static LAG",
            "healthy-balance-rr",
            bp.links_up(),
        ),
        Scenario(
            "healthy-balance-xor",
            "balance-xor (layer3+4) against a balance-xor static LAG",
            "healthy-balance-xor",
            bp.links_up(),
        ),
        Scenario(
            "healthy-broadcast",
            "broadcast against a balance-xor static LAG",
            "healthy-broadcast",
            bp.links_up(),
        ),
        Scenario(
            "healthy-balance-tlb",
            "balance-tlb (primary ens224, layer3+4) behind a bridge",
            "healthy-balance-tlb",
            bp.links_up(active="ens224"),
        ),
        Scenario(
            "healthy-balance-alb",
            "balance-alb (primary ens224) behind a bridge",
            "healthy-balance-alb",
            bp.links_up(active="ens224"),
        ),
        _lacp_fault(
            "fault-switch-cable-pull",
            "healthy 802.3ad, then the switch side of ens224 "
            "goes down (carrier loss seen by miimon)",
            (Step("cable-pull", {"port": "ens224"}),),
            bp.lacp_converged(("ens256",)),
        ),
        _lacp_fault(
            "fault-node-port-down",
            "healthy 802.3ad, then `ip link set ens224 down` on the node",
            (Step("port-down", {"port": "ens224"}),),
            bp.lacp_converged(("ens256",)),
        ),
        _lacp_fault(
            "fault-all-cables-pulled",
            "healthy 802.3ad, then both switch-side cables pulled: bond0 MII down",
            (Step("cable-pull", {"port": "ens224"}), Step("cable-pull", {"port": "ens256"})),
            bp.bond_down,
        ),
        _lacp_fault(
            "fault-ip-on-port",
            "healthy 802.3ad, then ens256 also gets 192.168.100.20/24",
            (Step("add-address", {"dev": "ens256", "cidr": "192.168.100.20/24"}),),
            _HEALTHY_LACP,
        ),
        _lacp_fault(
            "fault-port-removed",
            "healthy 802.3ad, then ens256 is released from bond0 (left up, unenslaved)",
            (Step("release", {"port": "ens256"}),),
            bp.lacp_converged(("ens224",)),
        ),
        Scenario(
            "fault-no-lacp-partner",
            "802.3ad node behind a bridge that drops LACPDUs: "
            "partner MAC all zeros, ports in separate aggregators",
            "fault-no-lacp-partner",
            bp.no_partner,
        ),
        Scenario(
            "fault-split-aggregators",
            "802.3ad node cabled to two different 802.3ad "
            "partners (two switch bonds bridged): two aggregators, one active",
            "fault-split-aggregators",
            bp.split_aggregators,
        ),
        Scenario(
            "fault-miimon-0",
            "802.3ad with miimon 0 (no link monitoring) against an 802.3ad partner",
            "fault-miimon-0",
            _HEALTHY_LACP,
            lacp_partner=True,
        ),
        Scenario(
            "fault-slow-rate-layer2",
            "802.3ad with lacp_rate slow and xmit_hash_policy layer2 (actor state 61, never 63)",
            "fault-slow-rate-layer2",
            bp.lacp_converged(exact=False),
            timeout=90.0,
            lacp_partner=True,
            exact_lacp=False,
        ),
        Scenario(
            "fault-wrong-primary",
            "active-backup with primary ens256 instead of ens224",
            "fault-wrong-primary",
            bp.links_up(active="ens256"),
        ),
        Scenario(
            "fault-no-bond",
            "no bond0 at all: ens224/ens256 up as plain interfaces",
            "fault-no-bond",
            bp.bond_absent,
        ),
    )
}

# name -> (argument names in guest order, what the kernel shows once it took effect)
FAULTS: dict[str, tuple[tuple[str, ...], str]] = {
    "cable-pull": (("port",), "switch side of PORT down; PORT MII down"),
    "cable-plug": (("port",), "switch side of PORT up; PORT MII up (and LACP rejoin)"),
    "port-down": (("port",), "ip link set PORT down on the node; PORT MII down"),
    "port-up": (("port",), "ip link set PORT up on the node; PORT MII up (and rejoin)"),
    "add-address": (("dev", "cidr"), "ip addr add CIDR dev DEV"),
    "del-address": (("dev", "cidr"), "ip addr del CIDR dev DEV"),
    "release": (("port",), "PORT released from bond0 (left up)"),
    "enslave": (("port",), "PORT enslaved to bond0 again (and LACP rejoin)"),
}


def scenario(name: str) -> Scenario:
    """Look a scenario up, with the list of known names in the error."""
    try:
        return SCENARIOS[name]
    except KeyError:
        raise LabError(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}") from None


def fault_args(name: str, kwargs: dict[str, str]) -> list[str]:
    """The guest argument list of a fault, validated against its declared arguments."""
    if name not in FAULTS:
        raise LabError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    names = FAULTS[name][0]
    if set(kwargs) != set(names):
        raise LabError(f"fault {name} takes {', '.join(names)}; got {', '.join(kwargs) or '-'}")
    return [str(kwargs[n]) for n in names]


def fault_effect(name: str, kwargs: dict[str, str], spec: Scenario | None) -> bp.Predicate | None:
    """What /proc must show once the fault took effect (None: nothing to wait for)."""
    port = kwargs.get("port", "")
    rejoin = spec is not None and spec.lacp_partner
    if name in ("cable-pull", "port-down"):
        return bp.port_mii(port, "down")
    if name in ("cable-plug", "port-up", "enslave"):
        if rejoin and spec is not None:
            return bp.lacp_converged((port,), exact=spec.exact_lacp)
        return bp.port_mii(port, "up")
    if name == "release":
        return bp.port_absent(port)
    return None
