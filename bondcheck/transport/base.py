"""The one interface every transport implements.

A transport reaches one node and returns its Evidence in one round trip: the raw text of every
/proc/net/bonding/<bond> the policy names, ``ip -j addr`` and ``ip -j -d link``. It never
judges. It raises CollectError (one line, no secrets) when the node cannot be read.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence

from bondcheck.model import Evidence, NodeTarget


class Transport(abc.ABC):
    """Collects evidence from nodes. Implementations must be safe to call from many threads."""

    name: str = "transport"
    default_concurrency: int = 10

    @abc.abstractmethod
    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        """Read every bond in ``bonds`` plus ip addr/link from ``target`` within ``timeout``."""

    def preflight(self) -> None:  # noqa: B027  (optional hook)
        """Raise InputError when this transport cannot work at all (its CLI is missing), so
        the run stops with one line and exit 2 before any node is contacted."""

    def close(self) -> None:  # noqa: B027  (optional hook)
        """Release connections, pods or processes this transport holds."""
