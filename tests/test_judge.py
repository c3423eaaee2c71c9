"""The judge: evidence + policy -> NodeReport, and the exit code of a Report."""

from __future__ import annotations

from pathlib import Path

import pytest

from bondcheck.checks.catalog import BY_ID
from bondcheck.judge import exit_code, failed_node, judge_node
from bondcheck.model import CheckResult, Evidence, NodeReport, Report, Status
from bondcheck.policy.loader import load_policy_file

ROOT = Path(__file__).resolve().parents[1]
POLICY_FILE = ROOT / "fixtures" / "policies" / "worker-bond-lacp.yaml"
HEALTHY_SRC = (
    ROOT / "fixtures/procfs/corpus/ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt"
)
ADDR = ROOT / "fixtures/iproute/lab-8023ad-healthy.ip-addr.json"
EVIDENCE_PARSE = "EVIDENCE-PARSE"


def _healthy() -> str:
    text = HEALTHY_SRC.read_text()
    text = text.replace("Slave Interface: e1\n", "Slave Interface: ens224\n")
    text = text.replace("Slave Interface: e2\n", "Slave Interface: ens256\n")
    return text.replace("layer2+3 (2)", "layer3+4 (1)")


def _evidence(bond: str | None, ip_addr: str | None = None) -> Evidence:
    return Evidence(
        node="worker-0",
        transport="capture",
        bonds={"bond0": bond},
        ip_addr=ADDR.read_text() if ip_addr is None else ip_addr,
    )


@pytest.fixture(scope="module")
def policy():
    return load_policy_file(str(POLICY_FILE))


def _statuses(report: NodeReport) -> dict[str, set[Status]]:
    out: dict[str, set[Status]] = {}
    for result in report.results:
        out.setdefault(result.check, set()).add(result.status)
    return out


def test_healthy_node_passes_every_check_that_applies(policy):
    report = judge_node(policy, _evidence(_healthy()))
    assert report.node == "worker-0" and report.transport == "capture"
    assert report.status is Status.PASS
    statuses = _statuses(report)
    for check in (
        "BOND-PRESENT",
        "BOND-MODE",
        "BOND-OPTIONS",
        "PORT-ENSLAVED",
        "LACP-PARTNER",
        "BOND-IP",
        "PORT-NO-IP",
    ):
        assert statuses[check] == {Status.PASS}, check
    assert EVIDENCE_PARSE not in statuses


def test_absent_bond_fails_bond_present(policy):
    report = judge_node(policy, _evidence(None))
    assert _statuses(report)["BOND-PRESENT"] == {Status.FAIL}
    assert report.status is Status.FAIL


def test_garbage_bond_text_becomes_one_evidence_parse_error_not_an_exception(policy):
    report = judge_node(policy, _evidence("hello world\nnot bonding\n"))
    parse_errors = [r for r in report.results if r.check == EVIDENCE_PARSE]
    assert len(parse_errors) == 1
    err = parse_errors[0]
    assert err.status is Status.ERROR and err.bond == "bond0"
    assert "worker-0:/proc/net/bonding/bond0" in err.message
    assert err.evidence == "hello world"
    # No bond check ran on unreadable text: nothing claims the bond passed.
    assert not [r for r in report.results if r.bond == "bond0" and r.status is Status.PASS]
    assert report.status is Status.ERROR


def test_garbage_ip_json_is_reported_and_bond_checks_still_run(policy):
    report = judge_node(policy, _evidence(_healthy(), ip_addr="{not json"))
    parse_errors = [r for r in report.results if r.check == EVIDENCE_PARSE]
    assert len(parse_errors) == 1 and parse_errors[0].bond is None
    assert _statuses(report)["BOND-MODE"] == {Status.PASS}


def test_only_and_skip_select_checks(policy):
    only = judge_node(policy, _evidence(_healthy()), only=["bond-mode"])
    assert {r.check for r in only.results} == {"BOND-MODE"}
    skipped = judge_node(policy, _evidence(_healthy()), skip=["BOND-MODE", "LACP-PARTNER"])
    checks = {r.check for r in skipped.results}
    assert "BOND-MODE" not in checks and "LACP-PARTNER" not in checks
    assert "BOND-PRESENT" in checks


def test_evidence_parse_is_reported_even_with_only(policy):
    report = judge_node(policy, _evidence("garbage\n"), only=["BOND-MODE"])
    assert [r.check for r in report.results] == [EVIDENCE_PARSE]


def test_evidence_parse_is_a_catalogued_check():
    entry = BY_ID.get(EVIDENCE_PARSE)
    assert entry is not None and entry.id == EVIDENCE_PARSE and entry.scope == "evidence"
    assert "exits 3" in entry.explain


def test_evidence_notes_reach_the_node_report_once_each(policy):
    from dataclasses import replace

    notes = ("sosreport has no ip -j output", "", "sosreport has no ip -j output", "b")
    report = judge_node(policy, replace(_evidence(_healthy()), notes=notes))
    assert report.notes == ("sosreport has no ip -j output", "b")
    assert report.status is Status.PASS  # a note informs, it does not judge
    assert judge_node(policy, _evidence(_healthy())).notes == ()


def test_capture_notes_reach_the_report(policy, tmp_path):
    # An empty ip-link.json is noted by the capture reader; the report must still say so.
    from bondcheck.run import VerifyRequest, verify
    from bondcheck.transport.capture import write_capture

    node_dir = write_capture(_evidence(_healthy()), tmp_path)
    (node_dir / "ip-link.json").write_text("")
    report = verify(VerifyRequest(policy_file=str(POLICY_FILE), from_dir=str(tmp_path)))
    [node] = report.nodes
    assert node.notes == ("ip-link.json is empty: treated as not collected",)


# --- exit codes -------------------------------------------------------------------------


def _report(*statuses: Status, error: bool = False) -> Report:
    nodes = [
        NodeReport(
            node=f"n{i}",
            transport="capture",
            results=(CheckResult(check="BOND-MODE", status=s, message="m", bond="bond0"),),
        )
        for i, s in enumerate(statuses)
    ]
    if error:
        nodes.append(failed_node("down", "ssh", "ssh: timed out\n after 10s"))
    return Report(policy="p", tool_version="0", nodes=tuple(nodes))


@pytest.mark.parametrize(
    ("statuses", "error", "strict", "expected"),
    [
        ((Status.PASS, Status.SKIP), False, False, 0),
        ((Status.PASS, Status.WARN), False, False, 0),
        ((Status.PASS, Status.WARN), False, True, 1),
        ((Status.PASS, Status.FAIL), False, False, 1),
        ((Status.PASS,), True, False, 3),
        ((Status.PASS, Status.ERROR), False, False, 3),
        ((Status.FAIL,), True, False, 1),  # a failure outranks an unreachable node
        ((Status.WARN,), True, True, 1),
        ((Status.PASS,), True, True, 3),
        ((), False, False, 0),
    ],
)
def test_exit_code(statuses, error, strict, expected):
    assert exit_code(_report(*statuses, error=error), strict=strict) == expected


@pytest.mark.parametrize("statuses", [(Status.FAIL,), (Status.ERROR,), (Status.WARN,)])
def test_exit_zero_forces_zero(statuses):
    report = _report(*statuses, error=True)
    assert exit_code(report, strict=True) != 0
    assert exit_code(report, strict=True, exit_zero=True) == 0


def test_failed_node_is_error_with_one_line_message():
    node = failed_node("w", "ssh", "first line\nsecond   line")
    assert node.status is Status.ERROR
    assert node.error == "first line second line"


def test_nns_evidence_is_judged_from_node_network_state() -> None:
    """--via nns: NodeNetworkState answers mode/options/membership/addresses; every check that
    needs the kernel's runtime view is SKIPPED with the reason, never passed or failed."""
    import yaml

    from bondcheck.model import Status as S
    from bondcheck.policy.loader import load_policy_file

    root = Path(__file__).resolve().parent.parent / "fixtures"
    nns = yaml.safe_load((root / "k8s/nns/worker-0.yaml").read_text())["status"]["currentState"]
    policy = load_policy_file(str(root / "k8s/nncp/bond0-lacp-v1.yaml"))
    report = judge_node(policy, Evidence(node="worker-0", transport="nns", nns_state=nns))
    by_check = {r.check: r for r in report.results}
    for answered in ("BOND-PRESENT", "BOND-MODE", "BOND-OPTIONS", "PORT-ENSLAVED"):
        assert by_check[answered].status is S.PASS, by_check[answered]
    for blind in ("BOND-MII", "PORT-MII", "LACP-PARTNER", "LACP-AGGREGATOR"):
        assert by_check[blind].status is S.SKIP
        assert "NodeNetworkState" in by_check[blind].message
    ids = [r.check for r in report.results if r.bond == "bond0"]
    assert ids.index("BOND-PRESENT") < ids.index("BOND-MII") < ids.index("LACP-PARTNER")

    other = load_policy_file(str(root / "policies/worker-bond-lacp.yaml"))
    report = judge_node(other, Evidence(node="worker-0", transport="nns", nns_state=nns))
    failed = {(r.check, r.port) for r in report.results if r.status is S.FAIL}
    assert ("PORT-ENSLAVED", "ens224") in failed and ("PORT-UNEXPECTED", "ens1f0") in failed
