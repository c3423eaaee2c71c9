"""The failover test through the cluster transports, on real kernels (QEMU lab).

The stand-ins relay every node command over ssh to a lab node
(BONDCHECK_STANDIN_SSH_CONFIG, see tests/standins/nodeexec.py): ``--via handler-exec`` goes
through the API server stand-in's pods/exec WebSocket, ``--via oc-debug`` through the ``oc``
stand-in's debug pods. So the failover scripts run exactly as they would in a cluster, and
act on a real bonding driver.

handler-exec runs in a long-lived pod, so the detached restore timer survives each exec and
a real pull is made. A debug pod's processes die with the pod, so oc-debug needs a systemd
timer on the host; the lab guests have no systemd, so there the pre-check must refuse and
leave the node exactly as it was.
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
from tests.lab import bondproc as bp
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


def test_handler_exec_failover_pulls_and_restores_a_real_port(
    node: Lab,
    apiserver: ApiServerStandIn,  # noqa: F811 - the stand-in fixture imported above
    kubeconfig: Path,  # noqa: F811
) -> None:
    rc, report, err = run_cli(
        node, LACP_POLICY, *FAST, "--port", "ens224",
        "--via", "handler-exec", "--kubeconfig", str(kubeconfig),
    )  # fmt: skip
    assert rc == 0, err
    assert report["nodes"][0]["transport"] == "handler-exec"
    port = ports(report)["ens224"]
    assert port["status"] == "pass", port
    assert port["lost_probes"] is not None and port["lost_probes"] <= 50
    assert port["probes_sent"] > 0
    assert port["max_gap_ms"] is None or port["max_gap_ms"] <= 1000
    assert 100 <= port["rejoin_ms"] <= 40000  # LACP renegotiation: seconds, never instant
    assert port["restore_timer"] == "disarmed"
    assert port["counters"]["ens256"]["rx_packets"] > 0  # the other port carried the probe
    assert markers(node) == []  # timer disarmed, lock released, marker cleaned up
    state = port_state(node, "ens224")
    assert state.admin_up and state.carrier and state.mii == "up"
    text = node.bonding_text(NODE)
    assert text is not None
    bond = bp.parse(text)
    assert bond.active_aggregator is not None
    assert bond.ports["ens224"].aggregator == bond.active_aggregator  # back in the aggregator


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
