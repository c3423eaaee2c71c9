"""Fixtures for CLI tests: a Typer CliRunner on the real app and capture directories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bondcheck.cli.app import build_app

from . import scenarios

CLEAN_ENV = {"NO_COLOR": None, "FORCE_COLOR": None, "BONDCHECK_COLOR": None}


@pytest.fixture(autouse=True)
def _no_bondcheck_env(monkeypatch):
    """BONDCHECK_* variables of the machine running the tests must not change results."""
    import os

    for key in list(os.environ):
        if key.startswith("BONDCHECK_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def app():
    return build_app()


@pytest.fixture
def cli(app) -> Callable[..., object]:
    """``cli(*args, env=None)`` -> click Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str | None] | None = None, input: str | None = None):
        return runner.invoke(
            app, list(args), env={**CLEAN_ENV, **(env or {})}, input=input, catch_exceptions=False
        )

    return invoke


@pytest.fixture
def capture(tmp_path) -> Callable[..., Path]:
    """``capture(worker_0="healthy", ...)`` writes a capture dir and returns its path."""

    def make(**spec: str) -> Path:
        root = tmp_path / "capture"
        root.mkdir(exist_ok=True)
        return scenarios.build(root, {k.replace("_", "-"): v for k, v in spec.items()})

    return make


@pytest.fixture
def policy() -> str:
    return str(scenarios.POLICY)
