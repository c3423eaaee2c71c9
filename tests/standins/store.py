"""The objects the API server stand-in serves, loaded from fixtures/k8s, with selector matching.

Objects are kept exactly as the fixture files hold them (real or reconstructed API objects,
see fixtures/k8s/README.md); YAML timestamps stay strings, as the API sends them.

Changes made through the API (``create``, ``update``, ``remove``) are numbered like a real
server's resourceVersions and kept as watch events (ADDED, MODIFIED, DELETED), so a watch
from a list's resourceVersion sees exactly what changed after it (watch.py serves them).
Objects loaded from fixtures predate every watch and are not events.
"""

from __future__ import annotations

import copy
import functools
import json
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"

#: kind -> (resource plural, group, namespaced)
KINDS: dict[str, tuple[str, str, bool]] = {
    "NodeNetworkConfigurationPolicy": ("nodenetworkconfigurationpolicies", "nmstate.io", False),
    "NodeNetworkConfigurationEnactment": (
        "nodenetworkconfigurationenactments",
        "nmstate.io",
        False,
    ),
    "NodeNetworkState": ("nodenetworkstates", "nmstate.io", False),
    "Node": ("nodes", "", False),
    "Pod": ("pods", "", True),
}
PLURAL_KIND = {plural: kind for kind, (plural, _, _) in KINDS.items()}


class _NoTimestamps(yaml.SafeLoader):
    """SafeLoader that keeps ``2024-06-20T11:55:12Z`` a string, as JSON from the API does."""


_NoTimestamps.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_documents(path: Path | str) -> list[dict[str, Any]]:
    """Every object in a YAML/JSON file; ``kind: List`` and ``*List`` kinds are unpacked."""
    path = Path(path)
    if not path.is_absolute():
        path = FIXTURES / path
    return copy.deepcopy(_parsed(path))


@functools.lru_cache(maxsize=64)
def _parsed(path: Path) -> list[dict[str, Any]]:
    """Parsing the 60 kB node list costs more than a test: parse each file once."""
    text = path.read_text()
    docs = (
        [json.loads(text)]
        if path.suffix == ".json"
        else list(yaml.load_all(text, Loader=_NoTimestamps))
    )
    out: list[dict[str, Any]] = []
    for doc in docs:
        if not isinstance(doc, dict):
            continue
        if str(doc.get("kind", "")).endswith("List") and "items" in doc:
            out.extend(item for item in doc["items"] if isinstance(item, dict))
        else:
            out.append(doc)
    return out


def parse_selector(text: str | None) -> list[tuple[str, str, str]]:
    """``a=b,c!=d,e,!f`` -> [(key, op, value)] with op in =, !=, exists, !exists."""
    terms: list[tuple[str, str, str]] = []
    for raw in (text or "").split(","):
        term = raw.strip()
        if not term:
            continue
        if "!=" in term:
            key, value = term.split("!=", 1)
            terms.append((key.strip(), "!=", value.strip()))
        elif "==" in term:
            key, value = term.split("==", 1)
            terms.append((key.strip(), "=", value.strip()))
        elif "=" in term:
            key, value = term.split("=", 1)
            terms.append((key.strip(), "=", value.strip()))
        elif term.startswith("!"):
            terms.append((term[1:].strip(), "!exists", ""))
        else:
            terms.append((term, "exists", ""))
    return terms


def matches(terms: Iterable[tuple[str, str, str]], values: Mapping[str, Any]) -> bool:
    for key, op, value in terms:
        have = values.get(key)
        if op == "=" and (have is None or str(have) != value):
            return False
        if op == "!=" and have is not None and str(have) == value:
            return False
        if op == "exists" and key not in values:
            return False
        if op == "!exists" and key in values:
            return False
    return True


def field_values(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The fields a field selector may name (the ones the real server supports for pods)."""
    meta = obj.get("metadata") or {}
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    return {
        "metadata.name": meta.get("name"),
        "metadata.namespace": meta.get("namespace"),
        "spec.nodeName": spec.get("nodeName"),
        "status.phase": status.get("phase"),
    }


class Store:
    """Thread-safe object store keyed by (plural, namespace or "", name)."""

    #: The resourceVersion before the first change (lists of an unchanged store report it).
    FIRST_REVISION = 4400000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._objects: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._events: list[tuple[int, str, str, str, dict[str, Any]]] = []
        self.revision = self.FIRST_REVISION

    def _record(self, event: str, key: tuple[str, str, str], obj: dict[str, Any]) -> None:
        """Number a change and keep it as a watch event (the lock is held)."""
        self.revision += 1
        obj.setdefault("metadata", {})["resourceVersion"] = str(self.revision)
        self._events.append((self.revision, event, key[0], key[1], copy.deepcopy(obj)))
        self._changed.notify_all()

    def create(self, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Add an object as the API does on a create: a new resourceVersion, an ADDED event."""
        plural, _, namespaced = KINDS[str(obj.get("kind"))]
        meta = obj.get("metadata") or {}
        key = (plural, str(meta.get("namespace") or "") if namespaced else "", str(meta["name"]))
        with self._lock:
            stored = self._objects[key] = copy.deepcopy(dict(obj))
            self._record("ADDED", key, stored)
            return copy.deepcopy(stored)

    def events_after(
        self, revision: int, plural: str, namespace: str | None, timeout: float
    ) -> list[tuple[int, str, dict[str, Any]]]:
        """The changes to ``plural`` (in ``namespace``) numbered above ``revision``, waiting up
        to ``timeout`` seconds for one: (resourceVersion, event type, object)."""

        def found() -> list[tuple[int, str, dict[str, Any]]]:
            return [
                (rev, event, copy.deepcopy(obj))
                for rev, event, pl, ns, obj in self._events
                if rev > revision and pl == plural and namespace in (None, ns)
            ]

        with self._changed:
            self._changed.wait_for(found, timeout=timeout)
            return found()

    def add(self, obj: Mapping[str, Any]) -> None:
        kind = str(obj.get("kind"))
        if kind not in KINDS:
            raise ValueError(f"the stand-in does not serve kind {kind!r}")
        plural, _, namespaced = KINDS[kind]
        meta = obj.get("metadata") or {}
        ns = str(meta.get("namespace") or "") if namespaced else ""
        with self._lock:
            self._objects[(plural, ns, str(meta["name"]))] = copy.deepcopy(dict(obj))

    def load(self, *paths: Path | str) -> None:
        for path in paths:
            for obj in load_documents(path):
                self.add(obj)

    def remove(self, plural: str, name: str, namespace: str = "") -> None:
        with self._lock:
            obj = self._objects.pop((plural, namespace, name), None)
            if obj is not None:
                self._record("DELETED", (plural, namespace, name), obj)

    def get(self, plural: str, name: str, namespace: str = "") -> dict[str, Any] | None:
        with self._lock:
            obj = self._objects.get((plural, namespace, name))
            return copy.deepcopy(obj) if obj is not None else None

    def update(self, plural: str, name: str, namespace: str = "", **changes: Any) -> None:
        """Patch top-level paths given as ``status__policyGeneration=2`` style keywords."""
        with self._lock:
            obj = self._objects[(plural, namespace, name)]
            for path, value in changes.items():
                target = obj
                *parents, leaf = path.split("__")
                for part in parents:
                    target = target.setdefault(part, {})
                target[leaf] = value
            self._record("MODIFIED", (plural, namespace, name), obj)

    def list(
        self,
        plural: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        labels = parse_selector(label_selector)
        fields = parse_selector(field_selector)
        with self._lock:
            items = [
                copy.deepcopy(obj)
                for (pl, ns, _), obj in sorted(self._objects.items())
                if pl == plural and (namespace is None or ns == namespace)
            ]
        return [
            obj
            for obj in items
            if matches(labels, (obj.get("metadata") or {}).get("labels") or {})
            and matches(fields, field_values(obj))
        ]
