"""PORT-FLAPPING: the documented threshold in both directions."""

from __future__ import annotations

from bondcheck.checks.flapping import FLAP_THRESHOLD
from bondcheck.model import Status

from .builders import context, lacp_bond, lacp_port, only, run


def test_threshold_is_the_documented_ten() -> None:
    assert FLAP_THRESHOLD == 10


def test_counts_below_threshold_pass() -> None:
    bond = lacp_bond(lacp_port("eno3", link_failure_count=9), lacp_port("eno2"))
    result = only(run("PORT-FLAPPING", context(bond)), Status.PASS)
    assert result.observed == {"eno3": 9, "eno2": 0}


def test_count_at_threshold_warns() -> None:
    bond = lacp_bond(
        lacp_port("eno3", link_failure_count=9), lacp_port("eno2", link_failure_count=12)
    )
    result = only(run("PORT-FLAPPING", context(bond)), Status.WARN)
    assert result.port == "eno2"
    assert result.evidence == "Slave Interface: eno2 / Link Failure Count: 12"
    assert result.message == "port eno2 link failed 12 times since it was enslaved (threshold 10)"


def test_no_counts_skip() -> None:
    bond = lacp_bond(lacp_port("eth1", link_failure_count=None))
    only(run("PORT-FLAPPING", context(bond)), Status.SKIP)
