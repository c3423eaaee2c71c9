"""Debug pods in the API server stand-in: create, watch, attach and delete, as the real
``kubectl debug node/X --attach`` drives them.

What the real kubectl 1.32 does, and what the stand-in answers (learned by pointing it at the
stand-in with ``-v=9``):

1. ``POST /api/v1/namespaces/NS/pods`` with the pod as protobuf (protobuf.py decodes it). The
   stand-in stores it with the node-debug pod's shape and answers 201 with the object as JSON
   (kubectl accepts JSON replies). Status: Running at once, container ``running``.
2. kubectl waits for the container to run: a list with ``fieldSelector=metadata.name=NAME``,
   then a watch; the watch sends the pod as an ADDED event and closes (kubectl only needs
   the current state, which is already Running).
3. ``GET .../pods/NAME/attach?container=C&stdout=true&stderr=true`` upgraded to a WebSocket
   (``v5.channel.k8s.io``): the container's command runs on the pod's node (nodeexec.py: this
   machine, or the lab node over ssh) with its output on channels 1 and 2 and the exit status
   on channel 3, exactly like the stand-in's exec. Afterwards the pod is Succeeded or Failed.

   Deliberate difference: a real kubelet starts the container when the pod is scheduled, and
   kubectl falls back to ``logs`` if it finished before the attach; the stand-in starts the
   command when kubectl attaches, so the test is deterministic and no output is lost.
4. ``DELETE .../pods/NAME``: removed; 404 Status for a pod that is not there.
"""

from __future__ import annotations

import secrets
import time
from typing import Any


def created(pod: dict[str, Any], namespace: str) -> dict[str, Any]:
    """The stored form of a new pod: name, uid, timestamps and a Running status."""
    meta = pod.setdefault("metadata", {})
    if not meta.get("name"):
        meta["name"] = f"{meta.get('generateName', 'pod-')}{secrets.token_hex(3)[:5]}"
    meta["namespace"] = namespace
    meta["uid"] = secrets.token_hex(16)
    meta["resourceVersion"] = str(int(time.time() * 1000))
    meta["creationTimestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    containers = pod.get("spec", {}).get("containers") or []
    pod["status"] = {
        "phase": "Running",
        "containerStatuses": [
            {
                "name": c.get("name", ""),
                "image": c.get("image", ""),
                "imageID": "",
                "ready": True,
                "restartCount": 0,
                "started": True,
                "state": {"running": {"startedAt": meta["creationTimestamp"]}},
            }
            for c in containers
        ],
    }
    return pod


def finished(pod: dict[str, Any], code: int) -> dict[str, Any]:
    """The status after the container's command ended with ``code``."""
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    terminated = {"exitCode": code, "reason": "Completed" if code == 0 else "Error",
                  "finishedAt": now}  # fmt: skip
    statuses = [{**s, "ready": False, "state": {"terminated": terminated}}
                for s in pod["status"]["containerStatuses"]]  # fmt: skip
    return {"phase": "Succeeded" if code == 0 else "Failed", "containerStatuses": statuses}


def container_command(pod: dict[str, Any], container: str) -> list[str] | None:
    for spec in pod.get("spec", {}).get("containers") or []:
        if spec.get("name") == container:
            return [*(spec.get("command") or []), *(spec.get("args") or [])]
    return None
