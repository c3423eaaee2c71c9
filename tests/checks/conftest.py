"""Fixtures for the check tests; the builders themselves live in builders.py."""

from __future__ import annotations

import pytest

from bondcheck.checks.base import CheckContext

from .builders import context


@pytest.fixture
def healthy() -> CheckContext:
    """The healthy, privileged 802.3ad bond against a policy that matches it."""
    return context()
