"""``--via oc-debug``: read a node through ``oc debug node/<name> -- chroot /host sh -c …``.

The timeout, exit status, process-group kill and cleanup by nonce are DebugPodTransport's
(debug_pod.py, shared with kubectl-debug). What is oc's own: ``-q`` silences its banner, the
pod is named ``<node>-debug-<5 chars>``, and without ``--to-namespace`` oc makes a temporary
``openshift-debug-*`` namespace per invocation, which bondcheck removes when oc was stopped.
"""

from __future__ import annotations

import re

from bondcheck.transport.debug_pod import DebugPodTransport

__all__ = ["DebugPodTransport", "OcDebugTransport", "sanitized_node"]


def sanitized_node(node: str) -> str:
    """The node part of oc's debug pod name: lower-cased, characters outside [-a-z0-9] gone."""
    return re.sub(r"[^-a-z0-9]", "", node.lower())


class OcDebugTransport(DebugPodTransport):
    """``oc debug -q node/<name> [--to-namespace NS] [--image IMG] -- chroot /host sh -c …``."""

    name = "oc-debug"
    tool = "oc"
    managed_by_label = "debug.openshift.io/managed-by=oc-debug"
    missing_hint = "install the OpenShift CLI or use --via ssh"

    def configured_binary(self) -> str:
        return self.opts.oc or "oc"

    def debug_argv(self, node: str, script: str) -> list[str]:
        argv = [self.binary(), *self.global_flags(), "debug", "-q", f"node/{node}"]
        if self.opts.to_namespace:
            argv += ["--to-namespace", self.opts.to_namespace]
        if self.opts.image:
            argv += ["--image", self.opts.image]
        return [*argv, "--", "chroot", "/host", "sh", "-c", script]

    def extra_cleanup(self, namespace: str) -> None:
        # oc made this namespace for this one pod (one temporary namespace per invocation);
        # an interrupted oc leaves it behind.
        if not self.opts.to_namespace and namespace.startswith("openshift-debug-"):
            self._helper(["delete", "namespace", namespace, "--ignore-not-found", "--wait=false"])
