"""``bondcheck verify -o prometheus`` over real SSH from real kernels: a healthy node, a pulled
cable, a node without an LACP partner and an address on a port, judged in one call, and the
series an alert keys on flip exactly on the faulted node (the real promtool lints the output).
"""

from __future__ import annotations

from tests.lab.harness import Lab
from tests.prom.stack import run_promtool
from tests.prom.test_exposition import series, value

from .livekit import HEALTHY, Picture, arrange, fault, restore_healthy, run_in_process, verify_args


def test_metrics_from_real_kernels_flip_with_each_fault(lab: Lab) -> None:
    arrange(
        lab,
        {
            "worker-0": Picture(HEALTHY),
            "worker-1": Picture(HEALTHY, (fault("cable-pull", port="ens224"),)),
            "worker-2": Picture("fault-no-lacp-partner"),
        },
    )
    nodes = ["worker-0", "worker-1", "worker-2"]
    run = run_in_process(
        verify_args(lab.ssh_config_path, nodes, json_output=False, extra=["-o", "prometheus"])
    )
    restore_healthy(lab)
    assert run.code == 1, run.output
    lint = run_promtool("check", "metrics", stdin=run.stdout)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    s = series(run.stdout)

    def status(node: str) -> str:
        on = [
            st for st in ("pass", "warn", "fail", "skip", "error")
            if value(s, "bondcheck_node_status", node=node, status=st) == 1
        ]  # fmt: skip
        assert len(on) == 1, (node, on)
        return on[0]

    assert [status(n) for n in nodes] == ["pass", "fail", "fail"]
    for node in nodes:
        assert value(s, "bondcheck_bond_info", node=node, mode="802.3ad") == 1
        assert value(s, "bondcheck_bond_ports", node=node) == 2
    # worker-0: everything up, both ports with the real switch-side partner, in sync.
    for port in ("ens224", "ens256"):
        at = {"node": "worker-0", "bond": "bond0", "port": port}
        assert value(s, "bondcheck_port_mii_up", **at) == 1
        assert value(s, "bondcheck_lacp_partner_present", **at) == 1
        assert value(s, "bondcheck_lacp_port_in_active_aggregator", **at) == 1
        assert value(s, "bondcheck_lacp_partner_port_state", **at) == 63
    # worker-1: the pulled cable is MII down and counted as a link failure by the kernel.
    pulled = {"node": "worker-1", "bond": "bond0", "port": "ens224"}
    assert value(s, "bondcheck_port_mii_up", **pulled) == 0
    assert value(s, "bondcheck_port_link_failures_total", **pulled) >= 1
    assert value(s, "bondcheck_port_mii_up", node="worker-1", port="ens256") == 1
    assert value(s, "bondcheck_check_result", node="worker-1", check="PORT-MII",
                 port="ens224", result="fail") == 1  # fmt: skip
    # worker-2: links up, no LACPDU from the switch side (a bridge) on either port.
    for port in ("ens224", "ens256"):
        at = {"node": "worker-2", "bond": "bond0", "port": port}
        assert value(s, "bondcheck_port_mii_up", **at) == 1
        assert value(s, "bondcheck_lacp_partner_present", **at) == 0


def test_agent_judges_a_tree_collected_from_a_real_kernel(lab: Lab, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`collect` over SSH from a lab node, then the node agent on that tree: the verdicts and
    the LACP series come from the real kernel's text (the real switch-side partner MAC)."""
    from tests.agent.running import running_agent

    from .livekit import LACP_POLICY, switch_mac

    arrange(lab, {"worker-0": Picture(HEALTHY)})
    out = tmp_path / "tree"
    collect = run_in_process(["collect", "--policy-file", str(LACP_POLICY), "--via", "ssh",
                              "--ssh-config", str(lab.ssh_config_path), "--node", "worker-0",
                              "--out", str(out)])  # fmt: skip
    assert collect.code == 0, collect.output
    args = ["--node", "worker-0", "--policy-file", str(LACP_POLICY), "--from-dir", str(out)]
    with running_agent(args) as agent:
        s = series(agent.wait_metrics())
        assert agent.terminate()[0] == 0
    assert value(s, "bondcheck_node_status", node="worker-0", status="pass") == 1
    for port in ("ens224", "ens256"):
        assert value(s, "bondcheck_lacp_partner_present", node="worker-0", port=port) == 1
        assert value(s, "bondcheck_lacp_partner_port_state", node="worker-0", port=port) == 63
    mac = switch_mac(0)
    assert mac in (out / "worker-0" / "proc" / "net" / "bonding" / "bond0").read_text()
