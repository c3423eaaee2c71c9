"""``--via nns``: zero-touch evidence from the node's NodeNetworkState (NNS).

Reading it needs nothing but ``get nodenetworkstates``: no pod, no exec, no shell, no node
access. The Evidence carries the NNS ``currentState`` and no bond text; bondcheck.parse.nns
turns it into the observed model, and the checks NNS cannot answer are skipped with their
reason (see docs/transports.md).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from bondcheck.model import Evidence, NodeTarget
from bondcheck.transport.base import Transport
from bondcheck.transport.options import TransportOptions


class NnsTransport(Transport):
    """Reads ``nodenetworkstates/<node>``; the Evidence carries ``nns_state``, no bond text."""

    name = "nns"
    default_concurrency = 16  # one GET per node

    def __init__(self, opts: TransportOptions, *, cluster: Any = None) -> None:
        self.opts = opts
        self._cluster = cluster
        self._lock = threading.Lock()

    def _get_cluster(self, timeout: float) -> Any:
        with self._lock:
            if self._cluster is None:
                from bondcheck.kube.cluster import Cluster

                self._cluster = Cluster(
                    self.opts.kubeconfig,
                    self.opts.context,
                    request_timeout=(min(10.0, timeout), timeout),
                )
            return self._cluster

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        from bondcheck.errors import CollectError

        obj = self._get_cluster(timeout).nns_object(target.name)
        status = obj.get("status") or {}
        state = status.get("currentState")
        if not isinstance(state, dict):
            raise CollectError(f"{target.name}: NodeNetworkState has no currentState yet")
        notes = []
        if status.get("lastSuccessfulUpdateTime"):
            notes.append(f"NodeNetworkState last updated {status['lastSuccessfulUpdateTime']}")
        if status.get("handlerNmstateVersion"):
            notes.append(f"reported by {status['handlerNmstateVersion']}")
        return Evidence(
            node=target.name, transport=self.name, bonds={}, nns_state=state, notes=tuple(notes)
        )

    def close(self) -> None:
        with self._lock:
            cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()
