"""What one verify run is asked to do, as the CLI (or a test) states it.

Its own module because both the run (run.py) and the live collection (live.py) read it, and
neither should import the other to know its shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bondcheck.transport.options import TransportOptions


@dataclass(frozen=True)
class VerifyRequest:
    """Everything a verify run needs, as the CLI (or a test) states it."""

    policy_name: str | None = None
    policy_file: str | None = None
    nodes: tuple[str, ...] = ()
    selector: str | None = None  # kubectl label selector narrowing the policy's nodes
    via: str | None = None
    from_dir: str | None = None
    concurrency: int | None = None
    timeout: float = 60.0
    only: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    options: TransportOptions = field(default_factory=TransportOptions)
    #: A capture taken before a change (``--baseline DIR``): report DRIFT-* results too.
    baseline: str | None = None
    #: The expected cabling map (``--cabling FILE``) and the distinct-switch rule.
    cabling_file: str | None = None
    require_distinct_switches: bool = False
    #: Options whose value came from the environment, by parameter name -> the variable,
    #: so a message names what the operator actually set (``BONDCHECK_VIA=oc-debug``).
    from_env: Mapping[str, str] = field(default_factory=dict)

    def spelled(self, name: str) -> str:
        """How the operator gave option ``name``: ``--from-dir`` or ``BONDCHECK_FROM_DIR``."""
        return self.from_env.get(name) or "--" + name.replace("_", "-")
