"""``--via NAME`` -> a Transport, importing only the module that NAME needs.

Each transport lives in its own module and may pull in a heavy library (paramiko for ssh, the
kubernetes client for handler-exec and nns). Importing by module path on demand keeps
``bondcheck parse`` and ``--from-dir`` runs free of them.
"""

from __future__ import annotations

import importlib

from bondcheck.errors import InputError
from bondcheck.transport.base import Transport
from bondcheck.transport.options import TransportOptions

_CLASSES: dict[str, tuple[str, str]] = {
    "ssh": ("bondcheck.transport.ssh", "SshTransport"),
    "oc-debug": ("bondcheck.transport.oc_debug", "OcDebugTransport"),
    "kubectl-debug": ("bondcheck.transport.kubectl_debug", "KubectlDebugTransport"),
    "handler-exec": ("bondcheck.transport.handler_exec", "HandlerExecTransport"),
    "nns": ("bondcheck.transport.nns", "NnsTransport"),
}

TRANSPORT_NAMES: tuple[str, ...] = tuple(_CLASSES)


def make_transport(via: str, opts: TransportOptions) -> Transport:
    """Build the transport named ``via`` from ``opts``; InputError for an unknown name."""
    entry = _CLASSES.get(via)
    if entry is None:
        raise InputError(f"unknown transport {via!r} (valid: {', '.join(TRANSPORT_NAMES)})")
    module_name, class_name = entry
    transport: Transport = getattr(importlib.import_module(module_name), class_name)(opts)
    return transport
