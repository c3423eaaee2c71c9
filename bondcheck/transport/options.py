"""Options every live transport may read: the one definition of each, CLI and defaults alike.

Each field is named as the CLI names it (``no_sudo`` is ``--no-sudo`` and
``BONDCHECK_NO_SUDO``) and carries its help text in its metadata, so ``bondcheck.cli``
derives verify's, collect's and failover's options from these fields and nothing is
declared twice. Plain data: transports never import the CLI, and the CLI never needs to know
which transport reads which option.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SSH = "SSH transport"
KUBE = "Kubernetes transports"


def option(default: Any, help: str, panel: str, **limits: Any) -> Any:
    """A field with its ``--help`` text, help panel and numeric bounds (``min``, ``max``);
    ``duration=True`` reads kubectl-style durations (``30s``, ``1m30s``)."""
    return field(default=default, metadata={"help": help, "panel": panel, **limits})


@dataclass(frozen=True)
class TransportOptions:
    """What the operator said about reaching nodes; each transport reads the fields it needs."""

    ssh_config: str | None = option(
        None, "ssh_config file (default ~/.ssh/config when it exists).", SSH
    )
    ssh_user: str | None = option(None, "Remote user.", SSH)
    ssh_key: str | None = option(None, "Private key file.", SSH)
    ssh_port: int | None = option(None, "Remote port (1-65535).", SSH, metavar="PORT")
    jump: str | None = option(
        None, "Jump host(s), ProxyJump syntax: user@host:port,... (user, port optional).", SSH
    )
    accept_new_host_keys: bool = option(
        False, "Trust and record host keys not seen before (off: unknown keys fail).", SSH
    )
    known_hosts: str | None = option(None, "known_hosts file (default ~/.ssh/known_hosts).", SSH)
    no_sudo: bool = option(
        False, "Never use sudo -n (a non-root reader cannot see LACP details).", SSH
    )
    connect_timeout: float = option(
        10.0, "Time to wait for a connection (10s, 1m or seconds).", SSH, duration=True
    )
    kubeconfig: str | None = option(
        None, "kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).", KUBE
    )
    context: str | None = option(None, "kubeconfig context.", KUBE)
    oc: str = option("oc", "oc binary for --via oc-debug.", KUBE)
    kubectl: str = option("kubectl", "kubectl binary for --via kubectl-debug.", KUBE)
    to_namespace: str | None = option(
        None, "Namespace for debug pods (oc --to-namespace, kubectl -n).", KUBE
    )
    image: str | None = option(None, "Image for debug pods.", KUBE)
    handler_namespace: str | None = option(
        None, "Namespace of the nmstate handler pods (default: found automatically).", KUBE
    )
