"""Test-suite wide setup: only what the real-kernel lab needs (see docs/lab.md).

- the session-scoped `lab` fixture (a tests.lab.harness.Lab with worker-0..2 booted);
- every test that uses it is marked `lab`, so `pytest -m lab` / `-m "not lab"` select it.
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


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "lab" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.lab)
