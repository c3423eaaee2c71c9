"""``--via kubectl-debug``: read a node through ``kubectl debug node/<name> --profile=sysadmin``.

For clusters without ``oc``. The machinery (timeout, process-group kill, cleanup by nonce,
stderr to one line) is DebugPodTransport in debug_pod.py; what differs is kubectl itself:

* ``--image`` is required (kubectl has no default). bondcheck defaults to ``DEFAULT_IMAGE``,
  a pinned busybox: the script runs ``chroot /host sh -c …``, so every tool it uses (sh, cat,
  ip, uname) comes from the node itself and the image only needs ``chroot``. busybox is the
  smallest image that has it (about 2 MB, so a first pull on a node is quick), and a pinned
  tag gets the IfNotPresent pull policy, where ``:latest`` would mean a registry round trip
  on every run. Air-gapped clusters pass ``--image`` with a mirrored image.
* ``--profile=sysadmin`` (privileged, host namespaces, ``/host``): reading the LACP lines of
  /proc/net/bonding needs CAP_NET_ADMIN, which the default ``general`` profile lacks.
* ``--profile=sysadmin`` exists in kubectl 1.30 and later only; older ones answer "unknown
  profile: sysadmin", which becomes a one-line error naming the need. ``netadmin`` (1.27+) is
  no substitute: for a node it mounts no ``/host`` (seen in what kubectl 1.32 sends), so
  ``chroot /host`` cannot work; ``general``/``legacy`` mount it but without CAP_NET_ADMIN.
  gcloud's ``kubectl`` runs the release matching the cluster's version, so a 1.29 cluster gets
  kubectl 1.29 even where ``kubectl version --client`` says 1.32.
* kubectl never deletes the pod (``node-debugger-<node>-<5 chars>``), so bondcheck always
  does: by the name kubectl prints ("Creating debugging pod NAME ..."; ``-q`` is therefore
  not passed), else by looking up the pod on that node whose command carries this run's
  nonce. The lookup is by node (``--field-selector spec.nodeName=``), not by a label: the pod
  the real kubectl 1.32 creates carries no label at all.
* ``--attach`` streams only what the container prints after the attach connected: a kubelet
  starts the container when the pod is scheduled, kubectl attaches once it sees it running,
  and output in between is not replayed (kubernetes/kubernetes#27264). When what kubectl
  printed lacks the script's first or last marker, bondcheck reads the container's log
  (``kubectl logs POD -c debugger``, everything it printed) before deleting the pod.
* A debug container that never starts (an image the node cannot pull) makes kubectl wait
  forever, printing only ``Warning: container debugger: Back-off pulling image "…"`` (the
  kubelet's waiting message). bondcheck's timeout stops it; the error line carries that
  message, so an air-gapped cluster's operator sees why and that ``--image`` is the fix.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable

from bondcheck.errors import CollectError
from bondcheck.kube.errors import scrub
from bondcheck.transport.debug_pod import DebugPodTransport, DebugRun

DEFAULT_IMAGE = "docker.io/library/busybox:1.36"

_CREATED = re.compile(r"^Creating debugging pod (\S+) with container (\S+) on node \S+?\.?$", re.M)
_WAITING = re.compile(r"^Warning: container \S+: (.+)$", re.M)


class KubectlDebugTransport(DebugPodTransport):
    """``kubectl debug node/<name> --profile=sysadmin --image=IMG --attach=true -- chroot
    /host sh -c …``, then ``kubectl delete pod``."""

    name = "kubectl-debug"
    tool = "kubectl"
    missing_hint = "install kubectl or use --via ssh"

    def configured_binary(self) -> str:
        return self.opts.kubectl or "kubectl"

    def image(self) -> str:
        return self.opts.image or DEFAULT_IMAGE

    def debug_argv(self, node: str, script: str) -> list[str]:
        argv = [self.binary(), *self.global_flags(), "debug", f"node/{node}"]
        if self.opts.to_namespace:
            argv += ["-n", self.opts.to_namespace]
        argv += [
            "--profile=sysadmin",
            f"--image={self.image()}",
            "--attach=true",
            "--stdin=false",
            "--tty=false",
        ]
        return [*argv, "--", "chroot", "/host", "sh", "-c", script]

    def pod_from_output(self, stdout: str) -> tuple[str | None, str] | None:
        match = _CREATED.search(stdout)
        if not match:
            return None
        return (self.opts.to_namespace, match.group(1))

    def complete_output(self, run: DebugRun, stdout: str, whole: Callable[[str], bool]) -> str:
        created = _CREATED.search(stdout)
        if run.pod is None or created is None:
            return stdout
        namespace, pod = run.pod
        scope = ["-n", namespace] if namespace else []
        try:
            log = self._helper(["logs", pod, *scope, "-c", created.group(2)])
        except (OSError, subprocess.SubprocessError):
            return stdout
        return log.stdout if log.returncode == 0 and whole(log.stdout) else stdout

    def pod_filter(self, node: str) -> list[str]:
        return ["--field-selector", f"spec.nodeName={node}"]

    def delete_after_success(self) -> bool:
        return True

    def unauthorized_hint(self) -> str:
        return "unauthorized: the API server rejected the kubeconfig credentials"

    def stalled_because(self, stderr: str) -> str:
        waits = _WAITING.findall(stderr)
        if not waits:
            return ""
        why = scrub(waits[-1].strip())[:200]
        hint = " (pass --image with an image the nodes can pull)" if "pull" in why.lower() else ""
        return f", the debug container is waiting: {why}{hint}"

    def stderr_error(self, node: str, stderr: str, rc: int) -> CollectError:
        if "unknown profile: sysadmin" in stderr:
            return CollectError(
                f"{node}: this kubectl is older than 1.30 and has no `debug --profile=sysadmin` "
                "(a privileged pod with the node's root at /host, needed for chroot and "
                "CAP_NET_ADMIN); use kubectl >= 1.30 (--kubectl PATH), --via oc-debug or "
                "--via handler-exec"
            )
        return super().stderr_error(node, stderr, rc)
