"""``bondcheck verify --via kubectl-debug`` with the real kubectl, on the QEMU lab's real
kernels: the API server stand-in runs each debug pod's command on the lab node its nodeName
names (over ssh, BONDCHECK_STANDIN_SSH_CONFIG). Markers ``lab`` and ``real_kubectl``."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from standins.apiserver import ApiServerStandIn
from standins.fixtures import HEALTHY_CLUSTER

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"
KUBECTL = shutil.which("kubectl")
pytestmark = [
    pytest.mark.real_kubectl,
    pytest.mark.skipif(KUBECTL is None, reason="no kubectl on PATH"),
]


def test_real_verdicts_through_the_real_kubectl(
    lab: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab.scenario("worker-0", "healthy-802.3ad")
    lab.scenario("worker-1", "healthy-802.3ad")
    lab.fault("worker-1", "cable-pull", port="ens224")
    # The stand-in (in this process) runs each pod's command on the lab node it names.
    monkeypatch.setenv("BONDCHECK_STANDIN_SSH_CONFIG", str(lab.ssh_config_path))
    server = ApiServerStandIn(tls=True, minor_version="32").start()
    try:
        server.store.load(*HEALTHY_CLUSTER)
        server.store.load(POLICY)
        # Someone else's debug pod on worker-0: bondcheck deletes its own pods, never this.
        other = {"nodeName": "worker-0", "containers": [{"name": "debugger", "image": "busybox"}]}
        meta = {"name": "node-debugger-worker-0-zzzzz", "namespace": "default"}
        server.store.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": other})
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BONDCHECK_")}
        collect_dir = tmp_path / "evidence"
        base = ["--policy", "lab-bond0-802.3ad", "--via", "kubectl-debug",
                "--kubeconfig", str(kubeconfig), "--kubectl", str(KUBECTL),
                "--node", "worker-0", "--node", "worker-1"]  # fmt: skip
        verify = subprocess.run([sys.executable, "-m", "bondcheck", "verify", *base, "-o", "json"],
                                capture_output=True, text=True, timeout=300, env=env,
                                check=False)  # fmt: skip
        collect = subprocess.run([sys.executable, "-m", "bondcheck", "collect", *base,
                                  "--out", str(collect_dir)], capture_output=True, text=True,
                                 timeout=300, env=env, check=False)  # fmt: skip
        leftover = server.store.list("pods", namespace="default")
        deletes = [p for m, p in server.requests if m == "DELETE"]
    finally:
        server.stop()
        lab.scenario("worker-1", "healthy-802.3ad", force=True)
    assert verify.returncode == 1, verify.stderr
    nodes = {n["node"]: n for n in json.loads(verify.stdout)["nodes"]}
    # The stand-in holds no NNCE of the lab policy: POLICY-ENACTMENT warns, nothing else may.
    bad = [(r["check"], r["status"]) for r in nodes["worker-0"]["results"]
           if r["status"] not in ("pass", "skip")]  # fmt: skip
    assert bad == [("POLICY-ENACTMENT", "warn")]
    failed = [
        (r["check"], r["port"]) for r in nodes["worker-1"]["results"] if r["status"] == "fail"
    ]
    assert failed == [("PORT-MII", "ens224")]
    assert collect.returncode == 0, collect.stderr
    text = (collect_dir / "worker-0" / "proc" / "net" / "bonding" / "bond0").read_text()
    assert "details partner lacp pdu:" in text  # read with CAP_NET_ADMIN, as sysadmin gives
    assert [p["metadata"]["name"] for p in leftover] == ["node-debugger-worker-0-zzzzz"]
    events = server.store.events_after(0, "pods", "default", 0)
    created = sorted({p["metadata"]["name"] for _, e, p in events if e == "ADDED"})
    mine = sorted(d.rsplit("/", 1)[1] for d in deletes)
    assert mine == [n for n in created if n != "node-debugger-worker-0-zzzzz"]
    assert len(mine) == 4  # each debug pod bondcheck made (2 nodes x verify, collect), once
