"""What one verify run is asked to do, as the CLI (or a test) states it.

Its own module because both the run (run.py) and the live collection (live.py) read it, and
neither should import the other to know its shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bondcheck.transport.options import TransportOptions


@dataclass(frozen=True)
class VerifyRequest:
    """Everything a verify run needs, as the CLI (or a test) states it."""

    policy_name: str | None = None
    policy_file: str | None = None
    nodes: tuple[str, ...] = ()
    via: str | None = None
    from_dir: str | None = None
    concurrency: int | None = None
    timeout: float = 60.0
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    options: TransportOptions = field(default_factory=TransportOptions)
