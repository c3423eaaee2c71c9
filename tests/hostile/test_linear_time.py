"""Every reader handles the largest input bondcheck accepts in linear time: 8 MiB of the
worst shapes tests/hostile/worst_cases.py generates in under 2 s of CPU (1 MiB for a policy,
its cap). CPU time, not wall time, so a busy machine does not fail the test; a quadratic
path takes minutes to hours at these sizes, so the budget cannot hide one."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bondcheck.errors import BondcheckError, ParseError
from bondcheck.parse.iproute import parse_ip_state
from bondcheck.parse.nns import ip_state_from_nns, observed_from_nns
from bondcheck.parse.procfs import parse_bonding
from bondcheck.policy.loader import MAX_POLICY_BYTES, load_policy_file
from bondcheck.transport.capture_sos import oneline_addr_to_json

from . import worst_cases as wc

EVIDENCE_CAP = 8 * wc.MiB
BUDGET_S = 2.0


def _cpu(run: Callable[[], object]) -> float:
    started = time.process_time()
    with contextlib.suppress(BondcheckError, ParseError):  # refusing is fine; taking long is not
        run()
    return time.process_time() - started


@pytest.mark.parametrize("case", sorted(wc.procfs_cases(1024)))
def test_procfs(case: str) -> None:
    text = wc.procfs_cases(EVIDENCE_CAP)[case]
    assert _cpu(lambda: parse_bonding(text, name="bond0")) < BUDGET_S


@pytest.mark.parametrize("case", sorted(wc.ip_json_cases(1024)))
def test_ip_json(case: str) -> None:
    text = wc.ip_json_cases(EVIDENCE_CAP)[case]
    assert _cpu(lambda: parse_ip_state(text, None, source="n")) < BUDGET_S


def test_nns_with_a_bond_of_many_ports() -> None:
    state = wc.nns_state(EVIDENCE_CAP)
    assert len(json.dumps(state)) > 4 * wc.MiB
    assert _cpu(lambda: observed_from_nns(state, "bond0")) < BUDGET_S
    assert _cpu(lambda: ip_state_from_nns(state)) < BUDGET_S


def test_sosreport_address_text() -> None:
    text = wc.sos_oneline_addr(EVIDENCE_CAP)
    assert _cpu(lambda: oneline_addr_to_json(text)) < BUDGET_S


def test_meta_with_many_notes(tmp_path: Path) -> None:
    from bondcheck.transport.capture import read_capture

    node = tmp_path / "n"
    (node / "proc/net/bonding").mkdir(parents=True)
    (node / "proc/net/bonding/bond0").write_text("Bonding Mode: load balancing (round-robin)\n")
    notes = ["x" * 60] * (EVIDENCE_CAP // 70)
    (node / "meta.json").write_text(json.dumps({"notes": notes}))
    assert _cpu(lambda: read_capture(tmp_path, ["bond0"])) < BUDGET_S


def test_policy_at_its_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(wc.policy_text(MAX_POLICY_BYTES - 1024))
    policy = None

    def load() -> None:
        nonlocal policy
        policy = load_policy_file(str(path))

    assert _cpu(load) < BUDGET_S
    assert policy is not None and len(policy.bonds[0].ports) > 4000


def test_policy_over_its_cap_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(60 * wc.MiB)
    with pytest.raises(BondcheckError, match="larger than 1024 KiB"):
        load_policy_file(str(path))


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (wc.alias_bomb(), "expands to more than"),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "nest"),
    ],
    ids=["alias-bomb", "deep-nesting"],
)
def test_hostile_yaml_is_refused_quickly(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    started = time.process_time()
    with pytest.raises(BondcheckError, match=why):
        load_policy_file(str(path))
    assert time.process_time() - started < 1.0


def _lldp_many_ports(size: int) -> str:
    sample = Path(__file__).resolve().parents[2] / "fixtures" / "lldp" / "lldpctl-one-port.json"
    one = json.loads(sample.read_text())["lldp"]["interface"]["ens224"]
    body = json.dumps(one)
    count = max(1, size // (len(body) + 20))
    items = ",".join(f'{{"p{i}": {body}}}' for i in range(count))
    return f'{{"lldp": {{"interface": [{items}]}}}}'


def test_lldpctl_json() -> None:
    from bondcheck.parse.lldp import parse_lldpctl

    text = _lldp_many_ports(EVIDENCE_CAP)
    assert len(text) > EVIDENCE_CAP // 2
    assert _cpu(lambda: parse_lldpctl(text)) < BUDGET_S
