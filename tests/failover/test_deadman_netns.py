"""The dead-man switch for real: kernel links in network namespaces, real sh, real timers.

No bonding is needed to prove the timer: a veth "port" in a namespace is pulled by the very
scripts bondcheck sends to nodes, and the test watches the kernel bring it back. Runs as
root with ``ip netns`` and a ``ping`` (busybox will do); skipped elsewhere - the lab tests
prove the same on real bonds.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bondcheck.failover import deadman, steps
from bondcheck.failover.deadman import PingSpec, PullSpec
from bondcheck.failover.node import RootShell, shell_command

NODE, PEER = f"bcn{os.getpid()}", f"bcp{os.getpid()}"


def _can_run() -> str | None:
    if os.geteuid() != 0:
        return "needs root"
    if not shutil.which("ip"):
        return "needs iproute2"
    if not (shutil.which("ping") or shutil.which("busybox")):
        return "needs ping or busybox"
    probe = subprocess.run(["ip", "netns", "add", f"bcq{os.getpid()}"], capture_output=True)
    if probe.returncode != 0:
        return "ip netns is not permitted here"
    subprocess.run(["ip", "netns", "del", f"bcq{os.getpid()}"], capture_output=True)
    return None


pytestmark = pytest.mark.skipif(bool(_can_run()), reason=_can_run() or "")


class NetnsShell:
    """A NodeShell whose "node" is a network namespace on this machine."""

    def __init__(self, bindir: Path) -> None:
        self.env = dict(os.environ, PATH=f"{bindir}:{os.environ.get('PATH', '')}")

    def argv(self, command: str) -> list[str]:
        return ["ip", "netns", "exec", NODE, "sh", "-c", command]

    def run(self, command: str, timeout: float, stdin: str | None = None) -> tuple[int, str, str]:
        p = subprocess.run(self.argv(command), input=stdin, capture_output=True, text=True,
                           timeout=timeout, env=self.env, check=False)  # fmt: skip
        return p.returncode, p.stdout, p.stderr


def flags() -> list[str]:
    out = subprocess.run(["ip", "-n", NODE, "-j", "link", "show", "dev", "p0"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    return list(json.loads(out)[0]["flags"])


@pytest.fixture()
def node(tmp_path: Path) -> Iterator[tuple[RootShell, NetnsShell, Path]]:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    if not shutil.which("ping"):
        (bindir / "ping").symlink_to(shutil.which("busybox") or "busybox")
    cmds = [
        ["ip", "netns", "add", NODE], ["ip", "netns", "add", PEER],
        ["ip", "-n", NODE, "link", "add", "p0", "type", "veth", "peer", "name", "s0",
         "netns", PEER],
        ["ip", "-n", NODE, "addr", "add", "10.199.0.2/24", "dev", "p0"],
        ["ip", "-n", PEER, "addr", "add", "10.199.0.1/24", "dev", "s0"],
        ["ip", "-n", NODE, "link", "set", "p0", "up"],
        ["ip", "-n", PEER, "link", "set", "s0", "up"],
        # a second link that is never pulled: the probe's path, so it keeps answering
        ["ip", "-n", NODE, "link", "add", "p1", "type", "veth", "peer", "name", "s1",
         "netns", PEER],
        ["ip", "-n", NODE, "addr", "add", "10.199.1.2/24", "dev", "p1"],
        ["ip", "-n", PEER, "addr", "add", "10.199.1.1/24", "dev", "s1"],
        ["ip", "-n", NODE, "link", "set", "p1", "up"],
        ["ip", "-n", PEER, "link", "set", "s1", "up"],
    ]  # fmt: skip
    try:
        for cmd in cmds:
            subprocess.run(cmd, check=True, capture_output=True)
        shell = NetnsShell(bindir)
        root = RootShell(shell, NODE)
        root.detect()
        yield root, shell, tmp_path / "run"
    finally:
        for ns in (NODE, PEER):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def make_spec(base: Path, restore_after: int = 2, pull: float = 0.5) -> PullSpec:
    return PullSpec(
        token=os.urandom(4).hex(), base_dir=str(base), bond="bond0", port="p0",
        restore_after=restore_after, pull_seconds=pull, watch=("p0",),
        ping=PingSpec("10.199.1.1", interval_s=0.01, timestamps=False, numeric=False),
        lead_seconds=0.2, probe_deadline_s=10, use_systemd=False,
        recheck=False,  # this kernel has no bonding driver: the veth stands in for a port
    )  # fmt: skip


def wait_up(limit: float) -> float:
    start = time.monotonic()
    while "UP" not in flags():
        assert time.monotonic() - start < limit, f"p0 still down after {limit} s"
        time.sleep(0.05)
    return time.monotonic() - start


def test_timer_fires_when_nobody_restores(node: tuple[RootShell, NetnsShell, Path]) -> None:
    root, _shell, base = node
    spec = make_spec(base)
    pulled = steps.run_pull(root, spec)
    assert pulled.error is None and pulled.mechanisms == ("setsid",)
    assert pulled.pull_rc == "0" and "UP" not in flags()
    assert pulled.during is not None and not pulled.during.links["p0"].admin_up
    wait_up(spec.restore_after + 3)
    # the timer brings the port up first, then records it and releases the lock
    fired, lock = Path(spec.marker) / "fired", Path(spec.lock)
    deadline = time.monotonic() + 10
    while (not fired.exists() or lock.exists()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "up=yes" in fired.read_text()
    assert not lock.exists()


def test_disarm_after_restore(node: tuple[RootShell, NetnsShell, Path]) -> None:
    root, _shell, base = node
    spec = make_spec(base, restore_after=3)
    assert steps.run_pull(root, spec).error is None
    t_up, rc, samples = steps.run_restore(root, spec, 2, 0.1)
    assert rc == "0" and t_up is not None and len(samples) == 2
    finish = steps.run_finish(root, spec, disarm=True, tail_s=0)
    assert finish.probe_running and not finish.fired and not finish.alive
    assert "bytes from 10.199.1.1" in finish.probe_text
    assert not Path(spec.marker).exists() and not Path(spec.lock).exists()
    time.sleep(spec.restore_after + 1)
    assert not Path(spec.marker).exists()  # nothing fired later
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert spec.token not in ps


def test_a_killed_session_does_not_strand_the_port(
    node: tuple[RootShell, NetnsShell, Path],
) -> None:
    _root, shell, base = node
    spec = make_spec(base, restore_after=3, pull=2.0)
    command = shell_command(deadman.pull_script(spec, "ab12").text(), sudo=False)
    proc = subprocess.Popen(shell.argv(command), env=shell.env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    start = time.monotonic()
    while "UP" in flags():
        assert time.monotonic() - start < 10 and proc.poll() is None
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGHUP)  # the session hangs up ...
    os.killpg(proc.pid, signal.SIGKILL)  # ... and is killed
    proc.wait()
    assert "UP" not in flags()
    waited = wait_up(spec.restore_after + 3)
    assert waited <= spec.restore_after + 3
    deadline = time.monotonic() + 10
    while not (Path(spec.marker) / "fired").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (Path(spec.marker) / "fired").exists()


def test_a_second_pull_is_locked_out(node: tuple[RootShell, NetnsShell, Path]) -> None:
    root, _shell, base = node
    first = make_spec(base, restore_after=3)
    assert steps.run_pull(root, first).error is None
    second = steps.run_pull(root, make_spec(base))
    assert second.error is not None and "another failover test holds" in second.error
    assert first.token in second.error
    assert steps.run_restore(root, first, 1, 0.1)[1] == "0"
    assert not steps.run_finish(root, first, disarm=True, tail_s=0).fired
    assert "UP" in flags() and not Path(first.lock).exists()
