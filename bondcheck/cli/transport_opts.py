"""The live-transport options (every field of TransportOptions), shared by verify, collect and
failover, each also read from a BONDCHECK_* environment variable so a runbook can set them
once.

Declared as Annotated aliases so every command lists them identically under the same help
panels, and ``transport_options()`` turns them into the one dataclass transports read.
"""

from __future__ import annotations

from typing import Annotated

import typer

from bondcheck.transport.options import TransportOptions

_SSH = "SSH transport"
_KUBE = "Kubernetes transports"

SshConfig = Annotated[
    str | None,
    typer.Option(
        "--ssh-config",
        envvar="BONDCHECK_SSH_CONFIG",
        help="ssh_config file (default ~/.ssh/config when it exists).",
        rich_help_panel=_SSH,
    ),
]
SshUser = Annotated[
    str | None,
    typer.Option(
        "--ssh-user", envvar="BONDCHECK_SSH_USER", help="Remote user.", rich_help_panel=_SSH
    ),
]
SshKey = Annotated[
    str | None,
    typer.Option(
        "--ssh-key", envvar="BONDCHECK_SSH_KEY", help="Private key file.", rich_help_panel=_SSH
    ),
]
SshPort = Annotated[
    int | None,
    typer.Option(
        "--ssh-port",
        envvar="BONDCHECK_SSH_PORT",
        help="Remote port.",
        rich_help_panel=_SSH,
        min=1,
        max=65535,
    ),
]
Jump = Annotated[
    str | None,
    typer.Option(
        "--jump",
        envvar="BONDCHECK_JUMP",
        help="Jump host(s), ProxyJump syntax: user@host:port,... (user, port optional).",
        rich_help_panel=_SSH,
    ),
]
AcceptNewHostKeys = Annotated[
    bool,
    typer.Option(
        "--accept-new-host-keys",
        envvar="BONDCHECK_ACCEPT_NEW_HOST_KEYS",
        help="Trust and record host keys not seen before (off: unknown keys fail).",
        rich_help_panel=_SSH,
    ),
]
KnownHosts = Annotated[
    str | None,
    typer.Option(
        "--known-hosts",
        envvar="BONDCHECK_KNOWN_HOSTS",
        help="known_hosts file (default ~/.ssh/known_hosts).",
        rich_help_panel=_SSH,
    ),
]
NoSudo = Annotated[
    bool,
    typer.Option(
        "--no-sudo",
        envvar="BONDCHECK_NO_SUDO",
        help="Never use sudo -n (a non-root reader cannot see LACP details).",
        rich_help_panel=_SSH,
    ),
]
ConnectTimeout = Annotated[
    float,
    typer.Option(
        "--connect-timeout",
        envvar="BONDCHECK_CONNECT_TIMEOUT",
        min=0.1,
        help="Seconds to wait for a connection.",
        rich_help_panel=_SSH,
    ),
]
Kubeconfig = Annotated[
    str | None,
    typer.Option(
        "--kubeconfig",
        envvar="BONDCHECK_KUBECONFIG",
        help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).",
        rich_help_panel=_KUBE,
    ),
]
Context = Annotated[
    str | None,
    typer.Option(
        "--context", envvar="BONDCHECK_CONTEXT", help="kubeconfig context.", rich_help_panel=_KUBE
    ),
]
OcBinary = Annotated[
    str,
    typer.Option(
        "--oc", envvar="BONDCHECK_OC", help="oc binary for --via oc-debug.", rich_help_panel=_KUBE
    ),
]
KubectlBinary = Annotated[
    str,
    typer.Option(
        "--kubectl",
        envvar="BONDCHECK_KUBECTL",
        help="kubectl binary for --via kubectl-debug.",
        rich_help_panel=_KUBE,
    ),
]
DebugNamespace = Annotated[
    str | None,
    typer.Option(
        "--to-namespace",
        envvar="BONDCHECK_TO_NAMESPACE",
        help="Namespace for debug pods (oc --to-namespace, kubectl -n).",
        rich_help_panel=_KUBE,
    ),
]
DebugImage = Annotated[
    str | None,
    typer.Option(
        "--image", envvar="BONDCHECK_IMAGE", help="Image for debug pods.", rich_help_panel=_KUBE
    ),
]
HandlerNamespace = Annotated[
    str | None,
    typer.Option(
        "--handler-namespace",
        envvar="BONDCHECK_HANDLER_NAMESPACE",
        help="Namespace of the nmstate handler pods (default: found automatically).",
        rich_help_panel=_KUBE,
    ),
]


def transport_options(
    *,
    ssh_config: str | None,
    ssh_user: str | None,
    ssh_key: str | None,
    ssh_port: int | None,
    jump: str | None,
    accept_new_host_keys: bool,
    known_hosts: str | None,
    no_sudo: bool,
    connect_timeout: float,
    kubeconfig: str | None,
    context: str | None,
    oc: str,
    kubectl: str,
    to_namespace: str | None,
    image: str | None,
    handler_namespace: str | None,
) -> TransportOptions:
    """The CLI values as the TransportOptions every live transport reads."""
    return TransportOptions(
        ssh_config=ssh_config,
        ssh_user=ssh_user,
        ssh_key=ssh_key,
        ssh_port=ssh_port,
        jump=jump,
        accept_new_host_keys=accept_new_host_keys,
        known_hosts=known_hosts,
        sudo=not no_sudo,
        connect_timeout=connect_timeout,
        kubeconfig=kubeconfig,
        context=context,
        oc_binary=oc,
        kubectl_binary=kubectl,
        debug_namespace=to_namespace,
        debug_image=image,
        handler_namespace=handler_namespace,
    )
