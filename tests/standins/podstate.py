"""The cluster state the ``oc``/``kubectl`` stand-ins share: pods and namespaces as files.

Every stand-in call is its own process, so the state lives under ``$BONDCHECK_STANDIN_STATE``
(tests assert cleanup by reading it) together with ``calls.jsonl``, one line per invocation.
Plain ``os`` calls rather than pathlib: each ``oc`` call imports this, and a real ``oc`` starts
in milliseconds.
"""

from __future__ import annotations

import json
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _env(name: str, default: str = "") -> str:
    return os.environ.get(f"BONDCHECK_STANDIN_{name}", default)


class State:
    """Pods and namespaces as files: ``pods/<ns>/<name>.json``, ``namespaces/<ns>``; every pod
    ever created is also recorded in ``created.jsonl``, which outlives the pod."""

    def __init__(self) -> None:
        root = _env("STATE")
        if not root:
            sys.exit("stand-in: BONDCHECK_STANDIN_STATE is not set")
        self.root = root
        os.makedirs(self.path("pods"), exist_ok=True)
        os.makedirs(self.path("namespaces"), exist_ok=True)

    def path(self, *parts: str) -> str:
        return os.path.join(self.root, *parts)

    def log(self, tool: str, argv: list[str]) -> None:
        with open(self.path("calls.jsonl"), "a") as fh:
            fh.write(json.dumps({"tool": tool, "argv": argv, "pid": os.getpid()}) + "\n")

    def pod_path(self, ns: str, name: str) -> str:
        return self.path("pods", ns, f"{name}.json")

    def save_pod(self, pod: dict[str, Any]) -> None:
        path = self.pod_path(pod["metadata"]["namespace"], pod["metadata"]["name"])
        folder, base = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        # Whole or not at all, as the API server shows an object: a concurrent `get pods` (or
        # a test) must never read half a file. The temporary name is hidden from listings.
        temp = os.path.join(folder, f".{base}.{os.getpid()}.tmp")
        with open(temp, "w") as fh:
            fh.write(json.dumps(pod))
        new = not os.path.exists(path)
        os.replace(temp, path)
        if new:  # a lasting record: a test waits on it even when the pod is gone again
            with open(self.path("created.jsonl"), "a") as fh:
                fh.write(json.dumps({"namespace": pod["metadata"]["namespace"],
                                     "name": pod["metadata"]["name"]}) + "\n")  # fmt: skip

    def pods(self, ns: str | None) -> list[dict[str, Any]]:
        base = self.path("pods")
        spaces = _listdir(base) if ns is None else [ns]
        files = sorted(
            (space, entry)
            for space in spaces
            for entry in _listdir(os.path.join(base, space))
            if entry.endswith(".json") and not entry.startswith(".")
        )
        pods = []
        for space, entry in files:
            try:
                with open(os.path.join(base, space, entry)) as fh:
                    pods.append(json.load(fh))
            except FileNotFoundError:  # deleted since the listing: a list is a snapshot
                continue
        return pods

    def delete_pod(self, ns: str, name: str) -> bool:
        try:
            os.unlink(self.pod_path(ns, name))
        except FileNotFoundError:
            return False
        return True

    def touch_namespace(self, ns: str) -> None:
        with open(self.path("namespaces", ns), "a"):
            pass

    def drop_namespace(self, ns: str) -> bool:
        """Remove the namespace marker; True if it existed."""
        try:
            os.unlink(self.path("namespaces", ns))
        except FileNotFoundError:
            return False
        return True


def _listdir(path: str) -> list[str]:
    """The entries of ``path`` ([] when it does not exist or is not a directory)."""
    try:
        return os.listdir(path)
    except (FileNotFoundError, NotADirectoryError):
        return []
