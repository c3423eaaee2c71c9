"""``bondcheck failover`` refusals that happen before any node is contacted (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bondcheck.cli.app import run
from bondcheck.cli.failover import NON_INTERACTIVE

POLICY = str(
    Path(__file__).resolve().parents[2] / "fixtures" / "policies" / "worker-bond-lacp.yaml"
)
# An ssh config that does not exist: any attempt to reach a node would fail with exit 3.
NOWHERE = ["--ssh-config", "/nonexistent/bondcheck-ssh-config"]


def failover(*args: str) -> list[str]:
    return ["failover", "--policy-file", POLICY, *NOWHERE, *args]


def test_non_interactive_run_without_yes_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(failover("--node", "worker-0")) == 2
    err = capsys.readouterr().err
    assert err.strip() == f"bondcheck: error: {NON_INTERACTIVE}"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--node", "w0", "--yes", "--port", "ens224;reboot"], "--port 'ens224;reboot'"),
        (["--node", "w0", "--yes", "--target", "gateway"], "is not an IP address"),
        (["--node", "w0", "--yes", "--restore-after", "6"], "must exceed --pull-seconds"),
        (["--yes"], "--node NAME"),
        (["--node", "w0", "--yes", "--bond", "bond9"], "no bond of that name"),
    ],
)
def test_usage_errors(args: list[str], fragment: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(failover(*args)) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1


def test_help_lists_the_safety_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["failover", "--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--restore-after", "--dry-run", "--yes", "--pull-seconds", "--target"):
        assert option in out
