"""One function per remote step of a failover test, each returning parsed data.

The runner decides *what* to do; this module knows *how* each step looks on the wire: which
script it sends (built by :mod:`bondcheck.failover.deadman`), how long it may take, and how
its sections become Python values. Parsing helpers are pure and unit-tested on captured
section text; the ``run_*`` functions do the one round trip each.
"""

from __future__ import annotations

import contextlib
import re
import shlex
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bondcheck.errors import CollectError, ParseError
from bondcheck.failover import deadman
from bondcheck.failover.deadman import PullSpec
from bondcheck.failover.iplink import LinkStats, parse_link_stats
from bondcheck.failover.node import RootShell, Script, Section, new_nonce
from bondcheck.model import Evidence, NodeReport, ObservedBond, Policy
from bondcheck.parse.procfs import parse_bonding
from bondcheck.transport.script import build_collect_script, parse_collect_output

Judge = Callable[[Policy, Evidence], NodeReport]

_CLOCK = re.compile(r"\s*(\d+(?:\.\d+)?)")


def node_clock(text: str | None) -> float | None:
    """Seconds since the epoch from ``date +%s.%N`` (a missing ``%N`` gives whole seconds)."""
    if not text:
        return None
    match = _CLOCK.match(text)
    return float(match.group(1)) if match else None


def keyvalues(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def parse_bond_text(text: str | None, bond: str, source: str) -> ObservedBond | None:
    """The bond file parsed, or None when it was absent or unreadable."""
    if not text or not text.strip():
        return None
    try:
        return parse_bonding(text, name=bond, source=source)
    except ParseError:
        return None


# --------------------------------------------------------------------------------------------
# Evidence and judgement


@dataclass(frozen=True)
class NodeState:
    """The node as verify sees it: evidence, the judged report and each bond parsed."""

    evidence: Evidence
    report: NodeReport
    bonds: Mapping[str, ObservedBond | None]


def collect_state(
    root: RootShell,
    *,
    node: str,
    transport: str,
    policy: Policy,
    bonds: Sequence[str],
    judge: Judge,
    timeout: float,
) -> NodeState:
    """Read the node with the shared collection script and judge it like ``verify`` does."""
    nonce = new_nonce()
    script = build_collect_script(bonds, nonce, use_sudo=not root.sudo)
    _rc, out, _err = root.run(script, timeout)
    evidence = parse_collect_output(out, nonce, node=node, transport=transport, bonds=bonds)
    report = judge(policy, evidence)
    parsed = {
        name: parse_bond_text(text, name, f"{node}:/proc/net/bonding/{name}")
        for name, text in evidence.bonds.items()
    }
    return NodeState(evidence=evidence, report=report, bonds=parsed)


# --------------------------------------------------------------------------------------------
# Facts: marker directory, tools, earlier runs


@dataclass(frozen=True)
class Marker:
    path: str
    port: str
    fired: bool
    alive: bool


@dataclass(frozen=True)
class NodeFacts:
    base_dir: str
    systemd: bool
    setsid: bool
    ping: bool
    clock: float | None
    lock_token: str | None
    markers: tuple[Marker, ...] = ()
    routes: str = ""

    def lock_problem(self) -> str | None:
        """Why another test may be running on the node; None when the node is free."""
        if self.lock_token is None:
            return None
        owner = [m for m in self.markers if m.path.endswith(f"failover-{self.lock_token}")]
        if owner and owner[0].alive:
            return (
                f"another failover test is in progress on this node: {owner[0].port} has a "
                f"restore timer armed ({owner[0].path}); wait for it to finish"
            )
        return (
            f"a failover lock is left on the node ({self.base_dir}/lock, token "
            f"{self.lock_token}) without a live restore timer; check the ports are up, then "
            f"remove {self.base_dir}/lock"
        )


def status_script(nonce: str) -> Script:
    s = Script(
        nonce,
        "if [ -d /run ] && [ -w /run ]; then BASE=/run/bondcheck; else BASE=/tmp/bondcheck; fi",
    )
    s.section(
        "tools",
        'echo "base=$BASE"',
        "if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then "
        "echo systemd=yes; else echo systemd=no; fi",
        "if command -v setsid >/dev/null 2>&1; then echo setsid=yes; else echo setsid=no; fi",
        "if command -v ping >/dev/null 2>&1; then echo ping=yes; else echo ping=no; fi",
        'echo "clock=$(now)"',
    )
    s.section("lock", 'cat "$BASE/lock/token" 2>/dev/null || true')
    s.add("k=0", 'for d in "$BASE"/failover-*; do', '  [ -d "$d" ] || continue')
    s.section(
        "marker:$k",
        'echo "dir=$d"',
        'echo "port=$(cat "$d/port" 2>/dev/null)"',
        'if [ -e "$d/fired" ]; then echo fired=yes; else echo fired=no; fi',
        'if running "$(cat "$d/pid" 2>/dev/null)" restorer; then echo alive=yes; '
        'elif [ -s "$d/unit" ] && systemctl is-active --quiet "$(cat "$d/unit").timer"; '
        "then echo alive=yes; else echo alive=no; fi",
        indent="  ",
    )
    s.add("  k=$((k + 1))", "done")
    s.section("routes", "ip -j route show 2>/dev/null")
    return s


def parse_facts(sections: Mapping[str, Section]) -> NodeFacts:
    tools = keyvalues(sections["tools"].text) if "tools" in sections else {}
    markers = []
    for name, sec in sorted(sections.items()):
        if name.startswith("marker:"):
            kv = keyvalues(sec.text)
            markers.append(
                Marker(
                    path=kv.get("dir", ""),
                    port=kv.get("port", ""),
                    fired=kv.get("fired") == "yes",
                    alive=kv.get("alive") == "yes",
                )
            )
    lock = sections["lock"].text.strip() if "lock" in sections else ""
    routes = sections.get("routes")
    return NodeFacts(
        base_dir=tools.get("base", "/run/bondcheck"),
        systemd=tools.get("systemd") == "yes",
        setsid=tools.get("setsid") == "yes",
        ping=tools.get("ping") == "yes",
        clock=node_clock(tools.get("clock")),
        lock_token=lock or None,
        markers=tuple(markers),
        routes=routes.text if routes and routes.rc == "0" else "",
    )


def read_facts(root: RootShell, timeout: float = 30.0) -> NodeFacts:
    return parse_facts(root.sections(status_script(new_nonce()), timeout))


# --------------------------------------------------------------------------------------------
# The pull and the samples taken after it


@dataclass(frozen=True)
class Snapshot:
    at: float | None
    bond: ObservedBond | None
    links: Mapping[str, LinkStats]


@dataclass(frozen=True)
class PullResult:
    error: str | None = None  # the node could not arm or pull; the port was not touched
    refused: str | None = None  # the bond as read just before the pull said no; untouched
    mechanisms: tuple[str, ...] = ()
    armed_at: float | None = None
    before: Snapshot | None = None
    pulled_at: float | None = None
    pull_rc: str | None = None
    pull_output: str = ""
    during: Snapshot | None = None
    probe_text: str | None = None  # only when the probe ran inside the pull command


def _snapshot(sections: Mapping[str, Section], spec: PullSpec, when: str) -> Snapshot | None:
    t = sections.get(f"t:{when}")
    bond = sections.get(f"bond:{when}")
    if t is None and bond is None:
        return None
    links: dict[str, LinkStats] = {}
    for index, _device in enumerate(spec.watch):
        sec = sections.get(f"link:{when}:{index}")
        if sec is not None and sec.rc == "0":
            with contextlib.suppress(ParseError):
                links.update(parse_link_stats(sec.text))
    text = bond.text if bond is not None and bond.rc == "0" else None
    return Snapshot(
        at=node_clock(t.text if t else None),
        bond=parse_bond_text(text, spec.bond, f"/proc/net/bonding/{spec.bond} ({when})"),
        links=links,
    )


def parse_pull(sections: Mapping[str, Section], spec: PullSpec) -> PullResult:
    if "refused" in sections:
        return PullResult(refused=sections["refused"].text.strip() or "refused on the node")
    if "error" in sections:
        return PullResult(error=sections["error"].text.strip() or "unknown error")
    armed = keyvalues(sections["armed"].text) if "armed" in sections else {}
    pulled = sections.get("pulled")
    pulled_kv = keyvalues(pulled.text) if pulled else {}
    return PullResult(
        mechanisms=tuple(armed.get("mechanisms", "").split()),
        armed_at=node_clock(armed.get("armed_at")),
        before=_snapshot(sections, spec, "before"),
        pulled_at=node_clock(pulled_kv.get("t")),
        pull_rc=pulled.rc if pulled else None,
        pull_output="\n".join(
            ln for ln in (pulled.text.splitlines() if pulled else []) if not ln.startswith("t=")
        ).strip(),
        during=_snapshot(sections, spec, "during"),
        probe_text=sections["probe"].text if "probe" in sections else None,
    )


def run_pull(root: RootShell, spec: PullSpec) -> PullResult:
    timeout = spec.lead_seconds + spec.pull_seconds + 60
    return parse_pull(root.sections(deadman.pull_script(spec, new_nonce()), timeout), spec)


@dataclass(frozen=True)
class Sample:
    at: float | None
    bond: ObservedBond | None


def parse_samples(sections: Mapping[str, Section], bond: str) -> list[Sample]:
    out: list[tuple[int, Sample]] = []
    for name, sec in sections.items():
        if not name.startswith("sample:"):
            continue
        head, _, rest = sec.text.partition("\n")
        out.append(
            (
                int(name.split(":", 1)[1] or 0),
                Sample(at=node_clock(head), bond=parse_bond_text(rest, bond, "sample")),
            )
        )
    return [sample for _, sample in sorted(out, key=lambda item: item[0])]


def run_restore(
    root: RootShell, spec: PullSpec, samples: int, every_s: float
) -> tuple[float | None, str, list[Sample]]:
    """``ip link set up``; returns when it ran (node clock), its rc and the first samples."""
    script = deadman.restore_script(spec, new_nonce(), samples, every_s)
    sections = root.sections(script, samples * every_s + 60)
    restored = sections.get("restored")
    kv = keyvalues(restored.text) if restored else {}
    rc = restored.rc if restored else "?"
    return node_clock(kv.get("t")), rc, parse_samples(sections, spec.bond)


def run_samples(root: RootShell, spec: PullSpec, samples: int, every_s: float) -> list[Sample]:
    script = deadman.sample_script(spec, new_nonce(), samples, every_s)
    return parse_samples(root.sections(script, samples * every_s + 60), spec.bond)


@dataclass(frozen=True)
class FinishResult:
    probe_text: str
    probe_running: bool  # False: ping had ended on its own before it was stopped
    fired: bool
    alive: bool
    systemd: bool
    fired_at: float | None = None


def run_finish(root: RootShell, spec: PullSpec, *, disarm: bool, tail_s: float) -> FinishResult:
    script = deadman.finish_script(spec, new_nonce(), disarm=disarm, tail_s=tail_s)
    sections = root.sections(script, tail_s + 60)
    timer = keyvalues(sections["timer"].text) if "timer" in sections else {}
    probe = sections.get("probe")
    state = keyvalues(sections["probe-state"].text) if "probe-state" in sections else {}
    return FinishResult(
        probe_text=probe.text if probe else "",
        probe_running=state.get("running") == "yes",
        fired=timer.get("fired") == "yes",
        alive=timer.get("alive") == "yes",
        systemd=timer.get("systemd") == "yes",
        fired_at=node_clock(timer.get("fired_at")),
    )


def run_emergency_up(
    root: RootShell, spec: PullSpec, timeout: float = 30.0
) -> tuple[LinkStats | None, bool]:
    """Bring the port up now (after a lost connection or an interrupt): its flags afterwards,
    and whether a restore timer had been armed (its marker directory exists)."""
    s = Script(new_nonce())
    s.section("marker", f"if [ -d {shlex.quote(spec.marker)} ]; then echo yes; else echo no; fi")
    s.section("up", spec.link_command("up"))
    netns = f"-n {shlex.quote(spec.netns)} " if spec.netns else ""
    device = spec.device or spec.port
    s.section("link", f"ip {netns}-j link show dev {shlex.quote(device)}")
    sections = root.sections(s, timeout)
    link = sections.get("link")
    if link is None or link.rc != "0":
        raise CollectError(f"{root.node}: could not read {device} after bringing it up")
    marker = sections.get("marker")
    armed = marker is not None and marker.text.strip() == "yes"
    return parse_link_stats(link.text).get(device), armed
