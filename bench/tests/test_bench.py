"""Tests of the benchmark machinery itself: accounting, summaries, field counts, and a tiny
real fleet run of every SSH side (skipped where no sshd can be provided).

Run with ``python -m pytest -q bench/tests`` (not part of the product test suite).
"""

from __future__ import annotations

import ipaddress
import shutil
import sys

import pytest

from bench.common import ChildRun, run_child
from bench.fleet import _fit, summarize
from bench.parse import corpus_files
from bench.parse_worker import _bondcheck
from bench.sides import SideRun
from bench.sshfleet import node_address, node_name


def test_node_addresses_are_distinct_loopback_and_avoid_127_0_0() -> None:
    addresses = [node_address(i) for i in range(1000)]
    assert len(set(addresses)) == 1000
    for text in addresses:
        address = ipaddress.ip_address(text)
        assert address.is_loopback and not text.startswith("127.0.0.")
    assert node_name(0) == "node-0001" and node_name(499) == "node-0500"
    with pytest.raises(ValueError):
        node_address(-1)


def test_run_child_charges_the_child_tree_cpu_and_memory() -> None:
    # A grandchild burns CPU; the child waits for it, so its time is the tree's time.
    code = "import subprocess,sys; subprocess.run([sys.executable,'-c','sum(range(4_000_000))'])"
    result = run_child([sys.executable, "-c", code], timeout=60)
    assert result.rc == 0 and not result.timed_out
    bare = run_child([sys.executable, "-c", "pass"], timeout=60)
    assert result.cpu_s > bare.cpu_s + 0.05
    assert result.maxrss_kb > 1000


def test_run_child_kills_a_run_past_its_timeout() -> None:
    result = run_child([sys.executable, "-c", "import time; time.sleep(30)"], timeout=0.5)
    assert result.timed_out and result.rc != 0 and result.wall_s < 10


def _run(side: str, wall: float, cpu: float, rss_kb: int = 50_000) -> SideRun:
    child = ChildRun((side,), 0, wall, cpu, 0.0, rss_kb, "", "")
    return SideRun(side, 100, child, 1.0)


def test_summary_takes_medians_and_judges_the_goals() -> None:
    runs = [
        _run("bondcheck", 10.0, 1.0), _run("bondcheck", 12.0, 1.2), _run("bondcheck", 50.0, 9.0),
        _run("xargs_ssh", 11.0, 12.0), _run("ansible", 30.0, 20.0),
        SideRun("ansible", 100, None, 1.0, failure="lost nodes"),
    ]  # fmt: skip
    server = {"bondcheck": [3.0, 3.0, 3.0], "xargs_ssh": [4.0], "ansible": [5.0]}
    out = summarize(runs, server, 100)
    assert out["bondcheck_s"] == 12.0 and out["bondcheck_cpu_s"] == 1.2
    assert out["bondcheck_cpu_ms_per_node"] == 12.0
    assert out["ratios"]["cpu_xargs_ssh_over_bondcheck"] == 10.0  # type: ignore[index]
    goals = out["goals"]
    assert goals["cpu_per_node_at_most_15ms"] is True  # type: ignore[index]
    assert goals["cpu_8x_less_than_xargs_ssh"] is True  # type: ignore[index]
    assert goals["cpu_12x_less_than_ansible"] is True  # type: ignore[index]  # 20 / 1.2
    assert goals["wall_within_1.2x_of_xargs_ssh"] is True  # type: ignore[index]
    assert out["failed_runs"] == ["ansible: lost nodes"]


def test_fit_recovers_a_line() -> None:
    slope, intercept = _fit([10, 50, 200, 500], [2 + 0.1 * x for x in (10, 50, 200, 500)])
    assert slope == pytest.approx(0.1) and intercept == pytest.approx(2.0)


def test_bondcheck_field_count_sees_ports_and_lacp_details() -> None:
    prepare, parse, fields = _bondcheck()
    capture = next(p for p in corpus_files() if "healthy-802.3ad" in str(p) and p.name == "bond0")
    found = list(fields(parse(prepare(capture.read_text()))))
    assert found.count("ports[].name") == 2
    assert "ports[].partner.port_state" in found and "ad_info.partner_mac" in found
    assert "privileged_view" not in found  # an inference, not a value read from the text


def _sshd_or_skip() -> None:
    from tests.sshd.server import SshdUnavailable, sshd_binary

    try:
        sshd_binary()
    except SshdUnavailable as exc:
        pytest.skip(f"no sshd: {exc}")
    if shutil.which("ssh") is None or shutil.which("xargs") is None:
        pytest.skip("no ssh client or xargs")


def test_a_tiny_fleet_is_collected_by_every_ssh_side() -> None:
    _sshd_or_skip()
    from bench.sides import run_side
    from bench.sshfleet import running_fleet

    with running_fleet(3, 0.0) as fleet:
        for side in ("bondcheck", "xargs_ssh", "paramiko"):
            result = run_side(side, fleet, 3, 120)
            assert result.failure is None, result.failure
            assert result.run is not None and result.run.cpu_s > 0


def test_the_diff_benchmark_builds_trees_that_diff_as_intended(tmp_path) -> None:
    from bench.diff import build, in_process
    from bondcheck.drift.run import diff_dirs

    before, after, changed = build(tmp_path, 10)
    assert changed == 2  # node-0000 and node-0005
    report = diff_dirs(str(before), str(after))
    assert [n.node for n in report.nodes if n.status == "changed"] == ["node-0000", "node-0005"]
    assert report.interval_s == 2 * 3600
    assert in_process(before, after) > 0
