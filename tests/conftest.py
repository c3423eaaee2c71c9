"""Test-suite wide setup: only what the real-kernel lab needs (see docs/lab.md).

- the session-scoped `lab` fixture (a tests.lab.harness.Lab with worker-0..2 booted);
- the session-scoped `lab_systemd` fixture (one guest, worker-sd-0, booting systemd as PID 1);
- every test that uses either is marked `lab` (and `lab_systemd`), so `pytest -m lab` /
  `-m "not lab"` select them.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parent.parent
if str(_ROOT) not in sys.path:  # `tests.lab` must import the same way under pytest and -m
    sys.path.insert(0, str(_ROOT))

from tests.lab.fixture import lab_session  # noqa: E402
from tests.lab.harness import Lab  # noqa: E402


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """Three real-kernel guests for the whole session (skip locally / fail in CI if absent)."""
    yield from lab_session()


@pytest.fixture(scope="session")
def lab_systemd() -> Iterator[Lab]:
    """One real-kernel guest that boots Debian's systemd (same skip/fail policy as `lab`)."""
    yield from lab_session(1, flavor="systemd")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "lab" in names or "lab_systemd" in names:
            item.add_marker(pytest.mark.lab)
        if "lab_systemd" in names:
            item.add_marker(pytest.mark.lab_systemd)
