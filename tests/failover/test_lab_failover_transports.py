"""The failover test through the cluster transports, on real kernels (QEMU lab).

The stand-ins relay every node command over ssh to a lab node
(BONDCHECK_STANDIN_SSH_CONFIG, see tests/standins/nodeexec.py): ``--via handler-exec`` goes
through the API server stand-in's pods/exec WebSocket, ``--via oc-debug`` through the ``oc``
stand-in's debug pods. So the failover scripts run exactly as they would in a cluster, and
act on a real bonding driver.

A debug pod's processes die with the pod, and the handler pod's with an nmstate upgrade or a
drain, so both need a systemd timer on the host; the lab guests have no systemd, so there the
pre-check must refuse and leave the node exactly as it was. (The pull itself is proven on
real kernels over ssh: test_lab_failover.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.fixtures import (  # noqa: F401 - pytest fixtures
    DebugCli,
    apiserver,
    debug_cli,
    kubeconfig,
)

from tests.failover.labkit import (
    LACP_POLICY,
    NODE,
    markers,
    port_state,
    ports,
    quiesce,
    run_cli,
)
from tests.lab.harness import Lab

FAST = ("--yes", "--pull-seconds", "2", "--restore-after", "90", "--rejoin-timeout", "40")
PORTS = ("ens224", "ens256")


@pytest.fixture()
def node(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """A quiet lab node in the healthy 802.3ad scenario, reached through the stand-ins."""
    monkeypatch.setenv("BONDCHECK_STANDIN_SSH_CONFIG", str(lab.ssh_config_path))
    quiesce(lab)
    lab.scenario(NODE, "healthy-802.3ad", force=True)
    assert markers(lab) == []
    yield lab
    quiesce(lab)


def test_handler_exec_failover_is_refused_without_systemd_and_changes_nothing(
    node: Lab,
    apiserver: ApiServerStandIn,  # noqa: F811 - the stand-in fixture imported above
    kubeconfig: Path,  # noqa: F811
) -> None:
    """Deleting the handler pod mid-pull would kill a timer that lives in it: refused."""
    before = {p: port_state(node, p) for p in PORTS}
    rc, report, err = run_cli(
        node, LACP_POLICY, *FAST, "--via", "handler-exec", "--kubeconfig", str(kubeconfig)
    )
    assert rc == 4, err
    assert report["nodes"][0]["transport"] == "handler-exec"
    for port in ports(report).values():
        assert port["status"] == "refused", port
        assert any("systemd" in p and "--via handler-exec" in p for p in port["problems"]), port
        assert port.get("restore_timer") is None  # never armed
    assert {p: port_state(node, p) for p in PORTS} == before
    assert markers(node) == []


def test_oc_debug_failover_is_refused_without_systemd_and_changes_nothing(
    node: Lab,
    debug_cli: DebugCli,  # noqa: F811 - the stand-in fixture imported above
) -> None:
    before = {p: port_state(node, p) for p in PORTS}
    rc, report, err = run_cli(node, LACP_POLICY, *FAST, "--via", "oc-debug")
    assert rc == 4, err
    assert report["nodes"][0]["transport"] == "oc-debug"
    result = ports(report)
    assert list(result) == list(PORTS)
    for port in result.values():
        assert port["status"] == "refused", port
        assert any("systemd" in p and "--via oc-debug" in p for p in port["problems"]), port
        assert port.get("restore_timer") is None  # never armed
    assert {p: port_state(node, p) for p in PORTS} == before  # admin, carrier, MII, failures
    assert markers(node) == []
    assert debug_cli.pods() == []  # every debug pod was removed again
    assert any(f"node/{NODE}" in argv for argv in debug_cli.calls())  # it went through oc
