"""The check registry: every check has a stable ID, a title, a remediation and explain text.

A check is a small object with ``run(ctx)`` that yields CheckResults. Checks are pure: they
see only the CheckContext (expected bond, observed bond, ip state, enactment) and never do I/O,
so they judge a live node and a saved capture identically.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from bondcheck.model import CheckResult, Enactment, Evidence, ExpectedBond, IpState, ObservedBond


@dataclass(frozen=True)
class CheckContext:
    """What one check sees for one bond of one node.

    ``observed`` is None when /proc/net/bonding/<bond> does not exist on the node.
    ``ip`` is empty (has_addresses False) when ip -j addr was not collected.
    """

    node: str
    expected: ExpectedBond
    observed: ObservedBond | None
    ip: IpState
    evidence: Evidence
    enactment: Enactment | None = None


class Check(Protocol):
    """The contract every check module implements."""

    id: str
    title: str
    remediation: str
    explain: str
    scope: str  # "bond": runs per expected bond; "node": runs once per node (bond=None)

    def run(self, ctx: CheckContext) -> Iterable[CheckResult]: ...


_REGISTRY: dict[str, Check] = {}


def register(check: Check) -> Check:
    """Add a check; IDs are unique and stable across releases."""
    if check.id in _REGISTRY:
        raise ValueError(f"duplicate check id {check.id}")
    _REGISTRY[check.id] = check
    return check


def all_checks() -> list[Check]:
    """Every registered check, in catalog order."""
    _load()
    return list(_REGISTRY.values())


def get(check_id: str) -> Check | None:
    _load()
    return _REGISTRY.get(check_id.upper())


def iter_selected(only: Iterable[str] = (), skip: Iterable[str] = ()) -> Iterator[Check]:
    """Checks filtered by --only / --skip (IDs are case-insensitive)."""
    only_set = {c.upper() for c in only}
    skip_set = {c.upper() for c in skip}
    for check in all_checks():
        if only_set and check.id not in only_set:
            continue
        if check.id in skip_set:
            continue
        yield check


_loaded = False


def _load() -> None:
    """Import the check modules once; each registers its checks at import time."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    from bondcheck.checks import catalog  # noqa: F401  (imports every check module)
