"""Ping output parsing and gap computation, on real captures and iputils' documented format."""

from __future__ import annotations

from pathlib import Path

import pytest

from bondcheck.failover.probe import (
    figures,
    interval_refused,
    option_refused,
    parse_ping,
    replies_between,
)

DATA = Path(__file__).parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_text()


def test_busybox_capture_without_loss() -> None:
    run = parse_ping(read("busybox-ping-8023ad-pull.txt"))
    assert run.transmitted == 669 and run.received == 669
    assert len(run.replies) == 669
    assert run.replies[0].seq == 0 and not run.timestamped
    result = figures(run, 0.01)
    assert (result.sent, result.received, result.lost) == (669, 669, 0)
    assert result.gap_source == "sequence"
    assert result.max_gap_ms == pytest.approx(10.0)


def test_busybox_capture_of_active_backup_switch_side_pull() -> None:
    run = parse_ping(read("busybox-ping-ab-switch-side-pull.txt"))
    result = figures(run, 0.01)
    # ping's own summary: 503 sent, 476 received
    assert (result.sent, result.received, result.lost) == (503, 476, 27)
    # miimon 100 + downdelay 200: the outage is one run of 27 missing sequence numbers
    assert result.max_gap_ms == pytest.approx(280.0)


def test_iputils_timestamps_measure_the_gap() -> None:
    run = parse_ping(read("iputils-D-peer-down.txt"))
    assert run.timestamped and run.replies[0].seq == 1
    result = figures(run, 0.01)
    assert result.gap_source == "timestamps"
    # the peer was down for 0.5 s; iputils kept no probe in flight, so none are "lost"
    assert result.lost == 0
    assert 450 < (result.max_gap_ms or 0) < 700
    assert result.first_reply_at == pytest.approx(1795955182.3053)


def test_iputils_stopped_by_sigint_keeps_its_summary() -> None:
    run = parse_ping(read("iputils-D-sigint.txt"))
    assert (run.transmitted, run.received) == (59, 59)
    result = figures(run, 0.01)
    assert result.lost == 0 and (result.max_gap_ms or 0) < 50


IPUTILS = """PING 192.168.100.1 (192.168.100.1) 56(84) bytes of data.
[1700000000.000000] 64 bytes from 192.168.100.1: icmp_seq=1 ttl=64 time=0.045 ms
[1700000000.010000] 64 bytes from 192.168.100.1: icmp_seq=2 ttl=64 time=0.052 ms
[1700000000.010500] 64 bytes from 192.168.100.1: icmp_seq=2 ttl=64 time=0.061 ms (DUP!)
[1700000000.020100] From 192.168.100.10 icmp_seq=3 Destination Host Unreachable
[1700000000.150000] 64 bytes from 192.168.100.1: icmp_seq=15 ttl=64 time=0.050 ms
[1700000000.160000] 64 bytes from 192.168.100.1: icmp_seq=16 ttl=64 time=0.049 ms

--- 192.168.100.1 ping statistics ---
19 packets transmitted, 4 received, +1 duplicates, +1 errors, 78.9474% packet loss, time 180ms
rtt min/avg/max/mdev = 0.045/0.049/0.052/0.003 ms, ipg/ewma 10.043/0.058 ms
"""


def test_iputils_format_with_duplicates_errors_and_trailing_loss() -> None:
    run = parse_ping(IPUTILS)
    assert [r.seq for r in run.replies] == [1, 2, 15, 16]  # the DUP! reply is ignored
    assert run.errors == (
        "[1700000000.020100] From 192.168.100.10 icmp_seq=3 Destination Host Unreachable",
    )
    assert (run.transmitted, run.received) == (19, 4)
    result = figures(run, 0.01)
    # holes 3..14 (12) + trailing 17, 18, 19 minus the one that may be in flight (2)
    assert result.lost == 14
    assert result.sent == 18
    assert result.max_gap_ms == pytest.approx(140.0)
    assert replies_between(run, 1700000000.005, 1700000000.155) == 2


def test_sequence_wrap_is_unwrapped() -> None:
    # busybox numbers from 0 and wraps at 2**16: 0..65535, 0, (1 lost), 2
    seqs = [*range(65536), 0, 2]
    run = parse_ping("\n".join(f"64 bytes from 10.0.0.1: seq={s} ttl=64 time=0.1 ms" for s in seqs))
    assert [r.seq for r in run.replies[-3:]] == [65535, 65536, 65538]
    result = figures(run, 0.01)
    assert result.lost == 1 and result.max_gap_ms == pytest.approx(20.0)


def test_reordered_replies_are_measured_by_arrival_time() -> None:
    text = "\n".join(
        f"[{t}] 64 bytes from 10.0.0.1: icmp_seq={s} ttl=64 time=0.1 ms"
        for s, t in ((1, "100.000"), (3, "100.020"), (2, "100.025"), (4, "100.300"))
    )
    result = figures(parse_ping(text), 0.01)
    assert result.lost == 0
    assert result.max_gap_ms == pytest.approx(275.0)


def test_no_reply_at_all() -> None:
    text = (
        "PING 10.99.0.77 (10.99.0.77): 56 data bytes\n\n--- 10.99.0.77 ping statistics ---\n"
        "3 packets transmitted, 0 packets received, 100% packet loss\n"
    )
    result = figures(parse_ping(text), 0.2)
    assert (result.sent, result.received, result.lost, result.max_gap_ms) == (3, 0, 3, None)


def test_unknown_lines_are_kept_not_fatal() -> None:
    run = parse_ping(
        "64 bytes from 1.1.1.1: seq=0 ttl=1 time=1 ms\nping: sendto: Network is unreachable\n"
    )
    assert run.other == ("ping: sendto: Network is unreachable",)
    assert len(run.replies) == 1


def test_interval_must_be_positive() -> None:
    with pytest.raises(ValueError):
        figures(parse_ping(""), 0)


@pytest.mark.parametrize(
    ("text", "interval", "option"),
    [
        ("ping: cannot flood; minimal interval allowed for user is 200ms", True, False),
        (
            "ping: invalid option -- 'D'\nBusyBox v1.35.0 multi-call binary.\n\nUsage: ping",
            False,
            True,
        ),
        ("64 bytes from 1.1.1.1: icmp_seq=1 ttl=64 time=0.1 ms", False, False),
    ],
)
def test_refusal_texts(text: str, interval: bool, option: bool) -> None:
    assert interval_refused(text) is interval
    assert option_refused(text) is option
