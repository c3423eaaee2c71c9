"""Options every live transport may read, gathered from the CLI (and BONDCHECK_* variables).

One plain dataclass, so the CLI never needs to know which transport uses which option and
transports never import the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TransportOptions:
    # ssh
    ssh_config: str | None = None  # default ~/.ssh/config when it exists
    ssh_user: str | None = None
    ssh_key: str | None = None
    ssh_port: int | None = None
    jump: str | None = None  # ProxyJump spec: [user@]host[:port][,...]
    accept_new_host_keys: bool = False  # never on by default: unknown keys are an error
    known_hosts: str | None = None
    sudo: bool = True  # use `sudo -n` when the remote user is not root and sudo allows it
    connect_timeout: float = 10.0
    # kubernetes
    kubeconfig: str | None = None
    context: str | None = None
    # oc debug / kubectl debug
    oc_binary: str = "oc"
    kubectl_binary: str = "kubectl"
    debug_namespace: str | None = None  # --to-namespace for oc, -n for kubectl
    debug_image: str | None = None
    # handler-exec
    handler_namespace: str | None = None  # found automatically: nmstate or openshift-nmstate
