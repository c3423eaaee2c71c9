"""A capture tree is untrusted input: no link out of it, regular files only, bounded reads,
and one node's bad evidence never costs the others their verdict (exit 3, not 2)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bondcheck.model import Evidence, NodeFailure
from bondcheck.policy.loader import load_policy_file
from bondcheck.run import VerifyRequest, verify
from bondcheck.transport.capture import read_capture
from bondcheck.transport.tree import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "fixtures" / "demo"
POLICY = str(DEMO / "policy.yaml")
SECRET = "bondcheck-secret-value-7731"


@pytest.fixture
def capture(tmp_path: Path) -> Path:
    root = tmp_path / "capture"
    shutil.copytree(DEMO / "captures" / "worker-0", root / "good")
    shutil.copytree(DEMO / "captures" / "worker-0", root / "bad")
    return root


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    secret = tmp_path / "outside.txt"
    secret.write_text(f"{SECRET}\n")
    return secret


def _run(root: Path) -> tuple[dict[str, object], int]:
    from bondcheck.judge import exit_code

    report = verify(VerifyRequest(policy_file=POLICY, from_dir=str(root)))
    by_node = {n.node: n for n in report.nodes}
    return by_node, exit_code(report)


def _replace(path: Path, target: Path) -> None:
    path.unlink()
    path.symlink_to(target)


@pytest.mark.parametrize(
    "victim", ["proc/net/bonding/bond0", "ip-link.json", "ip-addr.json", "error.txt"]
)
def test_a_link_out_of_the_tree_is_refused_without_quoting_it(capture, outside, victim) -> None:
    path = capture / "bad" / victim
    if path.exists():
        path.unlink()
    path.symlink_to(outside)
    nodes, code = _run(capture)
    bad = nodes["bad"]
    assert bad.error is not None and "a link out of the capture directory" in bad.error
    assert str(path) in bad.error and SECRET not in bad.error
    assert nodes["good"].status.value == "pass" and code == 3


def test_proc_self_environ_is_not_read(capture, monkeypatch) -> None:
    monkeypatch.setenv("BONDCHECK_TEST_SECRET", SECRET)
    _replace(capture / "bad" / "proc/net/bonding/bond0", Path("/proc/self/environ"))
    nodes, _ = _run(capture)
    assert SECRET not in str(nodes["bad"])


def test_a_node_directory_linked_to_the_root_is_refused(capture) -> None:
    shutil.rmtree(capture / "bad")
    (capture / "bad").symlink_to("/")
    nodes, code = _run(capture)
    assert "a link out of the capture directory" in (nodes["bad"].error or "")
    assert code == 3


def test_links_inside_the_tree_are_followed(capture) -> None:
    shared = capture / "shared-ip-addr.json"
    shutil.copy(capture / "good" / "ip-addr.json", shared)
    _replace(capture / "bad" / "ip-addr.json", Path("../shared-ip-addr.json"))
    shutil.rmtree(capture / "shared-ip-addr.json", ignore_errors=True) if shared.is_dir() else None
    items = read_capture(capture, ["bond0"])
    bad = next(i for i in items if i.node == "bad")
    assert isinstance(bad, Evidence) and bad.ip_addr == (capture / "good/ip-addr.json").read_text()


def test_a_fifo_is_refused_not_opened(capture) -> None:
    fifo = capture / "bad" / "ip-addr.json"
    fifo.unlink()
    os.mkfifo(fifo)  # opening it for reading would block the run forever
    nodes, code = _run(capture)
    assert "not a regular file" in (nodes["bad"].error or "") and code == 3


def test_reads_are_bounded_by_bytes_read_not_by_size_claims(capture) -> None:
    big = capture / "bad" / "ip-link.json"
    with big.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: costs no disk
    nodes, _ = _run(capture)
    assert "too large for evidence" in (nodes["bad"].error or "")


@pytest.mark.parametrize(
    "meta", ['{"bonds_absent": 5}', '{"notes": 5}', '{"notes": [1]}', "[1, 2]"]
)
def test_malformed_meta_is_that_nodes_error(capture, meta) -> None:
    (capture / "bad" / "meta.json").write_text(meta)
    nodes, code = _run(capture)
    assert "meta.json" in (nodes["bad"].error or "")
    assert nodes["good"].status.value == "pass" and code == 3


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        '[{"ifname": "bond0", "ifindex": ' + "9" * 5000 + "}]",
        "[x\n" * 200_000,
    ],
    ids=["deep", "huge-number", "list-starts"],
)
def test_unreadable_ip_json_is_evidence_parse_and_the_run_goes_on(capture, text) -> None:
    (capture / "bad" / "ip-addr.json").write_text(text)
    nodes, code = _run(capture)
    bad = nodes["bad"]
    assert bad.error is None
    errors = [r.check for r in bad.results if r.status.value == "error"]
    assert errors[0] == "EVIDENCE-PARSE" and "PORT-NO-IP" in errors  # never a pass
    assert nodes["good"].status.value == "pass" and code == 3


def test_numbers_are_ascii_digits_only(capture) -> None:
    addr = (capture / "bad" / "ip-addr.json").read_text()
    (capture / "bad" / "ip-addr.json").write_text(addr.replace('"ifindex": 1', '"ifindex": "²"'))
    nodes, _ = _run(capture)
    assert nodes["bad"].error is None  # read, with the odd index as unknown


def test_a_node_directory_with_an_invalid_name_is_refused(capture) -> None:
    shutil.copytree(capture / "good", capture / "-rf")
    items = read_capture(capture, ["bond0"])
    odd = next(i for i in items if isinstance(i, NodeFailure))
    assert "not a node name" in odd.message


def test_nns_of_the_wrong_shape_is_evidence_parse() -> None:
    from bondcheck.judge import judge_node

    policy = load_policy_file(POLICY)
    state = {"interfaces": [{"name": "bond0", "type": "bond", "link-aggregation": 5}]}
    report = judge_node(policy, Evidence(node="n", transport="nns", nns_state=state))
    assert {r.check for r in report.results if r.status.value == "error"} == {"EVIDENCE-PARSE"}


def test_a_capture_without_addresses_is_never_green(capture) -> None:
    """The checks every policy requires (PORT-NO-IP) cannot judge without ip-addr.json:
    the node is ERROR (exit 3) naming the file, not a pass with skips."""
    (capture / "bad" / "ip-addr.json").unlink()
    nodes, code = _run(capture)
    errors = {r.check: r.message for r in nodes["bad"].results if r.status.value == "error"}
    assert "PORT-NO-IP" in errors and "ip-addr.json" in errors["PORT-NO-IP"]
    assert nodes["bad"].status.value == "error" and code == 3
