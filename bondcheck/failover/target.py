"""The probe target: is it reached through the bond, does it answer, and how to ping it.

One read-only round trip: ``ip -j route get TARGET`` names the device traffic leaves by
(which must be the bond or a device stacked on it, or the probe proves nothing), then the
node's ``ping`` is tried in the best flavour first - iputils with ``-D`` timestamps at 10 ms,
then busybox style, then 200 ms for a ping that refuses short intervals - stopping at the
first flavour that runs. A flavour that runs but gets no reply means the target is down.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bondcheck.errors import ParseError
from bondcheck.failover.iplink import route_device
from bondcheck.failover.node import RootShell, Script, Section, new_nonce
from bondcheck.failover.probe import (
    PingSpec,
    checked_target,
    interval_refused,
    option_refused,
    parse_ping,
)

#: (numeric -n, timestamps -D, interval): iputils first, then busybox style; 10 ms first.
PING_FLAVOURS: tuple[tuple[bool, bool, float], ...] = (
    (True, True, 0.01),
    (False, False, 0.01),
    (True, True, 0.2),
    (False, False, 0.2),
)


@dataclass(frozen=True)
class TargetCheck:
    device: str | None  # the device ``ip route get`` names
    ping: PingSpec | None
    problem: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def target_script(target: str, nonce: str) -> Script:
    """Route lookup plus ping flavours in order, stopping at the first one that runs."""
    target = checked_target(target)
    s = Script(nonce, "stop=''")
    s.section("route", f"ip -j route get {target}")
    for index, (numeric, timestamps, interval) in enumerate(PING_FLAVOURS):
        spec = PingSpec(target, interval_s=interval, timestamps=timestamps, numeric=numeric)
        s.add('if [ -z "$stop" ]; then')
        s.section(
            f"ping:{index}",
            f"o=$({spec.command(count=3, deadline_s=3)} 2>&1); r=$?",
            "printf '%s\\n' \"$o\"",
            'case "$o" in *"bytes from"*) stop=1;; '
            "*nvalid\\ option*|*nrecognized*|*sage:*|*nterval*|*flood*|*too\\ short*) ;; "
            "*) stop=1;; esac",
            '[ "$r" = 0 ]',
            indent="  ",
        )
        s.add("fi")
    return s


def parse_target(sections: Mapping[str, Section], target: str) -> TargetCheck:
    """The first ping flavour that got replies, or why none can be used."""
    route = sections.get("route")
    device = None
    if route is not None and route.rc == "0":
        try:
            device = route_device(route.text)
        except ParseError:
            device = None
    last = ""
    for index, (numeric, timestamps, interval) in enumerate(PING_FLAVOURS):
        sec = sections.get(f"ping:{index}")
        if sec is None:
            break
        last = sec.text
        if parse_ping(sec.text).replies:
            notes: list[str] = []
            if interval > 0.01:
                notes.append(
                    "the node's ping refused a 10 ms interval (it needs root); probing every "
                    f"{interval * 1000:.0f} ms, so gaps are only resolved to that"
                )
            if not timestamps:
                notes.append(
                    "the node's ping has no -D timestamps; gaps are computed from sequence "
                    "numbers times the interval"
                )
            spec = PingSpec(target, interval_s=interval, timestamps=timestamps, numeric=numeric)
            return TargetCheck(device, spec, None, tuple(notes))
        if not (option_refused(sec.text) or interval_refused(sec.text)):
            return TargetCheck(
                device, None, f"the probe target {target} does not answer ping from the node"
            )
    first = next((ln.strip() for ln in last.splitlines() if ln.strip()), "no output")
    return TargetCheck(device, None, f"ping cannot be used on the node ({first[:160]})")


def check_target(root: RootShell, target: str, timeout: float = 60.0) -> TargetCheck:
    target = checked_target(target)
    return parse_target(root.sections(target_script(target, new_nonce()), timeout), target)
