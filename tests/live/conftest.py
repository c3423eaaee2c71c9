"""Every live test leaves the lab as it found it: healthy-802.3ad on all three nodes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.lab.harness import Lab

from .livekit import restore_healthy


@pytest.fixture(autouse=True, scope="module")
def _healthy_afterwards(lab: Lab) -> Iterator[None]:
    """Other lab tests call lab.scenario() first, but a node left stopped or faulted would
    still cost them a boot or a rebuild they did not ask for; put it back once per module."""
    yield
    restore_healthy(lab)
