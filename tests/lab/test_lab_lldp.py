"""Real lldpd in the QEMU lab (marker ``lab_lldp``): the switch side of each guest runs lldpd
as one switch (leaf-1 behind both ports) or two (leaf-1 behind ens224, leaf-2 behind ens256,
two chassis IDs), the node runs lldpd on its bond ports, and real LLDP frames cross the real
links of the real bond. bondcheck collects ``lldpctl -f json`` over SSH with the bond and
judges the cabling (tests/lab/guest/labnet ``lldp``)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.live.livekit import run_in_process, verify_args

pytestmark = pytest.mark.lab_lldp
NODE = "worker-2"


@pytest.fixture
def lldp_node(lab: Any) -> Iterator[Any]:
    lab.scenario(NODE, "healthy-802.3ad")
    yield lab
    lab.run(NODE, "labnet lldp off", timeout=60)


def _lldp(lab: Any, mode: str) -> dict[str, Any]:
    """Start lldpd in ``mode`` and wait until the node hears a neighbour on both ports."""
    rc, _, err = lab.run(NODE, f"labnet lldp {mode}", timeout=60)
    assert rc == 0, err
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rc, out, _ = lab.run(NODE, "lldpctl -f json", timeout=30)
        if rc == 0 and '"ens224"' in out and '"ens256"' in out:
            return json.loads(out)
        time.sleep(1)
    raise AssertionError(f"no LLDP neighbours on both ports within 30 s: {out}")


def _verify(lab: Any, *extra: str) -> dict[str, list[tuple[str, str]]]:
    run = run_in_process(verify_args(lab.ssh_config_path, [NODE], extra=list(extra)))
    (node,) = run.report()["nodes"]
    got: dict[str, list[tuple[str, str]]] = {}
    for r in node["results"]:
        if r["check"].startswith("LLDP-"):
            got.setdefault(r["check"], []).append((r["status"], r["message"]))
    return got


def test_one_switch_then_two_then_a_miscabled_port(lldp_node: Any, tmp_path: Path) -> None:
    heard = _lldp(lldp_node, "one-switch")
    assert "leaf-1" in json.dumps(heard)
    one = _verify(lldp_node, "--require-distinct-switches")
    assert one["LLDP-NEIGHBOR"] == [
        ("pass", "ens224 -> leaf-1 Ethernet1/7; ens256 -> leaf-1 Ethernet1/8")
    ]
    assert [s for s, _ in one["LLDP-DISTINCT-SWITCH"]] == ["fail"]

    _lldp(lldp_node, "two-switches")
    cabling = tmp_path / "cabling.yaml"
    cabling.write_text(
        "nodes:\n  worker-*:\n"
        "    ens224: {switch: leaf-1, port: Ethernet1/7}\n"
        "    ens256: {switch: leaf-2, port: Ethernet1/8}\n"
    )
    two = _verify(lldp_node, "--require-distinct-switches", "--cabling", str(cabling))
    assert [s for s, _ in two["LLDP-DISTINCT-SWITCH"]] == ["pass"]
    assert "one LACP partner: an MLAG/vPC pair" in two["LLDP-DISTINCT-SWITCH"][0][1]
    assert two["LLDP-CABLING"] == [
        ("fail", "ens256 is cabled to leaf-2 Ethernet1/7, expected leaf-2 Ethernet1/8")
    ]
