"""Real lldpd, real LLDP frames over veth links between network namespaces (tests/lldp/
realnet.py): the node's ``lldpctl -f json`` judged with a real-kernel bond capture.

One switch identity for both ports: LLDP-DISTINCT-SWITCH fails (required); two switch
identities (two chassis): it passes; a cable on another switch port than the cabling map says:
LLDP-CABLING fails naming both ports. Needs root for network namespaces: in CI (root) it must
run; elsewhere without root it skips with the reason.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bondcheck.cabling import Cable, Cabling
from bondcheck.judge import judge_node
from bondcheck.model import Evidence
from bondcheck.policy.loader import load_policy_file
from bondcheck.transport.capture import read_capture
from tests.lab.fixture import in_ci
from tests.lldp.realnet import ONE_SWITCH, TWO_SWITCHES, lldp_net

ROOT = Path(__file__).resolve().parents[2]
POLICY = load_policy_file(str(ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"))


@pytest.fixture(autouse=True)
def _root() -> None:
    if os.geteuid() != 0 and shutil.which("ip"):
        if in_ci():
            pytest.fail("real lldpd needs root for network namespaces", pytrace=False)
        pytest.skip("real lldpd needs root for network namespaces")


def _judge(tmp_path: Path, lldp_json: str, cabling: Cabling) -> dict[str, list[tuple[str, str]]]:
    node = tmp_path / "worker-0"
    shutil.copytree(ROOT / "fixtures" / "captures" / "lab" / "healthy-802.3ad", node)
    (node / "lldp.json").write_text(lldp_json)
    (item,) = read_capture(tmp_path, ["bond0"])
    assert isinstance(item, Evidence)
    got: dict[str, list[tuple[str, str]]] = {}
    for r in judge_node(POLICY, item, cabling=cabling).results:
        if r.check.startswith("LLDP-"):
            got.setdefault(r.check, []).append((r.status.value, r.message))
    return got


def test_real_lldp_one_switch_then_two(tmp_path: Path) -> None:
    required = Cabling(require_distinct_switches=True)
    with lldp_net(ONE_SWITCH) as text:
        one = _judge(tmp_path / "one", text, required)
    assert one["LLDP-NEIGHBOR"] == [
        ("pass", "ens224 -> leaf-1 Ethernet1/7; ens256 -> leaf-1 Ethernet1/8")
    ]
    assert [s for s, _ in one["LLDP-DISTINCT-SWITCH"]] == ["fail"]
    with lldp_net(TWO_SWITCHES) as text:
        moved = Cabling(
            require_distinct_switches=True,
            nodes=(("worker-0", {"ens224": Cable("leaf-1", "Ethernet1/7"),
                                 "ens256": Cable("leaf-2", "Ethernet1/8")}),),
        )  # fmt: skip
        two = _judge(tmp_path / "two", text, moved)
    assert [s for s, _ in two["LLDP-DISTINCT-SWITCH"]] == ["pass"]
    assert two["LLDP-CABLING"] == [
        ("fail", "ens256 is cabled to leaf-2 Ethernet1/7, expected leaf-2 Ethernet1/8")
    ]
