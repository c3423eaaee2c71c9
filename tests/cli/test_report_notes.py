"""The policy's notes reach the report once: build_report collects them, the CLI prints them.

End to end on a real lab capture: a policy holding a kernel bond and an Open vSwitch bond
is verified for the kernel bond, and the report says the OVS bond was not.
"""

from __future__ import annotations

import json

from bondcheck.model import Evidence, ExpectedBond, NodeFailure, Policy, Rendering
from bondcheck.run import build_report, per_node_policies

from . import scenarios

MIXED = scenarios.FIXTURES / "policies" / "shapes" / "ovs-bond-mixed.yaml"
OVS_ONLY = scenarios.FIXTURES / "policies" / "shapes" / "ovs-bond-only.yaml"
LAB = scenarios.FIXTURES / "captures" / "lab" / "healthy-802.3ad"
OVS_NOTE = (
    "OVS bond ovs-bond1 of ovs-bridge br-ex (mode balance-slb; ports ens6, ens7) is not "
    "verified: bondcheck reads kernel bonds (/proc/net/bonding); check it with "
    "ovs-appctl bond/show ovs-bond1"
)


def Unreachable(node: str) -> NodeFailure:
    """A failure record as a live transport hands one over."""
    return NodeFailure(node, "ssh", "ssh: connection timed out")


# --- build_report ----------------------------------------------------------------------------


def test_build_report_collects_policy_and_bond_notes_once_in_order() -> None:
    policy = Policy(
        name="p",
        bonds=(
            ExpectedBond("bond0", mode="active-backup", notes=("legacy slaves", "shared")),
            ExpectedBond("bond1", mode="active-backup", notes=("shared",)),
        ),
        notes=("OVS one", "OVS one"),
    )
    report = build_report(policy, [Unreachable("a"), Unreachable("b")], transport="ssh")
    assert report.notes == ("OVS one", "bond0: legacy slaves", "bond0: shared", "bond1: shared")
    assert [n.notes for n in report.nodes] == [(), ()]  # once per report, not per node


def test_build_report_of_a_policy_without_notes_has_none() -> None:
    policy = Policy(name="p", bonds=(ExpectedBond("bond0", mode="802.3ad"),))
    assert build_report(policy, [Unreachable("a")], transport="ssh").notes == ()


def test_templated_policy_notes_come_from_each_node_rendering_deduplicated() -> None:
    template = Policy(name="t", bonds=(), templated=True, notes=("OVS bond {{ capture.x }}",))
    bond = {
        "name": "bond0",
        "type": "bond",
        "link-aggregation": {"mode": "active-backup", "port": ["ens3", "ens4"]},
    }
    ovs = {
        "name": "br-ex",
        "type": "ovs-bridge",
        "bridge": {
            "port": [
                {
                    "name": "ovs-bond1",
                    "link-aggregation": {
                        "mode": "balance-slb",
                        "port": [{"name": "ens6"}, {"name": "ens7"}],
                    },
                }
            ]
        },
    }
    untyped = {"name": "bond9", "state": "absent"}
    items = [
        Evidence("w0", "capture", rendering=Rendering(template.name, {"interfaces": [bond, ovs]})),
        Evidence("w1", "capture", rendering=Rendering(template.name, {"interfaces": [bond, ovs]})),
        Evidence("w2", "capture", rendering=Rendering(template.name, {"interfaces": [untyped]})),
    ]
    judged, policies = per_node_policies(template, items)
    assert sorted(policies) == ["w0", "w1", "w2"]
    report = build_report(template, judged, transport="capture", policies=policies)
    assert report.notes == (
        OVS_NOTE,
        "bond9: no 'type' given for this removal: taken to be the bond being removed",
    )


# --- the CLI, end to end on a lab capture ----------------------------------------------------


def test_verify_table_shows_the_ovs_note_and_still_passes(cli) -> None:
    result = cli("verify", "--policy-file", str(MIXED), "--from-dir", str(LAB))
    assert result.exit_code == 0, result.stdout + result.stderr  # a note is not a verdict
    lines = result.stdout.splitlines()
    assert lines.count(f"note: {OVS_NOTE}") == 1
    summary = next(i for i, line in enumerate(lines) if "1 node checked against" in line)
    assert lines.index(f"note: {OVS_NOTE}") < summary
    assert "1 pass, 0 warn, 0 fail, 0 error" in lines[summary]


def test_verify_json_carries_the_ovs_note(cli) -> None:
    result = cli("verify", "--policy-file", str(MIXED), "--from-dir", str(LAB), "-o", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["notes"] == [OVS_NOTE]
    assert list(data)[-2:] == ["notes", "nodes"]
    assert [(n["node"], n["status"]) for n in data["nodes"]] == [("healthy-802.3ad", "pass")]
    bonds = {r["bond"] for r in data["nodes"][0]["results"]} - {None}  # None: node-level
    assert bonds == {"bond0"}  # only the kernel bond is judged


def test_verify_of_an_ovs_only_policy_is_one_line_that_says_why(cli) -> None:
    result = cli("verify", "--policy-file", str(OVS_ONLY), "--from-dir", str(LAB))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("bondcheck: error: policy ovs-bond-only: ")
    assert (
        "no kernel bond to verify: OVS bond ovs-bond1 of ovs-bridge br-ex is an Open vSwitch "
        "bond, which bondcheck does not read"
    ) in lines[0]
