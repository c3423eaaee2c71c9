"""Live progress on a terminal: one line per node in flight with its stage, and a tally.

``LineReporter`` (plain stderr lines) stays the choice for CI logs and pipes; this view is
used only when stderr is a terminal, so a 3 a.m. operator sees which node is stuck on which
stage instead of a silent cursor. With hundreds of nodes only the nodes still running are
listed (up to the terminal's height) plus a ``done/total`` tally, and failures are printed as
permanent lines above the live area so none scrolls away.
"""

from __future__ import annotations

import sys
import threading
from types import TracebackType
from typing import Any

from bondcheck.cli.common import PREFIX


class LiveReporter:
    """A Rich ``Live`` view driven by the Reporter protocol (stage / done)."""

    def __init__(self, total: int | None = None, *, console: Any = None) -> None:
        from rich.console import Console
        from rich.live import Live

        self._console = console or Console(stderr=True)
        self._stages: dict[str, str] = {}
        self._done = 0
        self._failed = 0
        self._total = total
        self._lock = threading.Lock()
        self._live = Live(
            self._render(), console=self._console, transient=True, refresh_per_second=8
        )

    def __enter__(self) -> LiveReporter:
        self._live.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._live.__exit__(kind, exc, tb)

    def _render(self) -> Any:
        from rich.table import Table

        table = Table.grid(padding=(0, 1))
        room = max(self._console.size.height - 3, 1)
        for node, stage in list(self._stages.items())[:room]:
            table.add_row(f"[bold]{node}[/]", f"[dim]{stage}…[/]")
        total = f"/{self._total}" if self._total else ""
        tally = f"{self._done}{total} nodes done"
        if self._failed:
            tally += f", [red]{self._failed} not collected[/]"
        table.add_row("", tally)
        return table

    def stage(self, node: str, stage: str) -> None:
        with self._lock:
            self._stages[node] = stage
            self._live.update(self._render())

    def done(self, node: str, ok: bool, message: str = "") -> None:
        with self._lock:
            self._stages.pop(node, None)
            self._done += 1
            if not ok:
                self._failed += 1
                text = " ".join(message.split())
                self._console.print(
                    f"{PREFIX}[{node}] evidence not collected: {text}",
                    markup=False,
                    highlight=False,
                )
            self._live.update(self._render())


def wants_live_view(*, live_source: bool, verbose: bool, quiet: bool) -> bool:
    """The live view only for a live collection, on a terminal, without -q / -v."""
    return live_source and not quiet and not verbose and sys.stderr.isatty()
