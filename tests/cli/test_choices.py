"""The CLI's --via choices are the transports the code really has, in every command."""

from __future__ import annotations

from bondcheck.cli.collect import LiveVia
from bondcheck.cli.failover import Via as FailoverVia
from bondcheck.cli.verify import Via
from bondcheck.failover.shells import FAILOVER_TRANSPORTS
from bondcheck.run import TRANSPORTS
from bondcheck.transport.factory import TRANSPORT_NAMES


def test_via_choices_match_the_transports() -> None:
    assert {v.value for v in Via} == set(TRANSPORTS) == {*TRANSPORT_NAMES, "capture"}
    assert {v.value for v in LiveVia} == set(TRANSPORT_NAMES)
    assert {v.value for v in FailoverVia} == set(FAILOVER_TRANSPORTS)
    assert set(FAILOVER_TRANSPORTS) <= set(TRANSPORT_NAMES)
