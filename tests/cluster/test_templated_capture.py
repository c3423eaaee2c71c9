"""A templated NNCP (capture / ``{{ }}``) judged live, saved by ``collect``, judged offline.

Such a policy says nothing until kubernetes-nmstate renders it per node into the NNCE's
``status.desiredState``. Live verify reads that rendering; ``collect`` must save it next to
the evidence (``desired-state.json``) so ``verify --from-dir`` judges each node against its
own bonds again - and a capture without it must be an ERROR node, never a pass over zero
checks (judging the unrendered template checks nothing).

Real parts: the API server stand-in serves the NNCP, the NNCE and the nodes through the
kubernetes client; the ``oc`` stand-in runs bondcheck's collection script against a real lab
capture (802.3ad bond0 with ens4/ens5) while the rendering asks for active-backup over
ens1f0/ens1f1, so the verdict visibly comes from the rendering.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from standins.apiserver import ApiServerStandIn
from standins.fixtures import DebugCli

from bondcheck.cli.app import run

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "fixtures" / "k8s"
NNCE = K8S / "nnce" / "worker-0.bond0-captured-ports-available-RECONSTRUCTED.yaml"
POLICY = "bond0-captured-ports"
BONDING = ROOT / "fixtures" / "captures" / "lab" / "healthy-802.3ad" / "proc" / "net" / "bonding"
NNCP_FILE = K8S / "nncp" / "bond0-captured-ports-RECONSTRUCTED.yaml"  # as `oc get -o yaml` saves it
TEMPLATED_FILE = ROOT / "fixtures" / "policies" / "shapes" / "templated-capture.yaml"


@pytest.fixture
def templated(apiserver: ApiServerStandIn, debug_cli: DebugCli, monkeypatch: pytest.MonkeyPatch):
    apiserver.store.load("nncp/bond0-captured-ports-RECONSTRUCTED.yaml", str(NNCE))
    monkeypatch.setenv("BONDCHECK_STANDIN_BONDING_DIR", str(BONDING))
    return apiserver


def _json_report(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, dict]:
    code = run(argv)
    out = capsys.readouterr().out
    return code, json.loads(out)


def _verdicts(report: dict) -> dict[str, object]:
    return {
        node["node"]: node.get("error")
        or sorted((r["check"], r["status"], r.get("expected") is not None) for r in node["results"])
        for node in report["nodes"]
    }


def test_collect_saves_each_nodes_rendering_and_offline_verify_judges_against_it(
    templated: ApiServerStandIn, kubeconfig: Path, tmp_path: Path, capsys
) -> None:
    common = ["--policy", POLICY, "--via", "oc-debug", "--kubeconfig", str(kubeconfig)]
    live_code, live = _json_report(capsys, ["verify", *common, "--node", "worker-0", "-o", "json"])
    out = tmp_path / "cap"
    assert run(["collect", *common, "--node", "worker-0", "--out", str(out), "-q"]) == 0
    capsys.readouterr()

    saved = json.loads((out / "worker-0" / "desired-state.json").read_text())
    assert saved["policy"] == POLICY
    assert saved["desiredState"] == yaml.safe_load(NNCE.read_text())["status"]["desiredState"]

    offline_code, offline = _json_report(
        capsys,
        ["verify", "--policy-file", str(NNCP_FILE), "--from-dir", str(out), "-o", "json"],
    )  # fmt: skip
    assert live_code == offline_code == 1
    assert _verdicts(offline) == _verdicts(live)
    mode = next(r for r in offline["nodes"][0]["results"] if r["check"] == "BOND-MODE")
    assert (mode["status"], mode["expected"]) == ("fail", "active-backup")  # the rendering's
    enslaved = {r["port"] for r in offline["nodes"][0]["results"] if r["check"] == "PORT-ENSLAVED"}
    assert enslaved == {"ens1f0", "ens1f1"}


def test_a_node_without_a_rendering_is_not_collected(
    templated: ApiServerStandIn, kubeconfig: Path, capsys
) -> None:
    argv = ["verify", "--policy", POLICY, "--via", "oc-debug", "--kubeconfig", str(kubeconfig)]
    code, report = _json_report(capsys, [*argv, "--node", "worker-1", "-o", "json"])
    assert code == 3
    (node,) = report["nodes"]
    assert node["status"] == "error"
    assert "has no rendered desiredState" in node["error"]


def test_a_capture_without_the_rendering_is_an_error_not_a_pass(
    templated: ApiServerStandIn, kubeconfig: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "cap"
    argv = ["collect", "--policy", POLICY, "--via", "oc-debug", "--kubeconfig", str(kubeconfig)]
    assert run([*argv, "--node", "worker-0", "--out", str(out), "-q"]) == 0
    (out / "worker-0" / "desired-state.json").unlink()
    capsys.readouterr()
    code, report = _json_report(
        capsys,
        ["verify", "--policy-file", str(TEMPLATED_FILE), "--from-dir", str(out), "-o", "json"],
    )
    assert code == 3
    (node,) = report["nodes"]
    assert node["status"] == "error"
    assert node["results"] == []
    assert "templated" in node["error"] and "desired-state.json" in node["error"]


def _saved(state: object, policy: object = "bond-from-capture") -> str:
    return json.dumps({"policy": policy, "desiredState": state})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("[1, 2]", 'desired-state.json: expected {"policy": NAME, "desiredState": {...}}'),
        ('{"interfaces": []}', 'desired-state.json: expected {"policy": NAME'),
        (_saved({"interfaces": [{"name": "eth0", "type": "ethernet"}]}), "no bond interface"),
        (_saved({"interfaces": "eth0"}), "interfaces"),
        (_saved({}, policy=7), 'expected {"policy": NAME'),
        ("{not json", "desired-state.json: not JSON"),
        ("[" * 100_000 + "]" * 100_000, "desired-state.json: JSON nested too deeply"),
        # Another policy's rendering must not stand in for this one's.
        (
            _saved(
                {"interfaces": [{"name": "bond7", "type": "bond", "state": "up",
                 "link-aggregation": {"mode": "802.3ad", "port": ["ens4", "ens5"]}}]},
                policy="some-other-policy",
            ),
            "is of policy some-other-policy",
        ),
    ],
    ids=["list", "bare-state", "no-bond", "bad-interfaces", "bad-policy-name", "not-json",
         "deep", "other-policy"],
)  # fmt: skip
def test_an_unusable_saved_rendering_is_an_error_for_that_node(
    tmp_path: Path, capsys, content: str, expected: str
) -> None:
    node = tmp_path / "cap" / "worker-0"
    (node / "proc" / "net" / "bonding").mkdir(parents=True)
    (node / "proc" / "net" / "bonding" / "bond0").write_text((BONDING / "bond0").read_text())
    (node / "ip-addr.json").write_text("[]")
    (node / "desired-state.json").write_text(content)
    code, report = _json_report(
        capsys,
        ["verify", "--policy-file", str(TEMPLATED_FILE), "--from-dir", str(node.parent), "-o",
         "json"],
    )  # fmt: skip
    assert code == 3
    assert expected in report["nodes"][0]["error"]
