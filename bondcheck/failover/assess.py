"""Turning what was measured during a pull into a verdict: every assertion, in one place.

A failover passes when, with one port pulled, the bond stayed up, the pull really took the
port out, the remaining ports carried the probe traffic (their packet counters rose), the
active port moved off the pulled one (active-backup), the probe saw no outage longer than
the limit; and afterwards the port rejoined within the timeout and the node verifies exactly
as before. Each failed assertion is one line in ``problems``; the first is the headline.
Pure: the runner gathers the data, this module judges it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bondcheck.failover.iplink import LinkStats
from bondcheck.failover.plan import port_problem
from bondcheck.failover.probe import PingRun, ProbeFigures, replies_between
from bondcheck.model import ObservedBond

_ACTIVE_MODES = ("active-backup", "balance-tlb", "balance-alb")


@dataclass(frozen=True)
class Limits:
    """Thresholds an operator may set; None means report the figure without judging it."""

    max_gap_ms: float | None = 1000.0
    max_lost: int | None = None


@dataclass(frozen=True)
class Measured:
    """Everything the runner observed for one port, in node-clock seconds."""

    bond: str
    port: str
    before: ObservedBond | None
    during: ObservedBond | None
    links_before: Mapping[str, LinkStats] = field(default_factory=dict)
    links_during: Mapping[str, LinkStats] = field(default_factory=dict)
    t_before: float | None = None
    t_during: float | None = None
    probe: ProbeFigures | None = None
    ping: PingRun | None = None
    probe_ended_early: bool = False
    pull_rc: str | None = "0"
    pull_output: str = ""
    rejoin_ms: float | None = None
    rejoined: bool = False
    rejoin_problem: str | None = None  # the last reason the port had not rejoined
    rejoin_timeout_s: float = 60.0
    state_differences: Sequence[str] | None = None  # None: the final state was not read


@dataclass(frozen=True)
class Assessment:
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    counters: dict[str, dict[str, int | None]]
    active_before: str | None
    active_during: str | None


def _delta(before: LinkStats | None, after: LinkStats | None, attr: str) -> int | None:
    if before is None or after is None:
        return None
    a, b = getattr(before, attr), getattr(after, attr)
    if a is None or b is None:
        return None
    return b - a


def counter_deltas(m: Measured) -> dict[str, dict[str, int | None]]:
    """Packet counter increases per watched port between the two snapshots."""
    out: dict[str, dict[str, int | None]] = {}
    for name in sorted(set(m.links_before) | set(m.links_during)):
        before, after = m.links_before.get(name), m.links_during.get(name)
        out[name] = {
            "rx_packets": _delta(before, after, "rx_packets"),
            "tx_packets": _delta(before, after, "tx_packets"),
        }
    return out


def _during_problems(m: Measured) -> list[str]:
    problems: list[str] = []
    during = m.during
    if during is None:
        return [f"the state of {m.bond} while {m.port} was down could not be read"]
    if during.mii_status != "up":
        problems.append(f"{m.bond} went down (MII {during.mii_status}) while {m.port} was pulled")
    pulled = during.port(m.port)
    if pulled is not None and pulled.mii_status == "up":
        problems.append(f"the pull did not take {m.port} down (its MII status stayed up)")
    remaining = [p for p in during.ports if p.name != m.port]
    working = [p.name for p in remaining if port_problem(during, p) is None]
    if not working:
        detail = "; ".join(f"{p.name}: {port_problem(during, p)}" for p in remaining)
        problems.append(
            f"no other port carried {m.bond} while {m.port} was down"
            + (f" ({detail})" if detail else "")
        )
    return problems


def _traffic_problems(m: Measured, counters: Mapping[str, Mapping[str, int | None]]) -> list[str]:
    remaining = [n for n in counters if n != m.port]
    if not remaining:
        return ["the packet counters of the remaining ports could not be read"]
    rx = [counters[n]["rx_packets"] for n in remaining]
    tx = [counters[n]["tx_packets"] for n in remaining]
    if any(v is None for v in rx + tx):
        return ["the packet counters of the remaining ports could not be read"]
    rx_sum = sum(v for v in rx if v is not None)
    tx_sum = sum(v for v in tx if v is not None)
    problems: list[str] = []
    if rx_sum <= 0 or tx_sum <= 0:
        problems.append(
            f"the remaining ports ({', '.join(remaining)}) did not carry traffic while "
            f"{m.port} was down (rx +{rx_sum}, tx +{tx_sum} packets)"
        )
    elif m.ping is not None and m.t_before is not None and m.t_during is not None:
        replies = replies_between(m.ping, m.t_before, m.t_during)
        if replies is not None and replies >= 20 and min(rx_sum, tx_sum) < replies // 2:
            problems.append(
                f"{replies} probe replies arrived while {m.port} was down but the remaining "
                f"ports only counted rx +{rx_sum}, tx +{tx_sum} packets"
            )
    return problems


def _active_problems(m: Measured) -> tuple[list[str], str | None, str | None]:
    before = m.before.active_port if m.before else None
    during = m.during.active_port if m.during else None
    known = m.before or m.during
    mode = known.mode if known is not None else None
    if mode not in _ACTIVE_MODES:
        return [], before, during
    problems: list[str] = []
    if during is None:
        problems.append(f"{m.bond} had no active port while {m.port} was down")
    elif during == m.port:
        problems.append(f"{m.port} stayed the active port although it was pulled")
    return problems, before, during


def _probe_problems(m: Measured, limits: Limits) -> list[str]:
    probe = m.probe
    if probe is None:
        return ["the probe produced no output"]
    problems: list[str] = []
    if probe.received == 0:
        problems.append("no probe reply arrived at all: the target did not answer during the test")
    if m.probe_ended_early:
        other = m.ping.other if m.ping else ()
        why = f" ({other[-1]})" if other else ""
        problems.append(f"the probe stopped before the test ended{why}: traffic was interrupted")
    gap, limit = probe.max_gap_ms, limits.max_gap_ms
    if limit is not None and gap is not None and gap > limit:
        problems.append(f"largest gap between probe replies {gap:.0f} ms (limit {limit:.0f} ms)")
    if limits.max_lost is not None and probe.lost > limits.max_lost:
        problems.append(f"{probe.lost} probes lost (limit {limits.max_lost})")
    return problems


def assess(m: Measured, limits: Limits) -> Assessment:
    """Every failed assertion about one pull, and the figures the report shows."""
    problems: list[str] = []
    notes: list[str] = []
    if m.pull_rc not in (None, "0"):
        problems.append(
            f"`ip link set {m.port} down` failed (rc={m.pull_rc})"
            + (f": {m.pull_output.splitlines()[0][:160]}" if m.pull_output.strip() else "")
        )
    problems += _during_problems(m)
    counters = counter_deltas(m)
    problems += _traffic_problems(m, counters)
    active, before, during = _active_problems(m)
    problems += active
    problems += _probe_problems(m, limits)
    if not m.rejoined:
        why = f": {m.rejoin_problem}" if m.rejoin_problem else ""
        problems.append(f"{m.port} did not rejoin within {m.rejoin_timeout_s:g} s{why}")
    if m.state_differences is None:
        if m.rejoined:
            problems.append("the final state of the node could not be verified")
    elif m.state_differences:
        problems.append(
            "the node differs from its state before the test: " + "; ".join(m.state_differences)
        )
    return Assessment(
        problems=tuple(problems),
        notes=tuple(notes),
        counters=counters,
        active_before=before,
        active_during=during,
    )
