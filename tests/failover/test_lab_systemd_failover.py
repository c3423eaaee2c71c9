"""Failover through debug pods on a node that boots systemd (QEMU lab, ``lab_systemd``).

``--via oc-debug`` and ``--via kubectl-debug`` run every command in a new debug pod, and a
pod's processes die with it, so these transports arm the restore as a transient
``systemd-run`` timer on the host (tests/failover/test_lab_failover_transports.py shows the
refusal where there is no systemd). Here the node is the ``worker-sd-0`` guest: the same
Debian cloud kernel and bonding driver with a real LACP partner, and Debian's own systemd as
PID 1. The ``oc``/``kubectl`` stand-ins run each pod's command on it over ssh in the pod's own
cgroup (a transient scope, as CRI-O with the systemd cgroup manager does) and kill that
cgroup when the pod is deleted (tests/standins/nodeexec.py), so the ``setsid`` restorer a pull
also starts dies with its pod, as in a cluster. What brings a port back when bondcheck cannot
is therefore the systemd timer alone, and these tests show it does: systemd's journal shows it
starting the transient unit and the restore's own log line, and the units are gone afterwards.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.fixtures import (  # noqa: F401 - pytest fixture
    BIN,
    HEALTHY_CLUSTER,
    DebugCli,
    debug_cli,
)
from standins.nodeexec import ENV_POD_CGROUPS, ENV_SSH_CONFIG

from bondcheck.errors import EXIT_COLLECT
from bondcheck.failover.shells import EARLY_END
from tests.failover.labkit import (
    LACP_POLICY,
    MARKERS,
    REPO,
    cli_args,
    markers,
    port_state,
    ports,
    quiesce,
    run_cli,
    timer_seconds,
    wait,
)
from tests.lab import bondproc as bp
from tests.lab.harness import Lab

NODE = "worker-sd-0"
PORTS = ("ens224", "ens256")
FAST = ("--yes", "--pull-seconds", "2", "--restore-after", "90", "--rejoin-timeout", "40")
SLACK = 10  # seconds a timer may run late by the node's clock on a loaded emulated guest
UNITS = "'bondcheck-restore-*' 'standin-pod-*'"
TOOL = {"oc-debug": "oc", "kubectl-debug": "kubectl"}
KUBECTL = shutil.which("kubectl")  # the real one: read before the stand-ins go first on PATH


@pytest.fixture()
def sd(
    lab_systemd: Lab,
    debug_cli: DebugCli,  # noqa: F811 - the stand-in fixture imported above
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Lab]:
    """The systemd node, quiet and in the healthy 802.3ad scenario, behind the stand-ins."""
    monkeypatch.setenv(ENV_SSH_CONFIG, str(lab_systemd.ssh_config_path))
    monkeypatch.setenv(ENV_POD_CGROUPS, "1")
    _quiesce(lab_systemd)
    lab_systemd.scenario(NODE, "healthy-802.3ad", force=True)
    assert markers(lab_systemd, NODE) == []
    assert units(lab_systemd) == []
    yield lab_systemd
    _quiesce(lab_systemd)


def _quiesce(lab: Lab) -> None:
    lab.run(NODE, f"systemctl stop {UNITS} 2>/dev/null; true")
    quiesce(lab, NODE)


def units(lab: Lab) -> list[str]:
    """bondcheck's restore units and the stand-in's pod scopes that systemd still knows."""
    _rc, out, _err = lab.run(
        NODE, f"systemctl list-units --all --plain --no-legend {UNITS}", mutates=False
    )
    return [line.split()[0] for line in out.splitlines() if line.strip()]


def journal(lab: Lab, *match: str) -> str:
    """The node's journal, ``journalctl -o cat`` with these matches."""
    _rc, out, _err = lab.run(NODE, f"journalctl --no-pager -o cat {' '.join(match)}")
    return out


def token(lab: Lab) -> str:
    (found,) = [m["dir"] for m in markers(lab, NODE) if m["dir"].startswith(MARKERS)]
    return found.rsplit("failover-", 1)[1]


def alive(lab: Lab, pid: str) -> bool:
    rc, _out, _err = lab.run(NODE, f"kill -0 {int(pid)}", mutates=False)
    return rc == 0


def restorer_pid(lab: Lab) -> str:
    return lab.check(NODE, f"cat {MARKERS}/failover-{token(lab)}/pid", mutates=False).strip()


def standin(tool: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the oc/kubectl stand-in as an operator would (``oc delete pod ...``)."""
    return subprocess.run([str(BIN / tool), *args], capture_output=True, text=True,
                          timeout=180, check=False)  # fmt: skip


def await_pull(lab: Lab, port: str, proc: subprocess.Popen[str]) -> None:
    def done() -> bool:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"bondcheck ended (rc={proc.returncode}) first: {err} {out}")
        return not port_state(lab, port, NODE).admin_up

    wait(done, 300, f"{port} pulled", every=0.2)


def assert_restored_by_systemd(lab: Lab, port: str, restore_after: int) -> None:
    """The port comes back by the transient timer, on time by the node's clock, and the
    transient units are gone once it has run."""
    wait(lambda: port_state(lab, port, NODE).admin_up, restore_after + 90, f"{port} back up")
    unit = f"bondcheck-restore-{token(lab)}.service"
    started = f"Started {unit} - bondcheck failover restore of {port}."
    wait(lambda: started in journal(lab, "-u", unit), 30, f"systemd starting {unit}")
    fired = f"failover restore timer fired: ip link set dev {port} up (ok=yes)"
    assert fired in journal(lab, "-t", "bondcheck")  # the restore's own log line
    assert restore_after - 1 <= timer_seconds(lab, NODE) <= restore_after + SLACK
    wait(lambda: units(lab) == [], 30, "the transient units gone")
    lab.wait_for(NODE, bp.lacp_converged(), 90, "LACP converged again")


@pytest.mark.parametrize("via", ["oc-debug", "kubectl-debug"])
def test_failover_through_debug_pods_passes(sd: Lab, debug_cli: DebugCli, via: str) -> None:  # noqa: F811
    """Both ports pulled in turn through debug pods: measured gap and rejoin, the systemd timer
    armed for each pull and disarmed after, nothing left on the node or in the cluster."""
    rc, report, err = run_cli(sd, LACP_POLICY, *FAST, "--via", via, node=NODE)
    assert rc == 0, err
    assert report["nodes"][0]["transport"] == via
    result = ports(report)
    assert list(result) == list(PORTS)
    for port in result.values():
        assert port["status"] == "pass", port
        assert "systemd" in port["restore_mechanisms"], port
        assert port["restore_timer"] == "disarmed"
        assert port["max_gap_ms"] is not None and port["max_gap_ms"] <= 1000, port
        assert port["rejoin_ms"] is not None and 100 <= port["rejoin_ms"] <= 40000, port
        other = "ens256" if port["port"] == "ens224" else "ens224"
        assert port["active_port_during"] in (None, other)
    assert {p: port_state(sd, p, NODE).admin_up for p in PORTS} == dict.fromkeys(PORTS, True)
    assert markers(sd, NODE) == []
    assert units(sd) == []  # timers stopped, every pod's scope gone
    assert debug_cli.pods() == []  # bondcheck removed every debug pod it made
    assert any(f"node/{NODE}" in " ".join(argv) for argv in debug_cli.calls())


@pytest.mark.parametrize("via", ["oc-debug", "kubectl-debug"])
def test_debug_pod_deleted_mid_pull_systemd_timer_restores(
    sd: Lab,
    debug_cli: DebugCli,  # noqa: F811
    via: str,
) -> None:
    """The pull's debug pod is deleted under it and the node goes NotReady: bondcheck can
    neither finish nor restore, the pod's restorer died with it, and the systemd timer brings
    the port back."""
    restore_after = 30
    args = cli_args(sd, LACP_POLICY, "-o", "json", "--yes", "--port", "ens224",
                    "--pull-seconds", "20", "--restore-after", str(restore_after),
                    "--via", via, node=NODE)  # fmt: skip
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ))  # fmt: skip
    try:
        await_pull(sd, "ens224", proc)
        restorer = restorer_pid(sd)
        assert alive(sd, restorer)  # the setsid restorer runs, inside the pull's pod
        (pod,) = debug_cli.pods()
        # The node goes NotReady: no new pod starts there, so bondcheck cannot restore.
        debug_cli.switch(HANG_NODES=NODE, HANG_SECONDS="3")
        name, ns = pod["metadata"]["name"], pod["metadata"]["namespace"]
        deleted = standin(TOOL[via], "delete", "pod", name, "-n", ns)
        assert deleted.returncode == 0, deleted.stderr
        assert not alive(sd, restorer)  # killed with its pod's cgroup
        out, err = proc.communicate(timeout=300)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
    assert proc.returncode == EXIT_COLLECT, err
    assert "Traceback" not in err
    (port,) = ports(json.loads(out)).values()
    assert port["status"] == "error", port
    assert EARLY_END in port["message"], port  # why the pull's output stopped
    # bondcheck did not bring it back itself (it would say it ran `ip link set ... up`) ...
    said = "could not reach the node again: its restore timer brings ens224 back up 30 s after"
    assert said in port["message"], port
    # ... and by now (its retries take about as long as the timer) the timer may have fired
    assert_restored_by_systemd(sd, "ens224", restore_after)


@pytest.mark.parametrize("via", ["oc-debug", "kubectl-debug"])
def test_controller_sigkilled_mid_pull_systemd_timer_restores(
    sd: Lab,
    debug_cli: DebugCli,  # noqa: F811
    via: str,
) -> None:
    """bondcheck and its oc or kubectl die by SIGKILL mid-pull (the laptop died). The debug
    pod they left behind is deleted (an operator's cleanup): its processes go with it, and the
    systemd timer alone brings the port back."""
    restore_after = 30
    args = cli_args(sd, LACP_POLICY, "--yes", "--port", "ens224", "--pull-seconds", "20",
                    "--restore-after", str(restore_after), "--via", via,
                    node=NODE)  # fmt: skip
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ), start_new_session=True)  # fmt: skip
    try:
        await_pull(sd, "ens224", proc)
        os.killpg(proc.pid, signal.SIGKILL)  # bondcheck and the oc/kubectl it runs
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    restorer = restorer_pid(sd)
    (pod,) = debug_cli.pods()  # oc died before its clean-up, kubectl never has one
    assert alive(sd, restorer)
    deleted = standin(TOOL[via], "delete", "pod", pod["metadata"]["name"],
                      "-n", pod["metadata"]["namespace"])  # fmt: skip
    assert deleted.returncode == 0, deleted.stderr
    assert not alive(sd, restorer)
    assert not port_state(sd, "ens224", NODE).admin_up
    started = time.monotonic()
    assert_restored_by_systemd(sd, "ens224", restore_after)
    assert time.monotonic() - started <= restore_after + 90


@pytest.mark.real_kubectl
@pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH")
def test_failover_through_the_real_kubectl(
    sd: Lab, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real kubectl (v1.32) drives the debug pods against the API server stand-in, which
    runs each container's command on the systemd node in the pod's cgroup: the failover passes,
    the systemd timer armed and disarmed, and bondcheck deletes exactly the pods it made."""
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kubecache"))  # see tests/cluster/conftest
    server = ApiServerStandIn(tls=True, minor_version="32").start()
    try:
        server.store.load(*HEALTHY_CLUSTER)
        node = copy.deepcopy(server.store.get("nodes", "worker-0"))
        assert node is not None
        node["metadata"] = {"name": NODE, "labels": {**node["metadata"]["labels"],
                                                     "kubernetes.io/hostname": NODE}}  # fmt: skip
        server.store.create(node)
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        rc, report, err = run_cli(sd, LACP_POLICY, *FAST, "--port", "ens224", "--via",
                                  "kubectl-debug", "--kubeconfig", str(kubeconfig),
                                  "--kubectl", str(KUBECTL), node=NODE)  # fmt: skip
        events = server.store.events_after(0, "pods", "default", 0)
        created = sorted({p["metadata"]["name"] for _, e, p in events if e == "ADDED"})
        deleted = sorted(p.rsplit("/", 1)[1] for m, p in server.requests if m == "DELETE")
        leftover = server.store.list("pods", namespace="default")
    finally:
        server.stop()
    assert rc == 0, err
    (port,) = ports(report).values()
    assert port["status"] == "pass", port
    assert "systemd" in port["restore_mechanisms"] and port["restore_timer"] == "disarmed"
    assert port["rejoin_ms"] is not None
    assert created and deleted == created and leftover == []
    assert units(sd) == [] and markers(sd, NODE) == []
    scopes = journal(sd, "_PID=1")  # systemd's own lines: each container ran in its pod's scope
    assert all(f"standin-pod-{name}.scope" in scopes for name in created), scopes[-2000:]
