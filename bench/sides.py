"""The contenders of the fleet benchmark: each is one child process tree over the same fleet.

* ``bondcheck``: ``bondcheck verify --via ssh`` over every node (connect, collect, parse, check,
  report: the whole product run, start-up included), JSON report;
* ``xargs_ssh``: ``xargs -P J`` running OpenSSH ``ssh NODE cat /proc/net/bonding/bond0``, the
  floor of a shell fan-out;
* ``ansible``: ``ansible fleet -m raw -a 'cat ...' -f J`` (ad hoc, ControlMaster off: every
  node is reached once, and a persisting master would leave the process tree unaccounted);
* ``paramiko``: bench/paramiko_floor.py, a bare paramiko thread pool (the floor under
  bondcheck's SSH library).

A run only counts when every node answered with its bond file (the validators); a side that
lost nodes raises, so no number is ever reported for a partial fleet.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.common import ChildRun, bondcheck_argv, run_child
from bench.sshfleet import FETCH, POLICY, Fleet

SIDES = ("bondcheck", "xargs_ssh", "ansible", "paramiko")
HERE = Path(__file__).resolve().parent


class SideFailed(RuntimeError):
    """A side did not collect every node: its numbers would be meaningless."""


@dataclass(frozen=True)
class SideRun:
    side: str
    nodes: int
    run: ChildRun | None  # None when the run failed
    load: float  # 1-minute load average when the run started
    failure: str | None = None


def _tail(run: ChildRun) -> str:
    text = (run.stderr.strip() or run.stdout.strip()).splitlines()
    return " | ".join(text[-3:])[:500]


def _require(side: str, run: ChildRun, ok: bool, what: str) -> None:
    if run.timed_out:
        raise SideFailed(f"{side}: timed out after {run.wall_s:.0f}s")
    if not ok:
        raise SideFailed(f"{side}: {what} (rc={run.rc}): {_tail(run)}")


def run_bondcheck(fleet: Fleet, jobs: int, timeout: float) -> ChildRun:
    argv = [
        *bondcheck_argv(), "verify", "--policy-file", str(POLICY), "--via", "ssh",
        "--ssh-config", str(fleet.ssh_config), "-j", str(jobs), "--timeout", "60",
        "-o", "json", "-q",
    ]  # fmt: skip
    for node in fleet.nodes:
        argv += ["--node", node]
    run = run_child(argv, timeout=timeout)
    try:
        report = json.loads(run.stdout)
        summary = report["summary"]
        errors = [f"{n['node']}: {n['error']}" for n in report["nodes"] if n.get("error")]
    except (ValueError, KeyError, TypeError):
        summary, errors = {}, []
    want = len(fleet.nodes)
    _require("bondcheck", run, run.rc == 0 and summary.get("pass") == want,
             f"expected {want} passing nodes, got {summary or 'no report'}; "
             f"errors: {errors[:3]}")  # fmt: skip
    return run


def run_xargs_ssh(fleet: Fleet, jobs: int, timeout: float) -> ChildRun:
    argv = ["xargs", "-P", str(jobs), "-I{}", "ssh", "-F", str(fleet.ssh_config), "{}", FETCH]
    run = run_child(argv, timeout=timeout, stdin="".join(f"{n}\n" for n in fleet.nodes))
    got = run.stdout.count("Bonding Mode:")
    _require("xargs_ssh", run, run.rc == 0 and got == len(fleet.nodes),
             f"{got} of {len(fleet.nodes)} bond files")  # fmt: skip
    return run


def ansible_env(fleet: Fleet, jobs: int) -> dict[str, str]:
    from bench.venvs import ansible_bin

    bin_dir = ansible_bin()
    state = fleet.workdir / "ansible"
    state.mkdir(exist_ok=True)
    (state / "none.cfg").write_text("[defaults]\n")
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "ANSIBLE_CONFIG": str(state / "none.cfg"),  # no user or system ansible.cfg
        "ANSIBLE_HOME": str(state),
        "ANSIBLE_LOCAL_TEMP": str(state / "tmp"),
        "ANSIBLE_SSH_ARGS": "-o ControlMaster=no",
        "ANSIBLE_HOST_KEY_CHECKING": "True",
        "ANSIBLE_FORKS": str(jobs),
        "ANSIBLE_TIMEOUT": "30",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_DEPRECATION_WARNINGS": "False",
    }


def run_ansible(fleet: Fleet, jobs: int, timeout: float) -> ChildRun:
    env = ansible_env(fleet, jobs)
    ansible = str(Path(env["PATH"].split(os.pathsep)[0]) / "ansible")
    argv = [ansible, "fleet", "-i", str(fleet.inventory), "-m", "raw", "-a", FETCH,
            "-f", str(jobs)]  # fmt: skip
    run = run_child(argv, env=env, timeout=timeout)
    done = run.stdout.count("| CHANGED | rc=0")
    files = run.stdout.count("Bonding Mode:")
    want = len(fleet.nodes)
    _require("ansible", run, run.rc == 0 and done == want and files == want,
             f"{done} hosts changed, {files} bond files of {want}")  # fmt: skip
    return run


def run_paramiko(fleet: Fleet, jobs: int, timeout: float) -> ChildRun:
    argv = [
        sys.executable, str(HERE / "paramiko_floor.py"), "--addresses-file",
        str(fleet.addresses_file()), "--port", str(fleet.port), "--user", fleet.user,
        "--key", str(fleet.client_key.path), "--host-key-blob", fleet.host_key.blob,
        "-j", str(jobs),
    ]  # fmt: skip
    run = run_child(argv, timeout=timeout)
    try:
        result = json.loads(run.stdout)
    except ValueError:
        result = {}
    _require("paramiko", run, run.rc == 0 and result.get("ok") == len(fleet.nodes),
             f"expected {len(fleet.nodes)} bond files, got {result or 'no output'}")  # fmt: skip
    return run


RUNNERS: dict[str, Callable[[Fleet, int, float], ChildRun]] = {
    "bondcheck": run_bondcheck,
    "xargs_ssh": run_xargs_ssh,
    "ansible": run_ansible,
    "paramiko": run_paramiko,
}


def run_side(side: str, fleet: Fleet, jobs: int, timeout: float) -> SideRun:
    """One measured run; a run that lost nodes is returned with ``failure`` set, not raised,
    so one bad run on a loaded machine is reported without discarding the others."""
    load = round(os.getloadavg()[0], 2)
    try:
        return SideRun(side, len(fleet.nodes), RUNNERS[side](fleet, jobs, timeout), load)
    except SideFailed as exc:
        return SideRun(side, len(fleet.nodes), None, load, failure=str(exc))
