"""Where a stand-in runs a command "on node X".

Real ``oc debug``/``kubectl debug`` run ``chroot /host <cmd>`` in a privileged pod on the node,
and a handler-pod exec runs ``<cmd>`` in the node's host network namespace: either way the
command sees the node itself. The stand-ins reproduce that by running the command on the host
that plays the node: this machine (``sh`` locally, for mechanics tests) or, when
``BONDCHECK_STANDIN_SSH_CONFIG`` is set, the lab node named X over ``ssh -F <config> X``
(the QEMU lab writes one ``Host <node name>`` block per node). That one variable is all it
takes to point every stand-in at real bonded kernels.

A pod's processes end with the pod: the container runtime (CRI-O with the systemd cgroup
manager, as OpenShift runs it) puts each container in its own ``crio-<id>.scope`` and kills
everything in it when the pod is deleted - detached ``setsid`` children included, since a
debug pod shares the host's PID namespace but not its cgroup. With
``BONDCHECK_STANDIN_POD_CGROUPS=1`` (for nodes that boot systemd: the ``lab_systemd`` guest)
the stand-ins reproduce that: the command runs in a transient scope named after the pod
(``systemd-run --scope``) and deleting the pod kills the scope (:func:`kill_pod`). Without it
(the busybox guests, which have no cgroup manager) a pod's detached processes outlive it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

ENV_SSH_CONFIG = "BONDCHECK_STANDIN_SSH_CONFIG"
#: Local mode only: a directory that plays the node's /proc/net/bonding (this machine has no
#: bonding driver), so mechanics tests can serve real corpus bond files through the script.
ENV_BONDING_DIR = "BONDCHECK_STANDIN_BONDING_DIR"
ENV_POD_CGROUPS = "BONDCHECK_STANDIN_POD_CGROUPS"


def _pod_cgroups() -> str | None:
    """The lab ssh config when pods get their own cgroup on the node (see above), else None."""
    config = os.environ.get(ENV_SSH_CONFIG)
    return config if config and os.environ.get(ENV_POD_CGROUPS) else None


def pod_scope(pod: str) -> str:
    """The transient unit that plays a pod's container cgroup on the node."""
    if not pod or not all(c.isalnum() or c in "-." for c in pod):
        raise ValueError(f"bad pod name {pod!r}")
    return f"standin-pod-{pod}.scope"


def host_command(argv: Sequence[str]) -> list[str]:
    """Drop a leading ``chroot /host``: on the host that plays the node, / is already /host."""
    argv = list(argv)
    if argv[:2] == ["chroot", "/host"]:
        argv = argv[2:]
    return argv


def node_argv(node: str, argv: Sequence[str], pod: str | None = None) -> list[str]:
    """The local argv that runs ``argv`` on ``node`` (locally, or over ssh to the lab); as
    ``pod``'s container (in its scope) when pods have their own cgroup."""
    argv = host_command(argv)
    config = os.environ.get(ENV_SSH_CONFIG)
    if config:
        import shlex  # only the lab path needs it; every oc/kubectl stand-in call imports this

        remote = shlex.join(argv)
        if pod is not None and _pod_cgroups():
            remote = f"exec systemd-run --quiet --scope --unit={pod_scope(pod)} -- {remote}"
        return ["ssh", "-F", config, "-o", "BatchMode=yes", node, "--", remote]
    bonding = os.environ.get(ENV_BONDING_DIR)
    if bonding:
        argv = [arg.replace("/proc/net/bonding/", bonding.rstrip("/") + "/") for arg in argv]
    return argv


def start_on_node(
    node: str, argv: Sequence[str], *, merge_stderr: bool = False, pod: str | None = None
) -> subprocess.Popen[bytes]:
    """Start ``argv`` on ``node`` with piped output (stderr merged into stdout if asked), as
    the container of ``pod`` when given."""
    return subprocess.Popen(
        node_argv(node, argv, pod),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
        start_new_session=True,
    )


def kill_pod(node: str, pod: str) -> None:
    """What the container runtime does when ``pod`` is deleted: kill every process in its
    cgroup (SIGKILL; a debug container's shell has no use for the grace period). A no-op
    unless pods have their own cgroup; a pod already gone is fine."""
    config = _pod_cgroups()
    if config is None or node is None:
        return
    unit = pod_scope(pod)
    kill = f"{{ systemctl kill --signal=KILL {unit}; systemctl stop {unit}; }} 2>/dev/null; true"
    subprocess.run(
        ["ssh", "-F", config, "-o", "BatchMode=yes", node, "--", kill],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        timeout=120, check=False,
    )  # fmt: skip
