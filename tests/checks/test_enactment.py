"""POLICY-ENACTMENT: every NNCE status, staleness, offline, and the error line it shows."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bondcheck.checks.enactment import first_error_line
from bondcheck.model import Enactment, Status

from .builders import context, only, run

NNCE = Path(__file__).resolve().parents[2] / "fixtures" / "k8s" / "nnce"


def enactment(status: str, **kw) -> Enactment:
    return Enactment(node="worker-1", policy="bond0-lacp", status=status, **kw)


def test_available_for_current_generation_passes() -> None:
    e = enactment("Available", reason="SuccessfullyConfigured", policy_generation=3)
    result = only(run("POLICY-ENACTMENT", context(enactment=e)), Status.PASS)
    assert result.message == (
        "NNCE worker-1.bond0-lacp is Available (SuccessfullyConfigured) for generation 3"
    )
    assert result.bond is None


@pytest.mark.parametrize("status", ["Failing", "Aborted"])
def test_failing_and_aborted_fail_with_the_nmstate_error(status: str) -> None:
    message = (
        "error reconciling NodeNetworkConfigurationPolicy on node worker-1 at desired state "
        'apply: "",\n'
        "[2024-06-20T12:01:03Z INFO  nmstatectl] Nmstate version: 2.2.27\n"
        "NmstateError: InvalidArgument: Ethernet interface ens1f1 does not exists\n"
        ": failed to execute nmstatectl apply --no-commit --timeout 480: exit status 1\n"
    )
    e = enactment(status, reason="FailedToConfigure", message=message)
    result = only(run("POLICY-ENACTMENT", context(enactment=e)), Status.FAIL)
    assert result.message == (
        f"NNCE worker-1.bond0-lacp is {status} (FailedToConfigure): "
        "NmstateError: InvalidArgument: Ethernet interface ens1f1 does not exists"
    )
    assert result.evidence == f"nnce/worker-1.bond0-lacp: status {status}, reason FailedToConfigure"


@pytest.mark.parametrize("status", ["Progressing", "Pending", "Unknown"])
def test_in_flight_or_unknown_warn(status: str) -> None:
    result = only(run("POLICY-ENACTMENT", context(enactment=enactment(status))), Status.WARN)
    assert status in result.message


def test_missing_nnce_warns() -> None:
    result = only(run("POLICY-ENACTMENT", context(enactment=enactment("Missing"))), Status.WARN)
    assert result.message == "no NNCE for worker-0: not targeted or handler missing"


def test_stale_generation_warns_even_when_available() -> None:
    e = enactment("Available", policy_generation=1, stale=True)
    result = only(run("POLICY-ENACTMENT", context(enactment=e)), Status.WARN)
    assert "older policy generation (1)" in result.message


def test_offline_skips() -> None:
    result = only(run("POLICY-ENACTMENT", context()), Status.SKIP)
    assert result.message == (
        "enactment status not available: the policy was not read from the cluster"
    )


def _failing_message(name: str) -> str:
    doc = yaml.safe_load((NNCE / name).read_text(encoding="utf-8"))
    return next(c["message"] for c in doc["status"]["conditions"] if c["type"] == "Failing")


@pytest.mark.parametrize(
    ("name", "line"),
    [
        (
            "worker-1.bond0-lacp-failing.yaml",
            "NmstateError: InvalidArgument: Ethernet interface ens1f1 does not exists",
        ),
        (
            "host1.host1-bond-data-legacy-failing.yaml",
            "NmstateLibnmError: Add profile: bond-data failed with error: invalid value 'lacp' "
            "for option 'mode' (7)",
        ),
    ],
)
def test_first_error_line_of_real_nnce_messages(name: str, line: str) -> None:
    assert first_error_line(_failing_message(name)) == line


def test_first_error_line_fallbacks() -> None:
    assert first_error_line(None) is None
    assert first_error_line("\n  \n") is None
    assert first_error_line("applying\nsomething went wrong: Error: x") == (
        "something went wrong: Error: x"
    )
    assert first_error_line("just one line") == "just one line"
    log = "2022-04-12 16:57:31,015 root         ERROR    Rollback to checkpoint 4"
    assert first_error_line(f"start\n{log}") == "ERROR Rollback to checkpoint 4"
    assert len(first_error_line("error " + "x" * 500) or "") == 240
