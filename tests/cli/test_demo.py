"""The README's demo: real lab captures, judged against the reference policy."""

from __future__ import annotations

import json

from . import scenarios

DEMO = scenarios.DEMO
LAB = scenarios.FIXTURES / "captures" / "lab"
NODES = {
    "worker-0": "healthy-802.3ad",
    "worker-1": "fault-no-lacp-partner",
    "worker-2": "fault-ip-on-port",
    "worker-3": "fault-port-removed",
}


def test_demo_policy_is_the_reference_policy():
    assert (DEMO / "policy.yaml").read_bytes() == scenarios.POLICY.read_bytes()


def test_demo_files_are_the_lab_captures_unchanged():
    for node, scenario in NODES.items():
        node_dir = DEMO / "captures" / node
        files = sorted(p.relative_to(node_dir) for p in node_dir.rglob("*") if p.is_file())
        evidence = [f for f in files if f.name != "meta.json"]
        assert evidence, node
        for rel in evidence:
            assert (node_dir / rel).read_bytes() == (LAB / scenario / rel).read_bytes(), rel
        meta = json.loads((node_dir / "meta.json").read_text())
        assert scenario in meta["notes"][0]


def test_demo_verify_finds_the_three_faults(cli):
    result = cli(
        "verify",
        "--policy-file",
        str(DEMO / "policy.yaml"),
        "--from-dir",
        str(DEMO / "captures"),
        "-o",
        "json",
    )
    assert result.exit_code == 1  # the README says so
    data = json.loads(result.stdout)
    nodes = {n["node"]: n for n in data["nodes"]}
    assert {k: v["status"] for k, v in nodes.items()} == {
        "worker-0": "pass",
        "worker-1": "fail",
        "worker-2": "fail",
        "worker-3": "fail",
    }

    def failing(node: str) -> set[tuple[str, str | None]]:
        return {(r["check"], r["port"]) for r in nodes[node]["results"] if r["status"] == "fail"}

    assert ("LACP-PARTNER", "ens224") in failing("worker-1")
    assert ("LACP-PARTNER", "ens256") in failing("worker-1")
    assert failing("worker-2") == {("PORT-NO-IP", "ens256")}
    assert failing("worker-3") == {("PORT-ENSLAVED", "ens256")}


def test_demo_table_is_what_the_readme_promises(cli):
    result = cli("verify", "--policy-file", str(DEMO / "policy.yaml"), "--from-dir",
                 str(DEMO / "captures"), "--color", "never")  # fmt: skip
    assert result.exit_code == 1
    assert "4 nodes checked against worker-bond-lacp: 1 pass, 0 warn, 3 fail, 0 error" in (
        result.stdout
    )
