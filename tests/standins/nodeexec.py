"""Where a stand-in runs a command "on node X".

Real ``oc debug``/``kubectl debug`` run ``chroot /host <cmd>`` in a privileged pod on the node,
and a handler-pod exec runs ``<cmd>`` in the node's host network namespace: either way the
command sees the node itself. The stand-ins reproduce that by running the command on the host
that plays the node: this machine (``sh`` locally, for mechanics tests) or, when
``BONDCHECK_STANDIN_SSH_CONFIG`` is set, the lab node named X over ``ssh -F <config> X``
(the QEMU lab writes one ``Host <node name>`` block per node). That one variable is all it
takes to point every stand-in at real bonded kernels.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

ENV_SSH_CONFIG = "BONDCHECK_STANDIN_SSH_CONFIG"
#: Local mode only: a directory that plays the node's /proc/net/bonding (this machine has no
#: bonding driver), so mechanics tests can serve real corpus bond files through the script.
ENV_BONDING_DIR = "BONDCHECK_STANDIN_BONDING_DIR"


def host_command(argv: Sequence[str]) -> list[str]:
    """Drop a leading ``chroot /host``: on the host that plays the node, / is already /host."""
    argv = list(argv)
    if argv[:2] == ["chroot", "/host"]:
        argv = argv[2:]
    return argv


def node_argv(node: str, argv: Sequence[str]) -> list[str]:
    """The local argv that runs ``argv`` on ``node`` (locally, or over ssh to the lab)."""
    argv = host_command(argv)
    config = os.environ.get(ENV_SSH_CONFIG)
    if config:
        import shlex  # only the lab path needs it; every oc/kubectl stand-in call imports this

        return ["ssh", "-F", config, "-o", "BatchMode=yes", node, "--", shlex.join(argv)]
    bonding = os.environ.get(ENV_BONDING_DIR)
    if bonding:
        argv = [arg.replace("/proc/net/bonding/", bonding.rstrip("/") + "/") for arg in argv]
    return argv


def start_on_node(
    node: str, argv: Sequence[str], *, merge_stderr: bool = False
) -> subprocess.Popen[bytes]:
    """Start ``argv`` on ``node`` with piped output (stderr merged into stdout if asked)."""
    return subprocess.Popen(
        node_argv(node, argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        start_new_session=True,
    )
