"""The cluster transports against real bonded kernels: the stand-ins relay node commands over
ssh to the QEMU lab (BONDCHECK_STANDIN_SSH_CONFIG), so oc-debug, kubectl-debug and
handler-exec read a real /proc/net/bonding/bond0 and real ``ip -j`` output."""

from __future__ import annotations

import json
from typing import Any

import pytest
from standins.apiserver import ApiServerStandIn
from standins.fixtures import DebugCli

from bondcheck.model import NodeTarget
from bondcheck.transport.handler_exec import HandlerExecTransport
from bondcheck.transport.kubectl_debug import KubectlDebugTransport
from bondcheck.transport.oc_debug import OcDebugTransport
from bondcheck.transport.options import TransportOptions


@pytest.fixture
def via_lab(lab: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("BONDCHECK_STANDIN_SSH_CONFIG", str(lab.ssh_config_path))
    lab.scenario("worker-0", "healthy-802.3ad")
    return lab


def _check_real_bond(ev: Any) -> None:
    text = ev.bonds["bond0"]
    assert text is not None
    assert "Bonding Mode: IEEE 802.3ad Dynamic link aggregation" in text
    assert "Slave Interface: ens224" in text and "Slave Interface: ens256" in text
    assert ev.privileged is True  # root in the lab: the LACP details are there
    assert "details partner lacp pdu:" in text
    names = {link["ifname"] for link in json.loads(ev.ip_addr or "[]")}
    assert {"bond0", "ens224", "ens256"} <= names


def test_oc_debug_reads_a_real_bond(via_lab: Any, debug_cli: DebugCli) -> None:
    ev = OcDebugTransport(TransportOptions()).collect(NodeTarget("worker-0"), ["bond0"], 120)
    _check_real_bond(ev)
    assert debug_cli.pods() == []


def test_kubectl_debug_reads_a_real_bond(via_lab: Any, debug_cli: DebugCli) -> None:
    ev = KubectlDebugTransport(TransportOptions()).collect(NodeTarget("worker-0"), ["bond0"], 120)
    _check_real_bond(ev)
    assert debug_cli.pods() == []


def test_handler_exec_reads_a_real_bond(
    via_lab: Any, apiserver: ApiServerStandIn, kubeconfig: Any
) -> None:
    transport = HandlerExecTransport(TransportOptions(kubeconfig=str(kubeconfig)))
    ev = transport.collect(NodeTarget("worker-0"), ["bond0"], 120)
    _check_real_bond(ev)
