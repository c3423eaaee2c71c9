"""The probe: how the node's ``ping`` is run (PingSpec), and its figures from the output -
probes lost and the largest gap between replies.

The probe runs on the node itself (``ping`` to the target through the bond) so the figures
describe the node's own view of the outage, not the operator's laptop. Two output dialects
are read:

* iputils ``ping -D``: every reply line starts with ``[epoch.micro]``, the moment the reply
  was received. The largest gap is the longest time between two consecutive received
  replies, which is exactly the outage an application on the node would have seen.
* iputils without ``-D`` and busybox ``ping`` (``seq=`` instead of ``icmp_seq=``): no
  timestamps, so the gap is the jump in sequence numbers times the probe interval - accurate
  to one interval, which is why ``-D`` is preferred wherever the node's ping supports it.

Sequence numbers are 16 bits on the wire and wrap; they are unwrapped before use. Duplicate
replies (``DUP!``) are ignored. Lost probes are the holes in the received sequence plus any
probes the summary says were sent after the last reply, minus one: the probe is stopped with
a signal, so the last request may still be in flight and is not counted as lost.

Everything here is pure: text in, figures out.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
import shlex
from dataclasses import dataclass

_TS = r"(?:\[(?P<ts>\d+(?:\.\d+)?)\]\s*)?"
_REPLY = re.compile(
    _TS + r"\d+ bytes from (?P<src>[^:]+): (?:icmp_seq|seq)=(?P<seq>\d+)"
    r"(?:.*?time[=<](?P<rtt>[\d.]+)\s*ms)?(?P<rest>.*)$"
)
_ERROR = re.compile(
    _TS + r"From (?P<src>\S+)(?: \([^)]*\))?:? (?:icmp_seq|seq)=(?P<seq>\d+) (?P<why>.+)$"
)
_SUMMARY = re.compile(
    r"(?P<tx>\d+) packets transmitted, (?P<rx>\d+) (?:packets )?received"
    r"(?:, \+(?P<dup>\d+) duplicates)?(?:, \+(?P<err>\d+) errors)?"
)

_WRAP = 1 << 16


@dataclass(frozen=True)
class Reply:
    """One echo reply: its unwrapped sequence number and, with ``-D``, when it arrived."""

    seq: int
    at: float | None = None  # seconds since the epoch, node clock


@dataclass(frozen=True)
class PingRun:
    """What one ping run printed, parsed."""

    replies: tuple[Reply, ...] = ()
    transmitted: int | None = None  # from the summary line, when ping printed one
    received: int | None = None
    errors: tuple[str, ...] = ()  # "From ... icmp_seq=N Destination Host Unreachable", verbatim
    other: tuple[str, ...] = ()  # lines that are neither replies nor known chatter

    @property
    def timestamped(self) -> bool:
        return bool(self.replies) and all(r.at is not None for r in self.replies)


@dataclass(frozen=True)
class ProbeFigures:
    """The numbers a failover report shows for one pull."""

    sent: int
    received: int
    lost: int
    max_gap_ms: float | None  # None when fewer than two replies arrived
    gap_source: str  # "timestamps" (ping -D) or "sequence" (seq jump x interval)
    interval_s: float
    first_reply_at: float | None = None
    last_reply_at: float | None = None


def _unwrap(raw: list[int]) -> list[int]:
    """Undo the 16-bit wrap of sequence numbers, keeping their order of arrival."""
    out: list[int] = []
    offset = 0
    prev: int | None = None
    for value in raw:
        if prev is not None and value + offset < prev - _WRAP // 2:
            offset += _WRAP
        current = value + offset
        out.append(current)
        prev = current
    return out


def parse_ping(text: str) -> PingRun:
    """Parse the output of iputils or busybox ``ping`` (with or without ``-D``).

    Unknown lines are kept in ``other`` rather than rejected: ping prints warnings (``ping:
    -i interval too short``, ``WARNING: ...``) that the caller may want to show.
    """
    raw: list[tuple[int, float | None]] = []
    seen: set[int] = set()
    errors: list[str] = []
    other: list[str] = []
    transmitted = received = None
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        match = _REPLY.match(line)
        if match:
            if "DUP!" in (match["rest"] or ""):
                continue
            seq = int(match["seq"])
            raw.append((seq, float(match["ts"]) if match["ts"] else None))
            continue
        summary = _SUMMARY.search(line)
        if summary:
            transmitted, received = int(summary["tx"]), int(summary["rx"])
            continue
        if _ERROR.match(line):
            errors.append(line)
            continue
        if line.startswith(("PING ", "---", "rtt ", "round-trip ")):
            continue
        other.append(line)
    seqs = _unwrap([seq for seq, _ in raw])
    replies: list[Reply] = []
    for seq, (_, ts) in zip(seqs, raw, strict=True):
        if seq in seen:  # a duplicate printed without the DUP! mark (never seen, but cheap)
            continue
        seen.add(seq)
        replies.append(Reply(seq=seq, at=ts))
    return PingRun(
        replies=tuple(replies),
        transmitted=transmitted,
        received=received,
        errors=tuple(errors),
        other=tuple(other),
    )


def first_seq(run: PingRun) -> int:
    """The number ping gives its first probe: 1 for iputils, 0 for busybox.

    Told apart by the lowest sequence seen; a run whose first replies were all lost is
    assumed to be iputils-style when its lowest seq is above 0, which can only overcount
    the loss by one probe.
    """
    if any(r.seq == 0 for r in run.replies):
        return 0
    return 1


def figures(run: PingRun, interval_s: float) -> ProbeFigures:
    """Lost probes and the largest gap between consecutive received replies."""
    if interval_s <= 0:
        raise ValueError("interval must be positive")
    replies = sorted(run.replies, key=lambda r: r.seq)
    received = len(replies)
    if not replies:
        sent = run.transmitted or 0
        return ProbeFigures(sent, 0, sent, None, "sequence", interval_s)
    base = first_seq(run)
    highest = replies[-1].seq
    span = highest - base + 1  # probes sent up to the last one answered
    holes = span - received
    sent = span
    if run.transmitted is not None and run.transmitted > span:
        trailing = run.transmitted - span
        holes += max(0, trailing - 1)  # the last probe may be in flight when ping stops
        sent = span + max(0, trailing - 1)
    first_at: float | None = None
    last_at: float | None = None
    if run.timestamped:
        times = sorted(r.at for r in replies if r.at is not None)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        max_gap = max(gaps) * 1000.0 if gaps else None
        source = "timestamps"
        first_at, last_at = times[0], times[-1]
    else:
        jumps = [b.seq - a.seq for a, b in itertools.pairwise(replies)]
        max_gap = max(jumps) * interval_s * 1000.0 if jumps else None
        source = "sequence"
    return ProbeFigures(
        sent=sent,
        received=received,
        lost=holes,
        max_gap_ms=round(max_gap, 3) if max_gap is not None else None,
        gap_source=source,
        interval_s=interval_s,
        first_reply_at=first_at,
        last_reply_at=last_at,
    )


def replies_between(run: PingRun, start: float, end: float) -> int | None:
    """How many replies arrived in [start, end) by the node clock; None without ``-D``."""
    if not run.timestamped:
        return None
    return sum(1 for r in run.replies if r.at is not None and start <= r.at < end)


def interval_refused(text: str) -> bool:
    """True when ping refused the interval as too short for this user (needs root)."""
    lowered = text.lower()
    return any(
        phrase in lowered
        for phrase in ("cannot flood", "minimal interval", "interval too short", "too short")
    )


def option_refused(text: str) -> bool:
    """True when ping rejected an option it does not know (busybox has no ``-D``)."""
    lowered = text.lower()
    return any(phrase in lowered for phrase in ("invalid option", "unrecognized option", "usage:"))


# ------------------------------------------------------------------------------ the command


def decimal(value: float) -> str:
    """A number as ``sleep``/``ping`` read it: no exponent, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def checked_target(target: str) -> str:
    """The probe target as a canonical IP address; ValueError for anything else."""
    try:
        address = ipaddress.ip_address(target.strip())
    except ValueError:
        raise ValueError(f"probe target {target!r} is not an IP address") from None
    return str(address)


@dataclass(frozen=True)
class PingSpec:
    """How the node's ``ping`` is run: the target and what this ping build supports."""

    target: str
    interval_s: float = 0.01
    timestamps: bool = True  # iputils -D
    numeric: bool = True  # iputils -n (busybox has no -n and is always numeric)

    def argv(self, *, deadline_s: int | None = None, count: int | None = None) -> list[str]:
        args = ["ping"]
        if self.numeric:
            args.append("-n")
        if self.timestamps:
            args.append("-D")
        args += ["-i", decimal(self.interval_s)]
        if count is not None:
            args += ["-c", str(count)]
        if deadline_s is not None:
            args += ["-w", str(deadline_s)]
        args.append(checked_target(self.target))
        return args

    def command(self, *, deadline_s: int | None = None, count: int | None = None) -> str:
        return " ".join(shlex.quote(a) for a in self.argv(deadline_s=deadline_s, count=count))
