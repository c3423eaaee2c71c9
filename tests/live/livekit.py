"""Helpers for the live-verify lab tests: run the real CLI, arrange node pictures, judge JSON.

The tests reach the lab's real bonded kernels only through bondcheck's own SSH transport
(`--via ssh --ssh-config <the lab's generated config>`), the way an operator would. The lab
harness (tests/lab) is used only to put each node into a scenario or fault first.

Why a picture per node and parallel arranging: a scenario rebuild costs 5-9 s on a TCG guest,
so a round puts all three nodes into their pictures at once and then judges them with ONE
bondcheck call; a picture with ``scenario=None`` continues from the node's current state so a
light fault can be stacked on the previous round's fault instead of paying for a rebuild.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tests.lab.harness import Lab

REPO = Path(__file__).resolve().parents[2]
LACP_POLICY = REPO / "fixtures" / "policies" / "worker-bond-lacp.yaml"
AB_POLICY = REPO / "fixtures" / "policies" / "worker-bond-ab.yaml"
HEALTHY = "healthy-802.3ad"
NODES = ("worker-0", "worker-1", "worker-2")

T = TypeVar("T")
R = TypeVar("R")


# ---- running the CLI ---------------------------------------------------------------------


@dataclass(frozen=True)
class CliRun:
    """One finished bondcheck invocation."""

    code: int
    stdout: str
    stderr: str
    seconds: float

    def report(self) -> dict[str, Any]:
        """The ``-o json`` report on stdout (fails the test with the output if it is not)."""
        try:
            data = json.loads(self.stdout)
        except json.JSONDecodeError as exc:
            raise AssertionError(
                f"stdout is not JSON ({exc}); exit {self.code}\nstdout: {self.stdout[:2000]}"
                f"\nstderr: {self.stderr[:2000]}"
            ) from None
        assert isinstance(data, dict)
        return data

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def clean_env() -> dict[str, str | None]:
    """Unset every BONDCHECK_* variable and the colour switches of the machine running the
    tests: they must not change what the CLI does here."""
    names = [k for k in os.environ if k.startswith("BONDCHECK_")]
    return {**{k: None for k in names}, "NO_COLOR": None, "FORCE_COLOR": None}


def verify_args(
    ssh_config: Path | str,
    nodes: Sequence[str],
    *,
    policy: Path = LACP_POLICY,
    json_output: bool = True,
    extra: Sequence[str] = (),
) -> list[str]:
    """``verify --policy-file P --via ssh --ssh-config F --node N...`` (+ ``-o json``)."""
    args = ["verify", "--policy-file", str(policy), "--via", "ssh", "--ssh-config", str(ssh_config)]
    for node in nodes:
        args += ["--node", node]
    if json_output:
        args += ["-o", "json"]
    return [*args, *extra]


def run_in_process(args: Sequence[str]) -> CliRun:
    """The real Typer app through click's test runner: no interpreter start-up per round."""
    from typer.testing import CliRunner

    from bondcheck.cli.app import build_app

    started = time.monotonic()
    result = CliRunner().invoke(build_app(), list(args), env=clean_env(), catch_exceptions=False)
    return CliRun(result.exit_code, result.stdout, result.stderr, time.monotonic() - started)


def run_subprocess(args: Sequence[str], timeout: float = 300.0) -> CliRun:
    """``python -m bondcheck ARGS`` as a separate process, exactly as a shell would run it."""
    env = {k: v for k, v in os.environ.items() if v is not None}
    for name, value in clean_env().items():
        if value is None:
            env.pop(name, None)
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "bondcheck", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=timeout,
        check=False,
    )
    return CliRun(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - started)


# ---- reading the JSON report ---------------------------------------------------------------


def by_node(report: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The report's node objects keyed by node name."""
    return {n["node"]: n for n in report["nodes"]}


def results(node: Mapping[str, Any], check: str, status: str | None = None) -> list[dict[str, Any]]:
    """The node's results of one check (optionally only those with ``status``)."""
    return [
        r for r in node["results"]
        if r["check"] == check and (status is None or r["status"] == status)
    ]  # fmt: skip


def failed_ids(node: Mapping[str, Any]) -> set[str]:
    return {r["check"] for r in node["results"] if r["status"] == "fail"}


def partner_macs(node: Mapping[str, Any]) -> set[str]:
    """The partner system MACs LACP-PARTNER saw when it passed (the node's own switch)."""
    found: set[str] = set()
    for result in results(node, "LACP-PARTNER", "pass"):
        observed = result.get("observed") or {}
        found.update(str(v) for v in observed.values())
    return found


def switch_mac(index: int) -> str:
    """The MAC of lab node ``index``'s switch-side partner bond (fixed per node by the lab),
    so a report can be tied to the kernel it was read from."""
    return f"02:5e:00:{index:02x}:00:01"


@dataclass(frozen=True)
class Finding:
    """A failing result the report must hold: this check, on this port, saying this."""

    check: str
    port: str | None = None
    says: str = ""

    def __str__(self) -> str:
        where = f" on {self.port}" if self.port else ""
        text = f" saying {self.says!r}" if self.says else ""
        return f"{self.check}{where}{text}"


@dataclass(frozen=True)
class Expect:
    """What one node's verdict must be.

    ``findings`` must all be present as failing results; any other failing check must be in
    ``allowed`` (the same fault's steady state in the real captures may show a few more, e.g.
    PORT-MII beside BOND-MII when every cable is out). A pass expects no failure at all.
    """

    status: str
    findings: tuple[Finding, ...] = ()
    allowed: frozenset[str] = field(default_factory=frozenset)


def mismatches(name: str, node: Mapping[str, Any] | None, expect: Expect) -> list[str]:
    """Human-readable differences between one node's report and its expectation."""
    if node is None:
        return [f"{name}: missing from the report"]
    problems: list[str] = []
    failing = failed_ids(node)
    summary = f"{name}: status {node['status']}, failing {sorted(failing)}, error {node['error']!r}"
    if node["status"] != expect.status:
        problems.append(f"{summary}; expected status {expect.status}")
    if node["transport"] != "ssh":
        problems.append(f"{name}: transport {node['transport']!r}, expected ssh")
    errors = [r["check"] for r in node["results"] if r["status"] == "error"]
    if errors:
        problems.append(f"{name}: checks in error {errors}")
    for finding in expect.findings:
        hits = [
            r for r in results(node, finding.check, "fail")
            if (finding.port is None or r["port"] == finding.port)
            and finding.says in r["message"]
        ]  # fmt: skip
        if not hits:
            problems.append(f"{summary}; no failing {finding}")
    required = {f.check for f in expect.findings}
    extra = failing - required - expect.allowed
    if extra:
        problems.append(f"{summary}; unexpected failing checks {sorted(extra)}")
    return problems


# ---- arranging the lab ---------------------------------------------------------------------

Fault = tuple[str, Mapping[str, str]]


@dataclass(frozen=True)
class Picture:
    """What one node is made to show: a scenario (None: keep the node as it is), then faults
    applied in order (each waits until /proc shows its effect)."""

    scenario: str | None
    faults: tuple[Fault, ...] = ()


def fault(name: str, **kwargs: str) -> Fault:
    return (name, kwargs)


def in_parallel(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """fn over items on one thread each; the first exception is re-raised after all ended."""
    items = list(items)
    if not items:
        return []
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        futures = [pool.submit(fn, item) for item in items]
        return [f.result() for f in futures]


def arrange(lab: Lab, pictures: Mapping[str, Picture]) -> None:
    """Put every node into its picture at once (lab operations on different nodes use
    separate connections, so they may run side by side)."""

    def one(item: tuple[str, Picture]) -> None:
        node, picture = item
        if picture.scenario is not None:
            lab.scenario(node, picture.scenario)
        for name, kwargs in picture.faults:
            args: dict[str, Any] = dict(kwargs)  # fault(wait=, timeout=) are never passed here
            lab.fault(node, name, **args)

    in_parallel(one, pictures.items())


def restore_healthy(lab: Lab, nodes: Iterable[str] = NODES) -> None:
    """Bring nodes back to healthy-802.3ad: a stopped node is booted (its boot scenario is
    healthy-802.3ad), a changed one rebuilt; a node already there is left alone.

    Stopped nodes are booted on the calling thread, one by one: the lab starts QEMU with a
    parent-death signal, and Linux sends it when the spawning THREAD ends, so a guest booted
    from a pool thread would be killed as soon as that thread finished."""
    nodes = list(nodes)
    for node in nodes:
        if not lab.alive(node):
            lab.start_node(node)

    def one(node: str) -> None:
        if lab.current_scenario(node) != HEALTHY:
            lab.scenario(node, HEALTHY)

    in_parallel(one, nodes)


def known_hosts_by_node(lab: Lab) -> dict[str, str]:
    """The lab's known_hosts line of each node (``[127.0.0.1]:PORT type blob``)."""
    lines = [ln for ln in lab.known_hosts_path.read_text().splitlines() if ln.strip()]
    found: dict[str, str] = {}
    for node in lab.nodes:
        name = f"[{node.host}]:{node.port}"
        found[node.name] = next(ln for ln in lines if ln.split()[0] == name)
    return found


# ---- ssh client configs --------------------------------------------------------------------


def lab_host_options(lab: Lab, node: str, known_hosts: Path | None = None) -> dict[str, object]:
    """The options of the lab's own ``Host <node>`` block (tests/lab/sshconn.py writes the
    same), so a test can change one of them and keep the rest."""
    entry = lab.node(node)
    return {
        "HostName": entry.host,
        "Port": entry.port,
        "User": entry.user,
        "IdentityFile": lab.key_path,
        "IdentitiesOnly": "yes",
        "UserKnownHostsFile": known_hosts or lab.known_hosts_path,
        "StrictHostKeyChecking": "yes",
        "BatchMode": "yes",
        "ConnectTimeout": 30,
    }


def write_ssh_config(path: Path, blocks: Mapping[str, Mapping[str, object]]) -> Path:
    """An OpenSSH client config with one ``Host alias`` block per entry, options in order."""
    text = [f"Host {alias}\n" + "".join(f"    {k} {v}\n" for k, v in options.items())
            for alias, options in blocks.items()]  # fmt: skip
    path.write_text("\n".join(text))
    return path
