"""Progress events from the fleet runner; the CLI decides how (or whether) to show them.

The core only calls these methods; a Rich live display on a TTY and plain log lines elsewhere
are two implementations in the CLI. Library users pass nothing and get ``NullReporter``.
"""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def stage(self, node: str, stage: str) -> None:
        """``node`` entered ``stage`` (connect, collect, parse, judge, ...)."""

    def done(self, node: str, ok: bool, message: str = "") -> None:
        """``node`` finished; ``ok`` False means its evidence could not be collected."""


class NullReporter:
    """Reports nothing."""

    def stage(self, node: str, stage: str) -> None:
        return None

    def done(self, node: str, ok: bool, message: str = "") -> None:
        return None
