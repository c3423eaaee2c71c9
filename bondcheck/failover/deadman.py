"""The scripts that run on the node during a link pull, built around a dead-man switch.

The one rule: the port is never down unless a restore that does not depend on bondcheck is
already armed *on the node*. So a single remote command (``pull_script``) does, in order:

1. take a node-wide lock (``<base>/lock``; one pull per node at a time, across processes);
2. write ``<marker>/restore`` (``ip link set dev P up``, retried, then mark ``fired``, release
   the lock, log to syslog) and ``<marker>/restorer`` (ignore HUP/INT, sleep N, run restore);
3. arm it: a transient ``systemd-run --on-active=N`` timer when systemd runs the node (it
   survives the session's cgroup being killed, a debug pod being deleted), *and* the
   restorer started with ``setsid`` (or ``nohup``) detached from the session, stdin/stdout
   closed - two independent timers, both idempotent;
4. check that at least one timer really is armed (the restorer wrote its PID and is alive,
   or the systemd timer is active); otherwise undo and stop without touching the port;
5. start the probe (``ping``, detached, with its own deadline), wait a moment for a baseline,
   snapshot the bond, and only then ``ip link set dev P down``;
6. sleep the pull time and snapshot again.

If the connection drops, bondcheck is killed or the laptop dies at any point after step 4,
the timer brings the port back. ``finish_script`` disarms it - the runner calls it with
``disarm=True`` only after the port has verifiably rejoined; otherwise the timer is left to
fire (harmlessly: ``ip link set up`` on an up port does nothing).

Every value interpolated into these scripts is validated here (interface names through
:mod:`bondcheck.ifname`, the target through :mod:`ipaddress`, paths and tokens by pattern)
and then ``shlex.quote``-d. Pure: text in, text out.
"""

from __future__ import annotations

import math
import re
import shlex
from dataclasses import dataclass

from bondcheck.failover.node import Script
from bondcheck.failover.probe import PingSpec, checked_target
from bondcheck.failover.probe import decimal as _num
from bondcheck.ifname import ifname_problem

_TOKEN = re.compile(r"[0-9a-f]{6,32}")
_PATH = re.compile(r"/[A-Za-z0-9._/-]+")
_NETNS = re.compile(r"[A-Za-z0-9_.+-]{1,64}")
EOF_MARK = "BONDCHECK_EOF"


def _q(value: str) -> str:
    return shlex.quote(value)


@dataclass(frozen=True)
class PullSpec:
    """Everything the node-side scripts of one port pull need, validated on creation."""

    token: str
    base_dir: str
    bond: str
    port: str
    restore_after: int
    pull_seconds: float
    ping: PingSpec
    watch: tuple[str, ...] = ()  # devices whose counters are read before/during the pull
    lead_seconds: float = 0.5  # probe baseline before the pull
    probe_deadline_s: int = 120  # ping stops on its own by then, whatever happens
    netns: str | None = None  # pull a device in another netns (a lab's switch side) ...
    device: str | None = None  # ... named this; None: the port itself
    use_systemd: bool = True
    require_systemd: bool = False  # the transport's own processes die with the session
    #: Re-judge the bond on the node right before the pull (another port must be up). Off
    #: only where there is no bonding driver to read (the timer's netns tests).
    recheck: bool = True
    probe_detached: bool = True  # False: the probe covers the pull only and ends with it

    def __post_init__(self) -> None:
        if not _TOKEN.fullmatch(self.token):
            raise ValueError(f"bad token {self.token!r}")
        if not _PATH.fullmatch(self.base_dir) or ".." in self.base_dir.split("/"):
            raise ValueError(f"bad marker directory {self.base_dir!r}")
        for what, name in (
            ("bond", self.bond),
            ("port", self.port),
            ("device", self.device or self.port),
            *(("device", d) for d in self.watch),
        ):
            problem = ifname_problem(name)
            if problem:
                raise ValueError(f"{what} name {name!r} {problem}")
        if self.netns is not None and not _NETNS.fullmatch(self.netns):
            raise ValueError(f"bad netns name {self.netns!r}")
        if not 1 <= self.restore_after <= 86400:
            raise ValueError("restore_after must be 1..86400 seconds")
        if not 0 < self.pull_seconds < self.restore_after:
            raise ValueError("the pull must end before the restore timer fires")
        checked_target(self.ping.target)

    @property
    def marker(self) -> str:
        return f"{self.base_dir}/failover-{self.token}"

    @property
    def lock(self) -> str:
        return f"{self.base_dir}/lock"

    @property
    def unit(self) -> str:
        return f"bondcheck-restore-{self.token}"

    def link_command(self, state: str) -> str:
        """``ip link set dev P up|down`` (``ip -n NS ...`` for a device in another netns)."""
        if state not in ("up", "down"):
            raise ValueError(state)
        netns = f"-n {_q(self.netns)} " if self.netns else ""
        return f"ip {netns}link set dev {_q(self.device or self.port)} {state}"


def restore_file(spec: PullSpec) -> str:
    """``<marker>/restore``: bring the port up (retrying), record it, release the lock."""
    m, lock = _q(spec.marker), _q(spec.lock)
    return "\n".join(
        [
            f"# bondcheck failover restore: brings {spec.port} of {spec.bond} back up",
            "PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH",
            "ok=no; i=0",
            'while [ "$i" -lt 5 ]; do',
            f"  if {spec.link_command('up')}; then ok=yes; break; fi",
            "  i=$((i + 1)); sleep 1",
            "done",
            f"{{ date +%s.%N 2>/dev/null || date +%s; }} > {m}/fired.tmp",
            f'echo "up=$ok" >> {m}/fired.tmp; mv {m}/fired.tmp {m}/fired',
            f'if [ "$(cat {lock}/token 2>/dev/null)" = {_q(spec.token)} ]; then rm -rf {lock}; fi',
            "command -v logger >/dev/null 2>&1 && logger -t bondcheck "
            + _q(f"failover restore timer fired: {spec.link_command('up')}")
            + ' "(ok=$ok)"'
            + " || true",
            "exit 0",
        ]
    )


#: The signal bondcheck disarms the timer with. Not TERM: a session stop (logind's
#: KillUserProcesses, a stopped scope) or an OOM kill sends TERM/HUP, and those must restore.
DISARM_SIGNAL = "USR1"


def restorer_file(spec: PullSpec) -> str:
    """``<marker>/restorer``: the detached timer. Only bondcheck's USR1 disarms it; TERM and
    HUP bring the port back at once, then exit; INT, QUIT and PIPE are ignored (the timer
    runs on); only SIGKILL stops it unrestored, and the systemd timer covers that."""
    m = _q(spec.marker)
    return "\n".join(
        [
            "trap '' INT QUIT PIPE",
            "s=''",
            'trap \'if [ -n "$s" ]; then kill "$s" 2>/dev/null; fi; '
            f"date +%s > {m}/disarmed; exit 0' {DISARM_SIGNAL}",
            'trap \'if [ -n "$s" ]; then kill "$s" 2>/dev/null; fi; '
            f"exec /bin/sh {m}/restore' TERM HUP",
            f"echo $$ > {m}/pid.tmp && mv {m}/pid.tmp {m}/pid",
            f"sleep {spec.restore_after} & s=$!",
            'wait "$s"',
            f"exec /bin/sh {m}/restore",
        ]
    )


def _heredoc(path: str, body: str) -> list[str]:
    if EOF_MARK in body:
        raise ValueError("file body contains the here-document delimiter")
    return [f"cat > {_q(path)} <<'{EOF_MARK}'", *body.splitlines(), EOF_MARK]


def _snapshot(spec: PullSpec, script: Script, when: str) -> None:
    script.section(f"t:{when}", "now")
    script.section(f"bond:{when}", f"cat {_q('/proc/net/bonding/' + spec.bond)}")
    for index, device in enumerate(spec.watch):
        script.section(f"link:{when}:{index}", f"ip -j -s link show dev {_q(device)}")


def pull_script(spec: PullSpec, nonce: str) -> Script:
    """Lock, arm the dead-man switch, start the probe and pull the port: one command."""
    m, lock = spec.marker, spec.lock
    qm, ql = _q(m), _q(lock)
    s = Script(nonce, "umask 077")
    s.add(
        "fail() {",
        "  " + s.begin("error"),
        "  printf '%s\\n' \"$1\"; rc=1",
        "  " + s.end("error"),
        "  " + s.done(),
        "  exit 0",
        "}",
        "refuse() {",
        "  " + s.begin("refused"),
        "  printf '%s\\n' \"$1\"; rc=1",
        "  " + s.end("refused"),
        "  " + s.done(),
        "  exit 0",
        "}",
        "undo() {",
        f'  [ -s {qm}/unit ] && systemctl stop "$(cat {qm}/unit).timer" >/dev/null 2>&1',
        f'  rp=$(cat {qm}/pid 2>/dev/null); running "$rp" restorer && '
        f'kill -{DISARM_SIGNAL} "$rp" 2>/dev/null',
        f"  rm -rf {qm} {ql}",
        "}",
        f"mkdir -p {_q(spec.base_dir)} 2>/dev/null || fail 'cannot create {spec.base_dir}'",
        f"if ! mkdir {ql} 2>/dev/null; then",
        f'  fail "another failover test holds {lock} (token '
        f'$(cat {ql}/token 2>/dev/null || echo unknown))"',
        "fi",
        f"printf '%s\\n' {_q(spec.token)} > {ql}/token",
        f"mkdir {qm} 2>/dev/null || {{ rm -rf {ql}; fail 'cannot create {m}'; }}",
        f"printf '%s\\n' {_q(spec.port)} > {qm}/port",
        *_heredoc(f"{m}/restore", restore_file(spec)),
        *_heredoc(f"{m}/restorer", restorer_file(spec)),
        "ARMED=''",
    )
    if spec.use_systemd:
        s.add(
            "if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then",
            f"  if systemd-run --quiet --unit={spec.unit} --on-active={spec.restore_after}s "
            "--timer-property=AccuracySec=100ms "
            f"--description={_q('bondcheck failover restore of ' + spec.port)} "
            f"/bin/sh {qm}/restore >{qm}/systemd-run.log 2>&1; then",
            f"    echo {spec.unit} > {qm}/unit",
            f"    systemctl is-active --quiet {spec.unit}.timer && ARMED='systemd'",
            "  fi",
            "fi",
        )
    s.add(
        "if command -v setsid >/dev/null 2>&1; then",
        f"  setsid /bin/sh {qm}/restorer </dev/null >/dev/null 2>&1 &",
        "else",
        f"  nohup /bin/sh {qm}/restorer </dev/null >/dev/null 2>&1 &",
        "fi",
        "i=0",
        f'while [ ! -s {qm}/pid ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done',
        f'if running "$(cat {qm}/pid 2>/dev/null)" restorer; then',
        '  ARMED="${ARMED:+$ARMED }setsid"',
        "fi",
        "case \" $ARMED \" in *' systemd '*) HAVE_SYSTEMD=1;; *) HAVE_SYSTEMD=0;; esac",
        'if [ -z "$ARMED" ]; then undo; fail "the restore timer could not be armed; '
        'the port was not touched"; fi',
    )
    if spec.require_systemd:
        s.add(
            'if [ "$HAVE_SYSTEMD" != 1 ]; then undo; fail "this transport needs a systemd '
            "restore timer (its own processes end with the session); systemd-run is not "
            'available; the port was not touched"; fi'
        )
    if spec.recheck:
        recheck_lines(spec, s)
    s.section(
        "armed",
        "printf 'mechanisms=%s\\n' \"$ARMED\"",
        "printf 'armed_at=%s\\n' \"$(now)\"",
        f"printf 'restore_after=%s\\n' {spec.restore_after}",
        f"printf 'marker=%s\\n' {qm}",
    )
    if spec.probe_detached:
        ping = spec.ping.command(deadline_s=spec.probe_deadline_s)
        s.add(
            "if command -v setsid >/dev/null 2>&1; then",
            f"  setsid {ping} </dev/null >{qm}/ping.out 2>&1 &",
            "else",
            f"  nohup {ping} </dev/null >{qm}/ping.out 2>&1 &",
            "fi",
        )
    else:
        window = math.ceil(spec.lead_seconds + spec.pull_seconds) + 1
        s.add(f"{spec.ping.command(deadline_s=window)} </dev/null >{qm}/ping.out 2>&1 &")
    s.add(f"echo $! > {qm}/ping.pid", f"sleep {_num(spec.lead_seconds)}")
    _snapshot(spec, s, "before")
    s.section("pulled", "printf 't=%s\\n' \"$(now)\"", spec.link_command("down"))
    s.add(f'if [ "$rc" = 0 ]; then sleep {_num(spec.pull_seconds)}; fi')
    _snapshot(spec, s, "during")
    if not spec.probe_detached:
        s.add(f'wait "$(cat {qm}/ping.pid)" 2>/dev/null')
        s.section("probe", f"cat {qm}/ping.out")
    return s


def recheck_lines(spec: PullSpec, script: Script, bond_file: str | None = None) -> None:
    """Judge the bond again on the node, in the command that pulls the port: the pre-check's
    state may be minutes old (an operator reading the plan). Another port must be enslaved and
    MII up now, or the timer is disarmed and the pull refused, the port untouched. Plain sh
    (no awk on minimal nodes); ``bond_file`` is for tests that feed it a saved file."""
    path = _q(bond_file or "/proc/net/bonding/" + spec.bond)
    script.add(
        "others=0; cur=''",
        f"if [ -r {path} ]; then",
        "  while IFS= read -r line; do",
        '    case "$line" in',
        "      'Slave Interface: '*) cur=${line#Slave Interface: };;",
        f'      \'MII Status: up\') if [ -n "$cur" ] && [ "$cur" != {_q(spec.port)} ]; '
        "then others=$((others + 1)); fi;;",
        "    esac",
        f"  done < {path}",
        "fi",
        f'if [ "$others" -lt 1 ]; then undo; refuse "no other port of {spec.bond} is up now '
        f'(read on the node just before the pull); {spec.port} was not touched"; fi',
    )


def sample_lines(spec: PullSpec, script: Script, samples: int, every_s: float) -> None:
    """Append ``samples`` timed copies of the bond file, ``every_s`` apart (for rejoin)."""
    proc = _q("/proc/net/bonding/" + spec.bond)
    script.add("j=0", f'while [ "$j" -lt {int(samples)} ]; do')
    script.section("sample:$j", "now", f"cat {proc}", indent="  ")
    script.add(
        "  j=$((j + 1))",
        f'  [ "$j" -lt {int(samples)} ] && sleep {_num(every_s)}',
        "done",
    )


def restore_script(spec: PullSpec, nonce: str, samples: int, every_s: float) -> Script:
    """Bring the port back (``ip link set up``) and watch the bond for a first while."""
    s = Script(nonce)
    s.section("restored", "printf 't=%s\\n' \"$(now)\"", spec.link_command("up"))
    sample_lines(spec, s, samples, every_s)
    return s


def sample_script(spec: PullSpec, nonce: str, samples: int, every_s: float) -> Script:
    """More timed copies of the bond file while waiting for the port to rejoin."""
    s = Script(nonce)
    sample_lines(spec, s, samples, every_s)
    return s


def finish_script(spec: PullSpec, nonce: str, *, disarm: bool, tail_s: float = 0.0) -> Script:
    """Stop the probe (after ``tail_s`` more seconds) and return its output.

    The timer is disarmed only when ``disarm`` is set, which the runner does only after the
    port has verifiably rejoined; otherwise it is left to fire.
    """
    qm, ql = _q(spec.marker), _q(spec.lock)
    s = Script(nonce)
    if tail_s > 0:
        s.add(f"sleep {_num(tail_s)}")
    s.add(f"pp=$(cat {qm}/ping.pid 2>/dev/null)")
    s.section(
        "probe-state",
        'if running "$pp" ping; then echo running=yes; else echo running=no; fi',
    )
    s.add(
        f"if [ -s {qm}/ping.pid ]; then",
        '  running "$pp" ping && kill -INT "$pp" 2>/dev/null; i=0',
        '  while running "$pp" ping && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done',
        '  running "$pp" ping && kill -KILL "$pp" 2>/dev/null',
        "fi",
    )
    s.section("probe", f"cat {qm}/ping.out")
    if disarm:
        s.add(
            f'[ -s {qm}/unit ] && systemctl stop "$(cat {qm}/unit).timer" >/dev/null 2>&1',
            f"if [ -s {qm}/pid ]; then",
            f'  rp=$(cat {qm}/pid); running "$rp" restorer && kill -{DISARM_SIGNAL} "$rp" '
            "2>/dev/null; i=0",
            '  while running "$rp" restorer && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done',
            "fi",
        )
    s.section(
        "timer",
        f"if [ -e {qm}/fired ]; then echo fired=yes; read -r fa < {qm}/fired; "
        'echo "fired_at=$fa"; else echo fired=no; fi',
        f'if running "$(cat {qm}/pid 2>/dev/null)" restorer; then echo alive=yes; '
        "else echo alive=no; fi",
        f'if [ -s {qm}/unit ] && systemctl is-active --quiet "$(cat {qm}/unit).timer"; '
        "then echo systemd=yes; else echo systemd=no; fi",
        "true",
    )
    if disarm:
        s.add(
            f'if [ "$(cat {ql}/token 2>/dev/null)" = {_q(spec.token)} ]; then rm -rf {ql}; fi',
            f"rm -rf {qm}",
        )
    return s
