"""``bondcheck agent`` as a real process: judging a capture tree or the API's policies, serving
/metrics and /healthz over loopback, and stopping cleanly on SIGTERM.

Policies come from a file or from the API server stand-in (tests/standins: the same REST paths
a real API server serves, bearer-token auth), read by the agent's plain REST client with a
service-account directory of the test's own. Evidence comes from the lab's real-kernel
captures (fixtures/captures/lab) or from this machine's kernel through the collection script.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.agent.running import running_agent
from tests.prom.stack import run_promtool
from tests.prom.test_exposition import names, series, value

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "fixtures" / "captures" / "lab"
POLICY = ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"


def _tree(tmp_path: Path, **nodes: str) -> Path:
    """A capture tree with ``node=lab-scenario`` entries (real-kernel captures, renamed)."""
    root = tmp_path / "captures"
    for node, scenario in nodes.items():
        shutil.copytree(LAB / scenario, root / node)
    return root


def test_agent_serves_a_captured_nodes_verdicts_and_stops_on_sigterm(tmp_path: Path) -> None:
    tree = _tree(tmp_path, **{"worker-0": "fault-no-lacp-partner"})
    args = ["--node", "worker-0", "--policy-file", str(POLICY), "--from-dir", str(tree),
            "--interval", "0.2"]  # fmt: skip
    with running_agent(args) as agent:
        body = agent.wait_metrics()
        lint = run_promtool("check", "metrics", stdin=body)
        assert lint.returncode == 0, lint.stdout + lint.stderr
        s = series(body)
        assert value(s, "bondcheck_node_status", node="worker-0", status="fail") == 1
        assert value(s, "bondcheck_lacp_partner_present", node="worker-0", port="ens224") == 0
        assert value(s, "bondcheck_agent_evaluations_total") >= 1
        assert value(s, "bondcheck_agent_evaluation_failures_total") == 0
        assert agent.get("/healthz") == (200, "ok\n")
        assert agent.get("/nope")[0] == 404
        # Re-evaluated every interval: the evaluation count grows between two scrapes.
        first = value(s, "bondcheck_agent_evaluations_total")
        for _ in range(100):
            again = series(agent.get("/metrics")[1])
            if value(again, "bondcheck_agent_evaluations_total") > first:
                break
            import time

            time.sleep(0.05)
        assert value(again, "bondcheck_agent_evaluations_total") > first
        code, seconds = agent.terminate()
        assert code == 0
        assert seconds < 1.0
        assert "bondcheck agent: stopped" in agent.stderr()


def _account(tmp_path: Path, token: str) -> Path:
    account = tmp_path / "serviceaccount"
    account.mkdir()
    (account / "token").write_text(token + "\n")
    return account


def test_agent_reads_every_nncp_that_targets_its_node_from_the_api(apiserver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """worker-0 carries node-role.kubernetes.io/worker: both NNCPs target it; the lab policy
    passes on a healthy capture and bond0-lacp (ports ens1f0/ens1f1) fails there."""
    apiserver.store.load(POLICY)
    tree = _tree(tmp_path, **{"worker-0": "healthy-802.3ad"})
    args = ["--node", "worker-0", "--from-dir", str(tree), "--interval", "5",
            "--api-server", apiserver.url,
            "--service-account-dir", str(_account(tmp_path, apiserver.token))]  # fmt: skip
    with running_agent(args) as agent:
        s = series(agent.wait_metrics())
        assert value(s, "bondcheck_node_status", policy="lab-bond0-802.3ad", status="pass") == 1
        assert value(s, "bondcheck_node_status", policy="bond0-lacp", status="fail") == 1
        assert value(s, "bondcheck_bond_ports_expected", node="worker-0") == 2
        assert agent.terminate()[0] == 0
    paths = apiserver.paths()
    assert "/api/v1/nodes/worker-0" in paths
    assert not any("/pods" in p or "secrets" in p for p in paths)  # least privilege


def test_agent_policy_option_narrows_the_nncps(apiserver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    apiserver.store.load(POLICY)
    tree = _tree(tmp_path, **{"worker-0": "healthy-802.3ad"})
    args = ["--node", "worker-0", "--from-dir", str(tree), "--policy", "lab-bond0-802.3ad",
            "--api-server", apiserver.url,
            "--service-account-dir", str(_account(tmp_path, apiserver.token))]  # fmt: skip
    with running_agent(args) as agent:
        s = series(agent.wait_metrics())
        policies = {dict(lab).get("policy") for n, lab in s if n == "bondcheck_node_status"}
        assert policies == {"lab-bond0-802.3ad"}


def test_agent_says_why_the_api_refused_and_keeps_running(apiserver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    apiserver.fail(
        r"/nodenetworkconfigurationpolicies", 403, "status-403-forbidden-list-nncp-cluster-scope"
    )
    tree = _tree(tmp_path, **{"worker-0": "healthy-802.3ad"})
    args = ["--node", "worker-0", "--from-dir", str(tree), "--interval", "0.2",
            "--api-server", apiserver.url,
            "--service-account-dir", str(_account(tmp_path, apiserver.token))]  # fmt: skip
    with running_agent(args) as agent:
        import time

        time.sleep(1.0)
        assert agent.get("/metrics")[0] == 503
        assert agent.get("/healthz")[0] == 503
        assert agent.proc.poll() is None
        code, _ = agent.terminate()
        err = agent.stderr()
    assert code == 0
    failures = [ln for ln in err.splitlines() if "evaluation failed" in ln]
    assert len(failures) == 1, err  # said once, not every interval
    assert "forbidden" in failures[0] and "Traceback" not in err


def test_agent_with_a_wrong_token_says_so(apiserver, tmp_path) -> None:  # type: ignore[no-untyped-def]
    tree = _tree(tmp_path, **{"worker-0": "healthy-802.3ad"})
    args = ["--node", "worker-0", "--from-dir", str(tree), "--interval", "0.2",
            "--api-server", apiserver.url,
            "--service-account-dir", str(_account(tmp_path, "not-the-token"))]  # fmt: skip
    with running_agent(args) as agent:
        import time

        time.sleep(0.8)
        agent.terminate()
        err = agent.stderr()
    assert "evaluation failed" in err and "not-the-token" not in err


def test_agent_reads_this_machines_kernel_through_the_collection_script(tmp_path: Path) -> None:
    """No --from-dir: the transports' collection script runs under sh here. This machine's
    kernel has no bonding driver, so bond0 is absent: BOND-PRESENT fails, the ip JSON of the
    real `ip` is read (the node was judged, not lost)."""
    args = ["--node", "worker-0", "--policy-file", str(POLICY), "--interval", "5"]
    with running_agent(args) as agent:
        s = series(agent.wait_metrics())
        agent.terminate()
    assert value(s, "bondcheck_node_status", node="worker-0", status="fail") == 1
    assert value(s, "bondcheck_check_result", check="BOND-PRESENT", port="", result="fail") == 1
    assert value(s, "bondcheck_bond_ports", bond="bond0") == 0
    assert "bondcheck_port_mii_up" not in names(s)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--policy-file", str(POLICY)], "--node NAME"),
        (["--node", "Worker_0", "--policy-file", str(POLICY)], "not a valid Kubernetes name"),
        (["--node", "w", "--policy-file", str(POLICY), "--listen", "nope"], "--listen"),
        (["--node", "w", "--policy-file", "/nonexistent.yaml"], "nonexistent.yaml"),
        (
            [
                "--node",
                "w",
                "--api-server",
                "http://127.0.0.1:1",
                "--service-account-dir",
                "/nonexistent",
            ],
            "no service account token",
        ),
        (["--node", "w"], "KUBERNETES_SERVICE_HOST is not set"),
        (["--node", "w", "--policy-file", str(POLICY), "--interval", "0"], "more than 0"),
    ],
)
def test_agent_start_up_errors_are_one_line_exit_2(args: list[str], needle: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bondcheck", "agent", "--listen", "127.0.0.1:0", *args],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
