"""Durations as kubectl writes them (30s, 2m, 1m30s, 500ms) or plain seconds, everywhere."""

from __future__ import annotations

import pytest
import typer

import bondcheck.run
from bondcheck.cli.common import parse_duration, parse_whole_seconds
from bondcheck.request import VerifyRequest

from . import scenarios


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30", 30.0),
        ("0.5", 0.5),
        ("30s", 30.0),
        ("2m", 120.0),
        ("1m30s", 90.0),
        ("500ms", 0.5),
        ("1h", 3600.0),
        ("1h2m3s", 3723.0),
        (" 45s ", 45.0),
        (60.0, 60.0),
    ],
)
def test_durations_read_as_seconds(text: str | float, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text",
    ["", "x", "0", "0s", "-5", "5 s", "1.5.2s", "1d", "s", "nan", "inf", "1e3", "١٠", "²", "25h"],
)
def test_what_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(typer.BadParameter):
        parse_duration(text)


def test_whole_seconds_for_timers_on_the_node() -> None:
    assert parse_whole_seconds("1m") == 60 and parse_whole_seconds("30") == 30
    with pytest.raises(typer.BadParameter, match="whole seconds"):
        parse_whole_seconds("1.5")


def test_every_duration_option_and_its_variable_take_the_form(cli, monkeypatch) -> None:
    seen: list[VerifyRequest] = []

    def fake_verify(request: VerifyRequest, *_: object, **__: object) -> object:
        seen.append(request)
        raise typer.Exit(0)

    monkeypatch.setattr(bondcheck.run, "verify", fake_verify)
    args = ("verify", "--policy-file", str(scenarios.POLICY), "--via", "ssh", "--node", "w0")
    assert cli(*args, "--timeout", "1m30s", "--connect-timeout", "500ms").exit_code == 0
    env = {"BONDCHECK_TIMEOUT": "2m", "BONDCHECK_CONNECT_TIMEOUT": "0.5"}
    assert cli(*args, env=env).exit_code == 0
    assert [(r.timeout, r.options.connect_timeout) for r in seen] == [(90.0, 0.5), (120.0, 0.5)]
    bad = cli(*args, "--timeout", "soon")
    assert bad.exit_code == 2 and "'soon' is not" in bad.stderr


def test_failover_durations(cli) -> None:
    args = ("failover", "--policy-file", str(scenarios.POLICY), "--node", "w0", "--dry-run")
    result = cli(*args, "--restore-after", "1.5")
    assert result.exit_code == 2 and "whole" in result.stderr
    result = cli(*args, "--pull-seconds", "soon")
    assert result.exit_code == 2 and "'soon' is not" in result.stderr
