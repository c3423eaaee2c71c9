"""Pull one port, measure, restore, prove recovery - and never leave the port down.

The order of remote steps is fixed: pull (arm + probe + down, one command) -> restore
(``ip link set up`` + first samples) -> more samples until the port has rejoined or the
rejoin timeout passed -> finish (stop the probe; disarm the node's timer only if the port
rejoined) -> collect and judge again, and compare with the state before.

Anything that goes wrong after the pull command was sent - a lost connection, a timeout, a
bug, Ctrl-C - leads to :func:`recover`: bring the port up over the same or a new connection
if at all possible, and otherwise say plainly that the node's own timer will. The timer is
never disarmed on those paths, so the worst case is always "the port comes back after
``--restore-after`` seconds".
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bondcheck.errors import BondcheckError
from bondcheck.failover import steps
from bondcheck.failover.assess import Limits, Measured, assess
from bondcheck.failover.deadman import PullSpec
from bondcheck.failover.node import NodeShell, RootShell
from bondcheck.failover.probe import figures, parse_ping
from bondcheck.failover.rejoin import bond_partner, rejoin_problem, state_differences
from bondcheck.failover.result import PortOutcome, Verdict
from bondcheck.model import Policy

Log = Callable[[str], None]


class Interrupted(Exception):
    """Ctrl-C (or SIGTERM) arrived during a pull; carries the outcome after recovery."""

    def __init__(self, outcome: PortOutcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def describe(exc: BaseException) -> str:
    """One line for an exception: the message of our own errors, the type for others."""
    if isinstance(exc, BondcheckError):
        return str(exc)
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class Connection:
    """The node's root shell, reopened through the factory when the connection is lost."""

    def __init__(self, node: str, factory: Callable[[str], NodeShell]) -> None:
        self.node = node
        self.factory = factory
        self.shell: NodeShell | None = None
        self.root: RootShell | None = None

    def open(self) -> RootShell:
        shell = self.factory(self.node)
        self.shell = shell
        root = RootShell(shell, self.node)
        root.detect()
        self.root = root
        return root

    def reopen(self) -> RootShell:
        self.close()
        return self.open()

    def require(self) -> RootShell:
        return self.root if self.root is not None else self.open()

    def close(self) -> None:
        shell, self.shell, self.root = self.shell, None, None
        closer = getattr(shell, "close", None)
        if callable(closer):
            # closing a dead connection must not hide the real outcome
            with contextlib.suppress(Exception):
                closer()


@dataclass(frozen=True)
class Job:
    """One pre-checked port pull, ready to run."""

    node: str
    bond: str
    port: str
    spec: PullSpec
    before: steps.NodeState
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Context:
    """What every job of a run shares."""

    policy: Policy
    judge: steps.Judge
    transport: str
    limits: Limits
    rejoin_timeout: float
    collect_timeout: float = 60.0
    sample_count: int = 10
    sample_every_s: float = 0.1
    tail_s: float = 1.0
    settle_s: float = 15.0
    reconnect_attempts: int = 3
    reconnect_wait_s: float = 2.0
    log: Log = lambda _line: None


def recover(conn: Connection, spec: PullSpec, ctx: Context, *, quick: bool = False) -> str:
    """Bring the port back now if the node can be reached; say who restores it otherwise."""
    attempts = 1 if quick else max(1, ctx.reconnect_attempts)
    for attempt in range(attempts + 1):
        try:
            root = conn.root if attempt == 0 and conn.root is not None else conn.reopen()
            link, armed = steps.run_emergency_up(root, spec)
        except Exception:  # any failure: try a fresh connection, then give up
            if attempt < attempts:
                time.sleep(0 if attempt == 0 else ctx.reconnect_wait_s)
            continue
        state = "up" if link is not None and link.admin_up else "NOT up"
        timer = (
            f"the restore timer stays armed as a backstop ({spec.marker})"
            if armed
            else "no restore timer had been armed yet"
        )
        return (
            f"ran `{spec.link_command('up')}` on the node: {spec.port} is administratively "
            f"{state}; {timer}"
        )
    return (
        f"could not reach the node again: its restore timer brings {spec.port} back up "
        f"{spec.restore_after} s after the pull was armed ({spec.marker})"
    )


@dataclass(frozen=True)
class Rejoin:
    """What the samples say: rejoined or why not, and when (node clock)."""

    rejoined: bool
    ms: float | None  # None when rejoined but the node's clock could not be read
    problem: str | None
    last_at: float | None


def first_rejoin(
    samples: Sequence[steps.Sample], bond: str, port: str, partner: str | None, t_up: float | None
) -> Rejoin:
    """The first sample in which ``port`` has rejoined ``bond``, timed from ``t_up``."""
    problem: str | None = "no sample of the bond was read"
    last_at: float | None = None
    for sample in samples:
        last_at = sample.at if sample.at is not None else last_at
        if sample.bond is None:
            problem = f"/proc/net/bonding/{bond} could not be read"
            continue
        problem = rejoin_problem(sample.bond, port, partner)
        if problem is None:
            if sample.at is None or t_up is None:
                return Rejoin(True, None, None, last_at)
            return Rejoin(True, round(max(0.0, sample.at - t_up) * 1000.0, 1), None, last_at)
    return Rejoin(False, None, problem, last_at)


def _settled_state(root: RootShell, job: Job, ctx: Context) -> tuple[steps.NodeState, list[str]]:
    """Collect and judge again until the node matches its earlier state or ``settle_s`` ends.

    Some state converges a moment after the port rejoins (LACP bits on a slow partner, an
    active-backup primary taking over after updelay), so a difference is confirmed by
    reading again before it is reported.
    """
    deadline = time.monotonic() + ctx.settle_s
    while True:
        after = steps.collect_state(
            root,
            node=job.node,
            transport=ctx.transport,
            policy=ctx.policy,
            bonds=[b.name for b in ctx.policy.bonds],
            judge=ctx.judge,
            timeout=ctx.collect_timeout,
        )
        before_bond, after_bond = job.before.bonds.get(job.bond), after.bonds.get(job.bond)
        if before_bond is None or after_bond is None:
            diffs = [f"{job.bond} could not be read after the test"]
        else:
            diffs = state_differences(
                before_bond, after_bond, job.before.report.results, after.report.results
            )
        if not diffs or time.monotonic() >= deadline:
            return after, diffs
        time.sleep(1.0)


def _outcome(job: Job, status: Verdict, message: str, **extra: object) -> PortOutcome:
    return PortOutcome(
        port=job.port,
        bond=job.bond,
        status=status,
        message=message,
        target=job.spec.ping.target,
        probe_interval_ms=job.spec.ping.interval_s * 1000.0,
        marker=job.spec.marker,
        **{"notes": job.notes, **extra},  # type: ignore[arg-type]
    )


def execute(job: Job, conn: Connection, ctx: Context) -> tuple[PortOutcome, steps.NodeState | None]:
    """Run one pull; returns the outcome and, when it was read, the node's final state."""
    spec = job.spec

    def log(line: str) -> None:
        ctx.log(f"[{job.node}] {line}")

    before_bond = job.before.bonds.get(job.bond)
    partner = bond_partner(before_bond) if before_bond else None
    phase = "pull"
    try:
        root = conn.require()
        log(f"{job.port}: arming the restore timer ({spec.restore_after} s) and pulling")
        pull = steps.run_pull(root, spec)
        if pull.refused:
            return _outcome(job, Verdict.REFUSED, pull.refused), None
        if pull.error:
            return _outcome(job, Verdict.ERROR, f"{pull.error}; nothing was changed"), None
        log(f"{job.port}: down (timer: {' + '.join(pull.mechanisms)}); restoring")
        phase = "restore"
        t_up, up_rc, samples = steps.run_restore(root, spec, ctx.sample_count, ctx.sample_every_s)
        back = first_rejoin(samples, job.bond, job.port, partner, t_up)
        give_up = time.monotonic() + ctx.rejoin_timeout + 30.0
        while not back.rejoined and time.monotonic() < give_up:
            waited = (back.last_at - t_up) if back.last_at and t_up else 0.0
            if waited >= ctx.rejoin_timeout:
                break
            more = steps.run_samples(root, spec, ctx.sample_count, ctx.sample_every_s)
            nxt = first_rejoin(more, job.bond, job.port, partner, t_up)
            back = replace(nxt, last_at=nxt.last_at or back.last_at)
        rejoined = back.rejoined
        log(f"{job.port}: rejoined ({back.ms} ms)" if rejoined else f"{job.port}: {back.problem}")
        phase = "finish"
        fin = steps.run_finish(root, spec, disarm=rejoined, tail_s=ctx.tail_s if rejoined else 0)
        phase = "verify"
        after: steps.NodeState | None = None
        diffs: list[str] | None = None
        if rejoined:
            after, diffs = _settled_state(root, job, ctx)
    except KeyboardInterrupt:
        if phase == "verify":
            raise Interrupted(_outcome(job, Verdict.ERROR, "interrupted after the test")) from None
        message = recover(conn, spec, ctx, quick=True)
        raise Interrupted(
            _outcome(job, Verdict.ERROR, f"interrupted while testing {job.port}; {message}")
        ) from None
    except Exception as exc:  # the safety net: whatever failed, the port must come back
        if phase == "verify":
            return _outcome(
                job,
                Verdict.ERROR,
                f"{job.port} rejoined, but the final state could not be read: {describe(exc)}",
            ), None
        message = recover(conn, spec, ctx)
        return _outcome(
            job, Verdict.ERROR, f"lost the node during the {phase} ({describe(exc)}); {message}"
        ), None

    probe_text = pull.probe_text if pull.probe_text is not None else fin.probe_text
    ping = parse_ping(probe_text)
    probe = figures(ping, spec.ping.interval_s) if probe_text.strip() else None
    measured = Measured(
        bond=job.bond,
        port=job.port,
        before=pull.before.bond if pull.before else before_bond,
        during=pull.during.bond if pull.during else None,
        links_before=pull.before.links if pull.before else {},
        links_during=pull.during.links if pull.during else {},
        t_before=pull.pulled_at,
        t_during=pull.during.at if pull.during else None,
        probe=probe,
        ping=ping,
        probe_ended_early=spec.probe_detached and not fin.probe_running,
        pull_rc=pull.pull_rc,
        pull_output=pull.pull_output,
        rejoin_ms=back.ms if rejoined else None,
        rejoined=rejoined,
        rejoin_problem=back.problem,
        rejoin_timeout_s=ctx.rejoin_timeout,
        state_differences=diffs,
    )
    verdict = assess(measured, ctx.limits)
    if rejoined:
        timer = "fired" if fin.fired else ("disarmed" if not fin.alive else "armed")
    else:
        timer = "fired" if fin.fired else "left armed"
    problems = verdict.problems
    notes = list(job.notes)
    if fin.fired and fin.fired_at is not None and t_up is not None and fin.fired_at < t_up:
        problems = (
            f"the restore timer fired before bondcheck restored {job.port}: the pull was cut "
            "short; use a longer --restore-after",
            *problems,
        )
    elif fin.fired:
        notes.append(
            "the restore timer fired before it was disarmed (harmless: the port was already "
            "up); a longer --restore-after avoids it"
        )
    if up_rc != "0":
        problems = (f"`{spec.link_command('up')}` failed (rc={up_rc})", *problems)
    outcome = _outcome(
        job,
        Verdict.FAIL if problems else Verdict.PASS,
        problems[0] if problems else "failed over and rejoined; state unchanged",
        lost_probes=probe.lost if probe else None,
        probes_sent=probe.sent if probe else None,
        max_gap_ms=probe.max_gap_ms if probe else None,
        gap_source=probe.gap_source if probe else None,
        rejoin_ms=measured.rejoin_ms,
        active_port_before=verdict.active_before,
        active_port_during=verdict.active_during,
        timer=timer,
        restore_mechanisms=pull.mechanisms,
        counters=verdict.counters,
        problems=problems,
        notes=tuple(notes),
    )
    if not rejoined:
        outcome = replace(
            outcome,
            notes=(
                *outcome.notes,
                f"{spec.port} was set administratively up; the restore timer was left armed "
                f"and runs `{spec.link_command('up')}` again when it fires",
            ),
        )
    return outcome, after
