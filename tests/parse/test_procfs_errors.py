"""Text that is not one bond's /proc/net/bonding output fails with a one-line ParseError."""

from __future__ import annotations

import pytest

from bondcheck.errors import EXIT_USAGE, ParseError
from bondcheck.parse.procfs import parse_bonding

from .conftest import read_sample

MEMINFO = "MemTotal:       16318480 kB\nMemFree:         1214660 kB\nBuffers:  2 kB\n"
RR = read_sample("insights-rhel7-balance-rr-2slaves.txt")


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("", 1, "empty input"),
        ("\n \n\t\n", 1, "empty input"),
        ("Ethernet Channel Bonding Driver: v6.1\n\x00\x01\x02ELF", 2, "binary data"),
        ("Bonding Mode: load balancing (xor)\n\udcff\udcfe", 2, "binary data"),
        (MEMINFO, 1, "not /proc/net/bonding output: starts with 'MemTotal:"),
        ("$ cat /proc/net/bonding/bond0\n" + RR, 1, "not /proc/net/bonding output"),
        (
            "Ethernet Channel Bonding Driver: v6.1.0\n\nBonding Mode: load balancing (magic)\n",
            3,
            "unknown bonding mode 'load balancing (magic)'",
        ),
        ("Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n\n", 1, "no 'Bonding Mode'"),
        (RR.replace("Bonding Mode: load balancing (round-robin)\n", ""), 22, "no 'Bonding Mode'"),
        (RR + RR, 24, "more than one bond"),
        (RR.replace("MII Status: up\n", "Bonding Mode: broadcast\n", 1), 4, "second 'Bonding"),
        (RR.replace("Slave Interface: eno2", "Slave Interface: eno1"), 17, "listed twice"),
        (RR.replace("Slave Interface: eno2", "Slave Interface:"), 17, "without a name"),
    ],
    ids=[
        "empty",
        "blank",
        "nul-bytes",
        "surrogate-escaped-bytes",
        "meminfo",
        "shell-prompt",
        "unknown-mode",
        "version-line-only",
        "no-mode-line",
        "two-bonds",
        "two-mode-lines",
        "duplicate-port",
        "nameless-port",
    ],
)
def test_not_bonding_text(text: str, line: int, reason: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_bonding(text, source="node1/proc/net/bonding/bond0")
    message = str(info.value)
    assert message.startswith(f"node1/proc/net/bonding/bond0:{line}: ")
    assert reason in message
    assert "\n" not in message
    assert info.value.line == line
    assert info.value.exit_code == EXIT_USAGE


def test_without_source_the_message_still_says_where() -> None:
    with pytest.raises(ParseError, match=r"^<input>:1: not /proc/net/bonding output"):
        parse_bonding(MEMINFO)


@pytest.mark.parametrize("value", [b"Bonding Mode: broadcast\n", None, 42])
def test_non_text_input_is_a_parse_error(value: object) -> None:
    with pytest.raises(ParseError, match="expected text"):
        parse_bonding(value, source="x")  # type: ignore[arg-type]
