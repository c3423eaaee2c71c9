"""The live-transport options (every field of TransportOptions), shared by verify, collect and
failover, each also read from a BONDCHECK_* environment variable so a runbook can set them
once.

Declared as Annotated aliases so every command lists them identically under the same help
panels, and ``transport_options()`` turns them into the one dataclass transports read.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from bondcheck.transport.options import TransportOptions

R = TypeVar("R")

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


#: Every transport option as (parameter, annotation, default), in --help order.
PARAMETERS: tuple[tuple[str, Any, Any], ...] = (
    ("ssh_config", SshConfig, None),
    ("ssh_user", SshUser, None),
    ("ssh_key", SshKey, None),
    ("ssh_port", SshPort, None),
    ("jump", Jump, None),
    ("accept_new_host_keys", AcceptNewHostKeys, False),
    ("known_hosts", KnownHosts, None),
    ("no_sudo", NoSudo, False),
    ("connect_timeout", ConnectTimeout, 10.0),
    ("kubeconfig", Kubeconfig, None),
    ("context", Context, None),
    ("oc", OcBinary, "oc"),
    ("kubectl", KubectlBinary, "kubectl"),
    ("to_namespace", DebugNamespace, None),
    ("image", DebugImage, None),
    ("handler_namespace", HandlerNamespace, None),
)


def transport_options(
    *,
    ssh_config: str | None = None,
    ssh_user: str | None = None,
    ssh_key: str | None = None,
    ssh_port: int | None = None,
    jump: str | None = None,
    accept_new_host_keys: bool = False,
    known_hosts: str | None = None,
    no_sudo: bool = False,
    connect_timeout: float = 10.0,
    kubeconfig: str | None = None,
    context: str | None = None,
    oc: str = "oc",
    kubectl: str = "kubectl",
    to_namespace: str | None = None,
    image: str | None = None,
    handler_namespace: str | None = None,
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


def takes_transport_options(command: Callable[..., R]) -> Callable[..., R]:
    """A Typer command that takes ``options: TransportOptions`` gets every transport option.

    Typer reads a command's options from its signature, so without this each of verify,
    collect and failover would list the sixteen parameters above and pass them on one by
    one. The wrapper's signature is the command's own (without ``options``) followed by
    PARAMETERS; it builds the TransportOptions and calls the command with it.
    """
    hints = typing.get_type_hints(command, include_extras=True)
    own = [
        param.replace(annotation=hints.get(param.name, param.annotation))
        for param in inspect.signature(command).parameters.values()
        if param.name != "options"
    ]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default in PARAMETERS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        values = {name: kwargs.pop(name) for name, _, _ in PARAMETERS if name in kwargs}
        return command(*args, options=transport_options(**values), **kwargs)

    params = [*own, *added]
    wrapper.__signature__ = inspect.Signature(params, return_annotation=hints.get("return"))  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper
