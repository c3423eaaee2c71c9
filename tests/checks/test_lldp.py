"""LLDP: the readers on real lldpd output (fixtures/lldp, from tests/lldp/realnet.py) and
NodeNetworkState objects, and the three LLDP checks on real lab captures with those
neighbours, exact messages included."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from bondcheck.cabling import Cable, Cabling, load_cabling
from bondcheck.errors import InputError, ParseError
from bondcheck.judge import judge_node
from bondcheck.model import CheckResult, Evidence, Status
from bondcheck.parse.lldp import lldp_from_nns, parse_lldpctl
from bondcheck.policy.loader import load_policy_file
from bondcheck.transport.capture import read_capture

ROOT = Path(__file__).resolve().parents[2]
LLDP = ROOT / "fixtures" / "lldp"
LAB = ROOT / "fixtures" / "captures" / "lab"
POLICY = load_policy_file(str(ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"))
NNS = ROOT / "fixtures" / "k8s" / "nns"


def lldpctl(name: str) -> str:
    return (LLDP / f"lldpctl-{name}.json").read_text()


def test_one_interface_is_an_object_several_are_a_list() -> None:
    one = parse_lldpctl(lldpctl("one-port"))
    assert json.loads(lldpctl("one-port"))["lldp"]["interface"].keys() == {"ens224"}
    assert list(one) == ["ens224"]
    (seen,) = one["ens224"]
    assert (seen.system_name, seen.port_id) == ("leaf-1", "Ethernet1/7")
    assert seen.chassis_id and seen.where == "leaf-1 Ethernet1/7"
    two = parse_lldpctl(lldpctl("two-ports-two-switches"))
    assert isinstance(json.loads(lldpctl("two-ports-two-switches"))["lldp"]["interface"], list)
    assert {p: n[0].where for p, n in two.items()} == {
        "ens224": "leaf-1 Ethernet1/7",
        "ens256": "leaf-2 Ethernet1/7",
    }
    assert two["ens224"][0].chassis_id != two["ens256"][0].chassis_id
    same = parse_lldpctl(lldpctl("two-ports-one-switch"))
    assert same["ens224"][0].chassis_id == same["ens256"][0].chassis_id


def test_unnamed_chassis_and_several_neighbours_on_one_port() -> None:
    doc = json.loads(lldpctl("one-port"))
    body = doc["lldp"]["interface"]["ens224"]
    body["chassis"] = body["chassis"]["leaf-1"]  # a neighbour that sent no system name
    doc["lldp"]["interface"]["ens224"] = [body, body]
    (first, second) = parse_lldpctl(json.dumps(doc))["ens224"]
    assert first.system_name is None and first.switch == first.chassis_id
    assert second == first


@pytest.mark.parametrize(
    "text", ['{"lldp": [1]}', "[1, 2]", '{"lldp": {"interface": [1]}}', "{not json"]
)
def test_bad_lldpctl_json_is_one_parse_error(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_lldpctl(text)
    assert "\n" not in str(caught.value)


def test_no_neighbours_at_all_is_an_empty_map() -> None:
    assert parse_lldpctl('{"lldp": {}}') == {}


def _nns(name: str) -> dict:
    path = NNS / name
    doc = (
        json.loads(path.read_text()) if path.suffix == ".json" else yaml.safe_load(path.read_text())
    )
    return doc


def test_nns_tlvs_reconstructed_bond_node() -> None:
    state = _nns("worker-0.yaml")["status"]["currentState"]
    found = lldp_from_nns(state)
    assert found is not None
    assert {p: n[0].where for p, n in found.items()} == {
        "ens1f0": "leaf-a.example.lab et-0/0/12",
        "ens1f1": "leaf-b.example.lab et-0/0/12",
    }
    assert found["ens1f0"][0].chassis_id == "40:DE:AD:01:00:A0"


def test_nns_tlvs_real_juniper_neighbours() -> None:
    items = _nns("zeus11-lldp-juniper-list.json")["items"]
    found = lldp_from_nns(items[0]["status"]["currentState"])
    assert found, "the real NNS lists LLDP neighbours"
    for neighbours in found.values():
        for seen in neighbours:
            assert seen.chassis_id and seen.port_id and seen.system_name


def test_nns_without_lldp_enabled_is_no_source() -> None:
    assert lldp_from_nns({"interfaces": [{"name": "eth0", "lldp": {"enabled": False}}]}) is None
    assert lldp_from_nns({"interfaces": [{"name": "eth0", "lldp": {"enabled": True}}]}) == {}


# ---- the checks ---------------------------------------------------------------------------


def evidence(tmp_path: Path, scenario: str, lldp: str | None) -> Evidence:
    node = tmp_path / "worker-0"
    shutil.copytree(LAB / scenario, node)
    if lldp is not None:
        (node / "lldp.json").write_text(lldpctl(lldp))
    (item,) = read_capture(tmp_path, ["bond0"])
    assert isinstance(item, Evidence)
    return item


def lldp_results(ev: Evidence, cabling: Cabling | None = None) -> dict[str, list[CheckResult]]:
    report = judge_node(POLICY, ev, cabling=cabling)
    out: dict[str, list[CheckResult]] = {}
    for result in report.results:
        if result.check.startswith("LLDP-"):
            out.setdefault(result.check, []).append(result)
    return out


def summary(results: list[CheckResult]) -> list[tuple[str, str | None, str]]:
    return [(r.status.value, r.port, r.message) for r in results]


def test_without_an_lldp_source_every_lldp_check_skips_and_says_why(tmp_path: Path) -> None:
    got = lldp_results(evidence(tmp_path, "healthy-802.3ad", None))
    assert set(got) == {"LLDP-NEIGHBOR", "LLDP-DISTINCT-SWITCH", "LLDP-CABLING"}
    assert summary(got["LLDP-NEIGHBOR"])[0][2].startswith("no LLDP source on the node")
    assert summary(got["LLDP-CABLING"]) == [("skip", None, "no --cabling map")]


def test_one_switch_warns_and_fails_when_required(tmp_path: Path) -> None:
    ev = evidence(tmp_path, "healthy-802.3ad", "two-ports-one-switch")
    got = lldp_results(ev)
    assert summary(got["LLDP-NEIGHBOR"]) == [
        ("pass", None, "ens224 -> leaf-1 Ethernet1/7; ens256 -> leaf-1 Ethernet1/8")
    ]
    message = (
        "every port reaches one switch, leaf-1: ens224 -> leaf-1 Ethernet1/7, ens256 -> "
        "leaf-1 Ethernet1/8; it is a single point of failure"
    )
    assert summary(got["LLDP-DISTINCT-SWITCH"]) == [("warn", None, message)]
    required = lldp_results(ev, Cabling(require_distinct_switches=True))
    assert summary(required["LLDP-DISTINCT-SWITCH"]) == [("fail", None, message)]


def test_two_switches_with_one_lacp_partner_are_an_mlag_pair(tmp_path: Path) -> None:
    got = lldp_results(evidence(tmp_path, "healthy-802.3ad", "two-ports-two-switches"))
    ((status, _, message),) = summary(got["LLDP-DISTINCT-SWITCH"])
    assert status == "pass"
    assert message == (
        "ports reach 2 switches (one LACP partner: an MLAG/vPC pair): "
        "ens224 -> leaf-1 Ethernet1/7, ens256 -> leaf-2 Ethernet1/7"
    )


def test_a_port_without_a_neighbour_warns(tmp_path: Path) -> None:
    got = lldp_results(evidence(tmp_path, "healthy-802.3ad", "one-port"))
    assert summary(got["LLDP-NEIGHBOR"]) == [("warn", "ens256", "no LLDP neighbour on ens256")]
    assert summary(got["LLDP-DISTINCT-SWITCH"]) == [
        ("skip", None, "1 port(s) with an LLDP neighbour; see LLDP-NEIGHBOR")
    ]


def _map(**ports: Cable) -> Cabling:
    return Cabling(nodes=(("worker-*", ports),))


def test_cabling_as_mapped_passes_and_a_moved_cable_fails_naming_both_ports(tmp_path: Path) -> None:
    ev = evidence(tmp_path, "healthy-802.3ad", "two-ports-two-switches")
    good = _map(ens224=Cable("leaf-1", "Ethernet1/7"), ens256=Cable("leaf-2", "Ethernet1/7"))
    assert summary(lldp_results(ev, good)["LLDP-CABLING"]) == [
        ("pass", None, "as mapped: ens224 -> leaf-1 Ethernet1/7; ens256 -> leaf-2 Ethernet1/7")
    ]
    moved = _map(ens224=Cable("leaf-1", "Ethernet1/7"), ens256=Cable("leaf-2", "Ethernet1/8"))
    assert summary(lldp_results(ev, moved)["LLDP-CABLING"]) == [
        ("fail", "ens256", "ens256 is cabled to leaf-2 Ethernet1/7, expected leaf-2 Ethernet1/8")
    ]
    by_chassis = _map(
        ens224=Cable(parse_lldpctl(lldpctl("two-ports-two-switches"))["ens224"][0].chassis_id or "")
    )
    assert summary(lldp_results(ev, by_chassis)["LLDP-CABLING"])[0][0] == "pass"
    other = Cabling(nodes=(("rack9-*", {"ens224": Cable("x")}),))
    assert summary(lldp_results(ev, other)["LLDP-CABLING"]) == [
        ("skip", None, "worker-0 is not in the map")
    ]


def test_lacp_findings_name_the_switch_port_from_lldp(tmp_path: Path) -> None:
    ev = evidence(tmp_path, "fault-no-lacp-partner", "two-ports-two-switches")
    partner = [
        r
        for r in judge_node(POLICY, ev).results
        if r.check == "LACP-PARTNER" and r.status is Status.FAIL
    ]
    assert [r.message for r in partner] == [
        "port ens224 has no LACP partner (partner system mac 00:00:00:00:00:00): no LACPDU "
        "received from the switch (LLDP: leaf-1 Ethernet1/7)",
        "port ens256 has no LACP partner (partner system mac 00:00:00:00:00:00): no LACPDU "
        "received from the switch (LLDP: leaf-2 Ethernet1/7)",
    ]


def test_lldp_json_that_does_not_parse_is_evidence_parse(tmp_path: Path) -> None:
    node = tmp_path / "worker-0"
    shutil.copytree(LAB / "healthy-802.3ad", node)
    (node / "lldp.json").write_text('{"lldp": [1]}')
    (item,) = read_capture(tmp_path, ["bond0"])
    assert isinstance(item, Evidence)
    report = judge_node(POLICY, item)
    errors = [r for r in report.results if r.check == "EVIDENCE-PARSE"]
    assert [r.message.split(":")[0] for r in errors] == ["LLDP data unreadable"]


def test_nns_path_judges_lldp_from_the_tlvs() -> None:
    doc = _nns("worker-0.yaml")
    policy = load_policy_file(str(ROOT / "fixtures" / "k8s" / "nncp" / "bond0-lacp-v1.yaml"))
    ev = Evidence(node="worker-0", transport="nns", nns_state=doc["status"]["currentState"])
    got = {r.check: r for r in judge_node(policy, ev).results if r.check.startswith("LLDP-")}
    assert got["LLDP-NEIGHBOR"].status is Status.PASS
    assert got["LLDP-DISTINCT-SWITCH"].status is Status.PASS


# ---- the cabling file ---------------------------------------------------------------------


def test_cabling_file_loads(tmp_path: Path) -> None:
    path = tmp_path / "cabling.yaml"
    path.write_text(
        "require_distinct_switches: true\nnodes:\n  worker-*:\n"
        "    ens224: {switch: leaf-1, port: Ethernet1/7}\n    ens256: {switch: leaf-2}\n"
    )
    cabling = load_cabling(str(path))
    assert cabling.require_distinct_switches is True
    assert cabling.for_node("worker-3") == {
        "ens224": Cable("leaf-1", "Ethernet1/7"),
        "ens256": Cable("leaf-2", None),
    }
    assert cabling.for_node("master-0") is None


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("nodes:\n  w: {'bad/port': {switch: a}}\n", "port 'bad/port'"),
        ("nodes:\n  w: {ens1: {switch: a, speed: 10}}\n", "unknown key 'speed'"),
        ("nodes:\n  w: {ens1: {port: x}}\n", "expected {switch: NAME, port: PORT}"),
        ("bogus: 1\n", "unknown key 'bogus'"),
        ("require_distinct_switches: maybe\n", "true or false"),
        ('nodes:\n  w: {ens1: {switch: "a\\nb"}}\n', "printable text"),
        ("- a\n", "one YAML mapping"),
    ],
)
def test_bad_cabling_files_are_one_line_input_errors(
    tmp_path: Path, text: str, needle: str
) -> None:
    path = tmp_path / "cabling.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load_cabling(str(path))
    assert needle in str(caught.value) and "\n" not in str(caught.value)


def test_a_missing_cabling_file_is_exit_2_through_verify(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bondcheck.cli.app import build_app

    result = CliRunner().invoke(
        build_app(),
        [
            "verify",
            "--policy-file",
            str(ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"),
            "--from-dir",
            str(LAB),
            "--cabling",
            str(tmp_path / "nope.yaml"),
        ],
    )
    assert result.exit_code == 2
    assert "cannot read cabling file" in result.stderr
