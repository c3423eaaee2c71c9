"""Debug pods in the API server stand-in: create, watch, attach and delete, as the real
``kubectl debug node/X --attach`` drives them.

What the real kubectl 1.32 does, and what the stand-in answers (learned by pointing it at the
stand-in with ``-v=9``):

1. ``POST /api/v1/namespaces/NS/pods`` with the pod as protobuf (protobuf.py decodes it). The
   stand-in stores it with the node-debug pod's shape and answers 201 with the object as JSON
   (kubectl accepts JSON replies). Status: ``Pending`` with no container status yet, as the
   API server stores a new pod; then, as a kubelet reports it (``lifecycle``, one step every
   ``ApiServerStandIn.pod_start_delay`` seconds), ``Pending`` with the container
   ``waiting: ContainerCreating``, then ``Running`` with the container ``running``.
2. kubectl waits for the container to run: a list with ``fieldSelector=metadata.name=NAME``,
   then a watch from the list's resourceVersion (watch.py), which streams each status change
   as a MODIFIED event until kubectl, seeing the container running, closes it. A container
   left ``waiting`` with a message (``pull_error``: what a kubelet reports for an image it
   cannot pull) makes kubectl give up with that message.
3. ``GET .../pods/NAME/attach?container=C&stdout=true&stderr=true`` upgraded to a WebSocket
   (``v5.channel.k8s.io``): the container's command runs on the pod's node (nodeexec.py: this
   machine, or the lab node over ssh) with its output on channels 1 and 2 and the exit status
   on channel 3, exactly like the stand-in's exec. Afterwards the pod is Succeeded or Failed.

   Deliberate difference: a real kubelet starts the container when the pod is scheduled, and
   kubectl falls back to ``logs`` if it finished before the attach; the stand-in starts the
   command when kubectl attaches, so the test is deterministic and no output is lost. The
   loss a real kubelet can cause (output printed between the container's start and the
   attach is not replayed, kubernetes/kubernetes#27264) is made on purpose with
   ``ApiServerStandIn.attach_misses``: the log keeps those bytes, the attach never sends them.
4. ``GET .../pods/NAME/log?container=C``: everything the container printed, stdout and
   stderr merged as the kubelet logs them (400 while it waits to start). kubectl asks for it
   when the attach ends with a non-zero exit status ("warning: couldn't attach to pod/NAME,
   falling back to streaming logs: command terminated with exit code N"): the real kubectl
   then prints the whole output a second time and exits 0. Before the stand-in served it,
   kubectl ended such a run with a 404 (``Error from server (NotFound)``) instead.
5. ``DELETE .../pods/NAME`` (``delete``): a pod that has finished (Succeeded, Failed) goes at
   once, as a real server deletes it (grace period 0); one whose container may still run is
   marked with ``deletionTimestamp`` (Terminating) and goes ``termination_delay`` seconds
   later, when "the kubelet" has stopped it, with a DELETED watch event. 404 Status for a pod
   that is not there. Found with the real kubectl's runs that bondcheck stops (timeout): the
   stand-in removed those pods at once, so no test saw a Terminating one. Where pods have
   their own cgroup on the node (nodeexec.py), the delete kills it: the container's command
   and anything it left behind.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any

from standins.nodeexec import kill_pod
from standins.store import Store


def created(pod: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The stored form of a new pod: name, uid, timestamps and a Pending status (running()
    gives the status a kubelet reports once the container runs)."""
    meta = pod.setdefault("metadata", {})
    if not meta.get("name"):
        meta["name"] = f"{meta.get('generateName', 'pod-')}{secrets.token_hex(3)[:5]}"
    meta["namespace"] = namespace
    meta["uid"] = secrets.token_hex(16)
    meta["resourceVersion"] = str(int(time.time() * 1000))
    meta["creationTimestamp"] = _now()
    pod["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    return pod


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _statuses(pod: dict[str, Any], state: dict[str, Any], ready: bool) -> list[dict[str, Any]]:
    return [
        {
            "name": c.get("name", ""),
            "image": c.get("image", ""),
            "imageID": "",
            "ready": ready,
            "restartCount": 0,
            "started": ready,
            "state": state,
        }
        for c in pod.get("spec", {}).get("containers") or []
    ]


def waiting(pod: dict[str, Any], reason: str, message: str = "") -> dict[str, Any]:
    """The status while the container waits (``ContainerCreating``, ``ErrImagePull`` ...)."""
    state = {"reason": reason, **({"message": message} if message else {})}
    return {"phase": "Pending", "qosClass": "BestEffort", "startTime": _now(),
            "containerStatuses": _statuses(pod, {"waiting": state}, False)}  # fmt: skip


def running(pod: dict[str, Any]) -> dict[str, Any]:
    """The status once the container runs."""
    state = {"running": {"startedAt": _now()}}
    return {"phase": "Running", "qosClass": "BestEffort", "startTime": _now(),
            "containerStatuses": _statuses(pod, state, True)}  # fmt: skip


def lifecycle(store: Store, pod: dict[str, Any], delay: float, pull_error: str = "") -> None:
    """Move a new pod through what a kubelet reports, one step every ``delay`` seconds:
    ContainerCreating, then Running (or ImagePullBackOff with ``pull_error``). Run in a thread;
    stops when the pod is deleted meanwhile."""
    meta = pod["metadata"]
    steps = [waiting(pod, "ContainerCreating")]
    steps.append(waiting(pod, "ImagePullBackOff", pull_error) if pull_error else running(pod))
    for status in steps:
        time.sleep(delay)
        try:
            store.update("pods", meta["name"], meta["namespace"], status=status)
        except KeyError:  # deleted before it started
            return


def finished(pod: dict[str, Any], code: int) -> dict[str, Any]:
    """The status after the container's command ended with ``code``."""
    now = _now()
    terminated = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                  "finishedAt": now}  # fmt: skip
    statuses = _statuses(pod, {"terminated": terminated}, False)
    return {"phase": "Succeeded" if code == 0 else "Failed", "qosClass": "BestEffort",
            "startTime": (pod.get("status") or {}).get("startTime", now),
            "containerStatuses": statuses}  # fmt: skip


def container_command(pod: dict[str, Any], container: str) -> list[str] | None:
    for spec in pod.get("spec", {}).get("containers") or []:
        if spec.get("name") == container:
            return [*(spec.get("command") or []), *(spec.get("args") or [])]
    return None


def delete(store: Store, pod: dict[str, Any], termination_delay: float) -> dict[str, Any]:
    """Delete ``pod`` as the API server does; the object it answers the DELETE with."""
    meta = pod["metadata"]
    name, namespace = meta["name"], meta["namespace"]
    node = pod.get("spec", {}).get("nodeName")
    if node:  # the runtime kills what the container left running (with pod cgroups)
        kill_pod(node, name)
    phase = (pod.get("status") or {}).get("phase")
    if phase in ("Succeeded", "Failed") or not pod.get("spec", {}).get("nodeName"):
        store.remove("pods", name, namespace)
        return pod
    grace = 30
    if not meta.get("deletionTimestamp"):
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + grace))
        store.update("pods", name, namespace, metadata__deletionTimestamp=when,
                     metadata__deletionGracePeriodSeconds=grace)  # fmt: skip
        timer = threading.Timer(termination_delay, store.remove, ("pods", name, namespace))
        timer.daemon = True
        timer.start()
    return store.get("pods", name, namespace) or pod
