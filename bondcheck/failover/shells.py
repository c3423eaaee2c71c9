"""A :class:`~bondcheck.failover.node.NodeShell` for each live transport.

* ``ssh``: the transport's own session - one persistent connection per node, reopened after
  a loss. Processes the test leaves on the node (the restore timer, the probe) are detached
  from the session and outlive it.
* ``handler-exec``: ``sh -c`` exec'd in the node's nmstate handler pod (host network,
  privileged). Long-lived, but not to be relied on: an nmstate upgrade or a drain deletes the
  pod mid-pull and its processes with it, so it is *ephemeral* like a debug pod below.
* ``oc-debug`` / ``kubectl-debug``: every command is a new debug pod with ``chroot /host``.
  Its processes end with the pod, so these transports are *ephemeral*: the restore timer
  must be a systemd timer on the host (``systemd-run``; the pre-check refuses otherwise) and
  the probe runs inside the pull command, covering the pull itself.

Heavy libraries are imported only when the transport is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bondcheck.errors import CollectError, InputError
from bondcheck.failover.node import MARK, NodeShell
from bondcheck.model import NodeTarget
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.script import new_nonce

FAILOVER_TRANSPORTS: tuple[str, ...] = ("ssh", "handler-exec", "oc-debug", "kubectl-debug")
#: Why a debug pod's script stops short of its last marker: its processes were killed.
EARLY_END = "the pod deleted or evicted, its node gone, or the container killed"


@dataclass
class Shells:
    """How to open a shell on a node with one transport, and how to release it."""

    factory: Callable[[str], NodeShell]
    close: Callable[[], None]
    ephemeral: bool


class HandlerExecShell:
    """``run`` as an exec into the node's nmstate handler pod."""

    def __init__(self, transport: Any, node: str) -> None:
        self.transport = transport
        self.node = node

    def run(self, command: str, timeout: float, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            raise CollectError(f"{self.node}: handler-exec cannot pass stdin")
        namespace, pod = self.transport.handler_pod(self.node)
        out, err, rc = self.transport.exec(
            namespace, pod, ["sh", "-c", command], timeout, node=self.node
        )
        return (rc if rc is not None else -1), out, err


class DebugPodShell:
    """``run`` as one ``oc debug node/N -- chroot /host sh -c CMD`` (or kubectl debug)."""

    def __init__(self, transport: Any, node: str) -> None:
        self.transport = transport
        self.node = node

    def run(self, command: str, timeout: float, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            raise CollectError(f"{self.node}: {self.transport.name} cannot pass stdin")
        # The leading no-op carries a fresh nonce into the pod's command line: that is how the
        # transport finds and deletes exactly this pod if the run times out or is interrupted.
        nonce = new_nonce()
        # run_debug also deletes a finished pod the CLI leaves behind (kubectl debug).
        run, out, err = self.transport.run_debug(
            self.node, f": bondcheck-{nonce}\n{command}", nonce, timeout
        )
        if f"{MARK} " in command and " done @@" not in out:  # the script never got to its end
            err = f"the command ended early in its debug pod ({EARLY_END})\n{err}"
        return run.proc.returncode, out, err


def open_shells(via: str, options: TransportOptions) -> Shells:
    """The shell factory for ``--via``; InputError for a transport that cannot run commands."""
    from bondcheck.transport.factory import make_transport

    if via not in FAILOVER_TRANSPORTS:
        raise InputError(
            f"failover cannot run over --via {via}: it needs a transport that runs commands "
            f"on the node ({', '.join(FAILOVER_TRANSPORTS)})"
        )
    transport: Any = make_transport(via, options)
    if via == "ssh":
        return Shells(
            factory=lambda node: transport.session(NodeTarget(name=node)),
            close=transport.close,
            ephemeral=False,
        )
    if via == "handler-exec":
        return Shells(
            factory=lambda node: HandlerExecShell(transport, node),
            close=transport.close,
            ephemeral=True,
        )
    return Shells(
        factory=lambda node: DebugPodShell(transport, node),
        close=transport.close,
        ephemeral=True,
    )
