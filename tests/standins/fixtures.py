"""pytest fixtures for the stand-ins (import with ``from standins.fixtures import *``).

``apiserver``: a started API server stand-in holding a healthy three-worker cluster (nodes,
handler pods, the bond0-lacp NNCP, worker-0's NNCE and NNS). ``kubeconfig``: a kubeconfig for
it. ``debug_cli``: ``oc``/``kubectl`` stand-ins first on PATH, with a fresh state dir.
Point any of them at the QEMU lab with BONDCHECK_STANDIN_SSH_CONFIG (see nodeexec.py).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from standins.apiserver import ApiServerStandIn

BIN = Path(__file__).resolve().parent / "bin"

HEALTHY_CLUSTER = (
    "nodes/nodelist-workers-0-2-master-0.yaml",
    "pods/nmstate-handler-pods.yaml",
    "nncp/bond0-lacp-v1.yaml",
    "nnce/worker-0.bond0-lacp-available.yaml",
    "nns/worker-0.yaml",
)


@pytest.fixture
def apiserver() -> Iterator[ApiServerStandIn]:
    server = ApiServerStandIn().start()
    server.store.load(*HEALTHY_CLUSTER)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kubeconfig(apiserver: ApiServerStandIn, tmp_path: Path) -> Path:
    return apiserver.write_kubeconfig(tmp_path / "kubeconfig")


class DebugCli:
    """The state dir of the oc/kubectl stand-ins, and switches for their behaviour."""

    def __init__(self, state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.state = state
        self._mp = monkeypatch

    def set(self, **env: str) -> None:
        """``set(AUTH="unauthorized")`` sets BONDCHECK_STANDIN_AUTH for the next calls."""
        for key, value in env.items():
            self._mp.setenv(f"BONDCHECK_STANDIN_{key}", value)

    def switch(self, **values: str) -> None:
        """Flip a switch for every later stand-in call, including those of a running bondcheck
        (``switch(AUTH="unauthorized")``: the token expired mid-run)."""
        folder = self.state / "switches"
        folder.mkdir(exist_ok=True)
        for key, value in values.items():
            (folder / key).write_text(value)

    def pods(self) -> list[dict[str, Any]]:
        return [json.loads(p.read_text()) for p in sorted(self.state.glob("pods/*/*.json"))]

    def namespaces(self) -> list[str]:
        return sorted(p.name for p in (self.state / "namespaces").glob("*"))

    def calls(self) -> list[list[str]]:
        path = self.state / "calls.jsonl"
        if not path.exists():
            return []
        return [json.loads(line)["argv"] for line in path.read_text().splitlines()]


@pytest.fixture
def debug_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DebugCli:
    state = tmp_path / "standin-state"
    (state / "pods").mkdir(parents=True)
    (state / "namespaces").mkdir()
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("BONDCHECK_STANDIN_STATE", str(state))
    monkeypatch.setenv("BONDCHECK_STANDIN_PYTHON", sys.executable)  # see bin/oc: no shim
    for name in ("AUTH", "NODES", "HANG_NODES", "LATENCY", "USER"):
        monkeypatch.delenv(f"BONDCHECK_STANDIN_{name}", raising=False)
    return DebugCli(state, monkeypatch)


def serve_bonding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bond0: str) -> Path:
    """Make ``bond0`` the node's /proc/net/bonding/bond0 for every stand-in (oc, kubectl and
    the API server's exec) that runs the collection script locally; returns that directory."""
    folder = tmp_path / "bonding"
    folder.mkdir()
    (folder / "bond0").write_text(bond0)
    monkeypatch.setenv("BONDCHECK_STANDIN_BONDING_DIR", str(folder))
    return folder
