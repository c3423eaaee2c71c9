"""The failover run: nodes one at a time, ports one at a time, each behind its pre-check.

For every node: connect (one connection kept for the whole node), learn whether we are root
or may ``sudo -n``, collect and judge the node like ``verify``, and list the ports to pull.
For every port: a fresh pre-check (the judged state, the plan rules, the node's lock and
tools, the probe target's route and answer) - a refusal changes nothing - then, after the
operator agreed once per node (or ``--yes``), :func:`~bondcheck.failover.execute.execute`.

Stopping rules: a port that fails or errors stops the node (the next pull would start from a
bond that is not known to be whole), and a node that fails or errors stops the run unless
``keep_going``; an interrupt stops everything. Nodes and ports not started are reported as
refused with the reason, so the report always lists everything that was asked for.
"""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bondcheck import __version__
from bondcheck.errors import ParseError
from bondcheck.failover import steps
from bondcheck.failover.assess import Limits
from bondcheck.failover.deadman import (
    PullSpec,
    finish_script,
    pull_script,
    restore_script,
    sample_script,
)
from bondcheck.failover.execute import Connection, Context, Interrupted, Job, describe, execute
from bondcheck.failover.iplink import LinkStats, gateway_for, parse_link_stats, upper_devices
from bondcheck.failover.node import NodeShell, new_nonce
from bondcheck.failover.plan import Timing, choose_bonds, ports_to_pull, refusal_reasons
from bondcheck.failover.result import FailoverReport, NodeOutcome, PortOutcome, Verdict
from bondcheck.failover.target import check_target
from bondcheck.model import Evidence, NodeReport, ObservedBond, Policy
from bondcheck.timefmt import utc_now

ShellFactory = Callable[[str], NodeShell]
Confirm = Callable[[str], bool]
Log = Callable[[str], None]


@dataclass(frozen=True)
class FailoverRequest:
    """Everything one ``bondcheck failover`` run needs, as the CLI (or a test) states it."""

    policy: Policy
    nodes: tuple[str, ...]
    ports: tuple[str, ...] = ()
    bond: str | None = None
    target: str | None = None
    timing: Timing = field(default_factory=Timing)
    limits: Limits = field(default_factory=Limits)
    dry_run: bool = False
    keep_going: bool = False
    use_systemd: bool = True
    collect_timeout: float = 60.0
    transport: str = "ssh"
    ephemeral: bool = False  # the transport's processes end with each command (debug pods)
    # Library use (labs): pull the port's peer ``peer_prefix + port`` inside netns ``netns``
    # instead of the port itself - a switch-side cable pull instead of an admin-down.
    netns: str | None = None
    peer_prefix: str = ""
    reconnect_attempts: int = 3


def default_judge(policy: Policy, evidence: Evidence) -> NodeReport:
    from bondcheck.judge import judge_node

    return judge_node(policy, evidence)


def _ports(link_text: str | None) -> dict[str, LinkStats]:
    if not link_text:
        return {}
    try:
        return parse_link_stats(link_text, source="ip -j -d link")
    except ParseError:
        return {}


def _uppers(link_text: str | None, bond: str) -> list[str]:
    if not link_text:
        return [bond]
    try:
        return upper_devices(link_text, bond)
    except ParseError:
        return [bond]


class NodeRun:
    """One node's share of the run."""

    def __init__(
        self,
        node: str,
        request: FailoverRequest,
        factory: ShellFactory,
        ctx: Context,
        confirm: Confirm | None,
    ) -> None:
        self.node = node
        self.request = request
        self.ctx = ctx
        self.confirm = confirm
        self.conn = Connection(node, factory)
        self.confirmed = request.dry_run or confirm is None
        self.stop_run: str | None = None  # set when the whole run must stop after this node

    def log(self, line: str) -> None:
        self.ctx.log(f"[{self.node}] {line}")

    def state(self) -> steps.NodeState:
        return steps.collect_state(
            self.conn.require(),
            node=self.node,
            transport=self.request.transport,
            policy=self.request.policy,
            bonds=[b.name for b in self.request.policy.bonds],
            judge=self.ctx.judge,
            timeout=self.request.collect_timeout,
        )

    # -- plan ------------------------------------------------------------------------------

    def jobs(self, state: steps.NodeState) -> list[tuple[str, str]]:
        request = self.request
        bonds = choose_bonds(request.policy, request.bond, request.ports)
        out: list[tuple[str, str]] = []
        for bond in bonds:
            expected = next(b for b in request.policy.bonds if b.name == bond)
            observed = state.bonds.get(bond)
            requested = list(request.ports)
            if len(bonds) > 1:
                names = set(expected.ports)
                if observed is not None:
                    names |= {p.name for p in observed.ports}
                requested = [p for p in requested if p in names]
            if observed is None:
                ports = requested or list(expected.ports) or ["(none)"]
            else:
                ports = ports_to_pull(observed, requested, expected.ports)
            out += [(bond, port) for port in ports]
        return out

    def precheck(self, bond: str, port: str, state: steps.NodeState) -> Job | list[str]:
        """A ready Job, or every reason to refuse."""
        root = self.conn.require()
        observed = state.bonds.get(bond)
        links = _ports(state.evidence.ip_link)
        reasons = refusal_reasons(bond, observed, port, state.report.results, links.get(port))
        facts = steps.read_facts(root)
        lock = facts.lock_problem()
        if lock:
            reasons.append(lock)
        if not facts.ping:
            reasons.append("ping is not installed on the node: the outage cannot be measured")
        if self.request.ephemeral and not facts.systemd:
            reasons.append(
                f"--via {self.request.transport} runs its processes in a pod that can end "
                "mid-pull (a debug pod with every command, the handler pod with an nmstate "
                "upgrade), so the restore timer must be a systemd timer on the host, and "
                "systemd-run is not available"
            )
        uppers = _uppers(state.evidence.ip_link, bond)
        target = self.request.target or gateway_for(facts.routes or "[]", uppers)
        notes: list[str] = []
        check = None
        if target is None:
            reasons.append(
                f"no probe target: no route through {bond} has a gateway; pass --target IP "
                f"(an address reached through {bond})"
            )
        elif facts.ping:
            check = check_target(root, target)
            if check.device is not None and check.device not in uppers:
                reasons.append(
                    f"traffic to {target} leaves by {check.device}, not through {bond}: the "
                    f"probe would not cross the bond; choose a --target reached through {bond}"
                )
            if check.problem:
                reasons.append(check.problem)
            notes += check.notes
        if reasons or check is None or check.ping is None or observed is None:
            return reasons or ["the pre-check could not complete"]
        if not self.request.target:
            notes.append(f"probe target {target}: the gateway of {bond}")
        timing = self.request.timing
        deadline = math.ceil(timing.lead_seconds + timing.pull_seconds + timing.rejoin_timeout)
        spec = PullSpec(
            token=secrets.token_hex(6),
            base_dir=facts.base_dir,
            bond=bond,
            port=port,
            restore_after=timing.restore_after,
            pull_seconds=timing.pull_seconds,
            ping=check.ping,
            watch=tuple(p.name for p in observed.ports),
            lead_seconds=timing.lead_seconds,
            probe_deadline_s=deadline + int(self.ctx.settle_s) + 60,
            netns=self.request.netns,
            device=(self.request.peer_prefix + port) if self.request.netns else None,
            use_systemd=self.request.use_systemd,
            require_systemd=self.request.ephemeral,
            probe_detached=not self.request.ephemeral,
        )
        return Job(self.node, bond, port, spec, state, tuple(notes))

    def plan_text(
        self, bond: ObservedBond | None, bond_name: str, ports: Sequence[str], job: Job
    ) -> str:
        timing, spec = self.request.timing, job.spec
        mode = bond.mode if bond else "?"
        interval = f"{spec.ping.interval_s * 1000:.0f} ms"
        return "\n".join(
            [
                f"{self.node}: {bond_name} ({mode}) - pull {', then '.join(ports)}, one at a time.",
                f"  Each port: `ip link set dev PORT down` for {timing.pull_seconds:g} s while "
                f"the node pings {spec.ping.target} every {interval},",
                f"  then `ip link set dev PORT up`; wait up to {timing.rejoin_timeout:g} s for "
                "it to rejoin, and verify the node again.",
                f"  Safety: a restore timer on the node brings the port back "
                f"{timing.restore_after} s after the pull whatever happens to bondcheck or "
                "this connection; it is disarmed only once the port has rejoined.",
            ]
        )

    def dry_run(self, job: Job, wrapper: str) -> PortOutcome:
        spec = job.spec
        scripts = [
            pull_script(spec, new_nonce()),
            restore_script(spec, new_nonce(), self.ctx.sample_count, self.ctx.sample_every_s),
            sample_script(spec, new_nonce(), self.ctx.sample_count, self.ctx.sample_every_s),
            finish_script(spec, new_nonce(), disarm=True, tail_s=self.ctx.tail_s),
        ]
        return PortOutcome(
            port=job.port,
            bond=job.bond,
            status=Verdict.PASS,
            message="dry run: the pre-check passed; nothing was changed",
            target=spec.ping.target,
            probe_interval_ms=spec.ping.interval_s * 1000.0,
            marker=spec.marker,
            notes=(
                *job.notes,
                f"each script below is sent as one command: {wrapper}; the marker token and "
                "output nonces are random per run; script 3 repeats until the port rejoins; "
                "script 4 disarms the timer only after it has",
            ),
            commands=tuple(s.text() for s in scripts),
        )

    # -- run -------------------------------------------------------------------------------

    def run(self) -> NodeOutcome:
        try:
            self.conn.open()
            state: steps.NodeState | None = self.state()
        except Exception as exc:
            self.conn.close()
            return NodeOutcome(self.node, error=describe(exc), transport=self.request.transport)
        outcomes: list[PortOutcome] = []
        error: str | None = None
        try:
            assert state is not None
            jobs = self.jobs(state)
            stopped: str | None = None
            for index, (bond, port) in enumerate(jobs):
                if stopped:
                    outcomes.append(PortOutcome(port, bond, Verdict.REFUSED, stopped))
                    continue
                if state is None:
                    state = self.state()
                found = self.precheck(bond, port, state)
                if isinstance(found, list):
                    self.log(f"{port}: refused: {found[0]}")
                    outcomes.append(
                        PortOutcome(port, bond, Verdict.REFUSED, found[0], problems=tuple(found))
                    )
                    continue
                job = found
                if self.request.dry_run:
                    sudo = "sudo -n " if self.conn.require().sudo else ""
                    outcomes.append(self.dry_run(job, f"{sudo}sh -c '<script>'"))
                    continue
                if not self.confirmed:
                    ports = [p for b, p in jobs[index:] if b == bond]
                    text = self.plan_text(state.bonds.get(bond), bond, ports, job)
                    if not self.confirm or not self.confirm(text):
                        self.stop_run = "the operator declined; nothing was changed"
                        stopped = self.stop_run
                        outcomes.append(PortOutcome(port, bond, Verdict.REFUSED, stopped))
                        continue
                    self.confirmed = True
                self.log(f"{port}: pre-check passed")
                outcome, state = execute(job, self.conn, self.ctx)
                outcomes.append(outcome)
                self.log(f"{port}: {outcome.status.value}: {outcome.message}")
                if outcome.status is not Verdict.PASS and not self.request.keep_going:
                    stopped = f"not started: {port} did not pass ({outcome.message})"
        except Interrupted as exc:
            outcomes.append(exc.outcome)
            self.stop_run = "interrupted"
        except Exception as exc:
            error = describe(exc)
        finally:
            self.conn.close()
        return NodeOutcome(
            self.node, ports=tuple(outcomes), error=error, transport=self.request.transport
        )


def run_failover(
    request: FailoverRequest,
    factory: ShellFactory,
    *,
    judge: steps.Judge | None = None,
    confirm: Confirm | None = None,
    log: Log | None = None,
    context: Context | None = None,
) -> FailoverReport:
    """Run the failover test on every node of ``request``, one after another.

    ``factory(node)`` returns a connected :class:`NodeShell`. ``confirm(plan)`` is asked once
    per node before its first pull (None: do not ask - the caller already has consent).
    """
    ctx = context or Context(
        policy=request.policy,
        judge=judge or default_judge,
        transport=request.transport,
        limits=request.limits,
        rejoin_timeout=request.timing.rejoin_timeout,
        collect_timeout=request.collect_timeout,
        reconnect_attempts=request.reconnect_attempts,
        log=log or (lambda _line: None),
    )
    started = time.monotonic()
    nodes: list[NodeOutcome] = []
    stop: str | None = None
    for node in request.nodes:
        if stop:
            nodes.append(NodeOutcome(node, refused=stop, transport=request.transport))
            continue
        run = NodeRun(node, request, factory, ctx, confirm)
        outcome = run.run()
        nodes.append(outcome)
        if run.stop_run:
            stop = f"not started: {run.stop_run}"
        elif (
            outcome.status in (Verdict.FAIL, Verdict.ERROR)
            and not request.keep_going
            and not request.dry_run
        ):
            stop = (
                f"not started: {node} did not pass ({outcome.status.value}); "
                "use --keep-going to test the remaining nodes anyway"
            )
    timing = request.timing
    return FailoverReport(
        policy=request.policy.name,
        nodes=tuple(nodes),
        dry_run=request.dry_run,
        tool_version=__version__,
        settings={
            "pull_seconds": timing.pull_seconds,
            "restore_after": timing.restore_after,
            "rejoin_timeout": timing.rejoin_timeout,
            "target": request.target,
            "max_gap_ms": request.limits.max_gap_ms,
            "max_lost": request.limits.max_lost,
            "transport": request.transport,
        },
        generated_at=utc_now(),
        duration_s=round(time.monotonic() - started, 3),
    )


__all__ = ["FailoverRequest", "NodeRun", "default_judge", "run_failover"]
