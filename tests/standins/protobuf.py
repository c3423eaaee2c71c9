"""Reading the Pod that the real kubectl sends as protobuf, for the API server stand-in.

kubectl (client-go) creates built-in objects with ``Content-Type:
application/vnd.kubernetes.protobuf`` and has no fallback to JSON, so a stand-in that the real
``kubectl debug`` can drive must read that body. The format: the magic ``k8s\\x00``, then a
``runtime.Unknown`` message (1: typeMeta {1: apiVersion, 2: kind}, 2: raw) whose ``raw`` is
the ``v1.Pod`` message. Only the fields the stand-in uses are mapped, by the field numbers of
k8s.io/api/core/v1/generated.proto; everything else is skipped by its wire type, which is how
any protobuf reader treats unknown fields.
"""

from __future__ import annotations

from typing import Any

MAGIC = b"k8s\x00"


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) for every field of one message, in order."""
    out: list[tuple[int, int | bytes]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            out.append((number, value))
        elif wire == 2:
            size, pos = _varint(data, pos)
            out.append((number, data[pos : pos + size]))
            pos += size
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def _text(value: int | bytes) -> str:
    assert isinstance(value, bytes)
    return value.decode("utf-8")


def _msg(value: int | bytes) -> list[tuple[int, int | bytes]]:
    assert isinstance(value, bytes)
    return fields(value)


def _map(entries: list[int | bytes]) -> dict[str, str]:
    out = {}
    for entry in entries:
        pairs = dict(_msg(entry))
        out[_text(pairs.get(1, b""))] = _text(pairs.get(2, b""))
    return out


def _meta(data: int | bytes) -> dict[str, Any]:
    names = {1: "name", 2: "generateName", 3: "namespace"}
    meta: dict[str, Any] = {}
    labels: list[int | bytes] = []
    for number, value in _msg(data):
        if number in names:
            meta[names[number]] = _text(value)
        elif number == 11:
            labels.append(value)
    if labels:
        meta["labels"] = _map(labels)
    return meta


def _container(data: int | bytes) -> dict[str, Any]:
    container: dict[str, Any] = {"command": [], "args": []}
    for number, value in _msg(data):
        if number == 1:
            container["name"] = _text(value)
        elif number == 2:
            container["image"] = _text(value)
        elif number == 3:
            container["command"].append(_text(value))
        elif number == 4:
            container["args"].append(_text(value))
        elif number == 15:  # SecurityContext: 2 privileged
            context = dict(_msg(value))
            container["securityContext"] = {"privileged": bool(context.get(2, 0))}
        elif number in (16, 18):
            container["stdin" if number == 16 else "tty"] = bool(value)
    return container


def _volume(data: int | bytes) -> dict[str, Any]:
    volume: dict[str, Any] = {}
    for number, value in _msg(data):
        if number == 1:
            volume["name"] = _text(value)
        elif number == 2:  # VolumeSource: 1 hostPath {1 path}
            for inner, source in _msg(value):
                if inner == 1:
                    volume["hostPath"] = {"path": _text(dict(_msg(source)).get(1, b""))}
    return volume


def _spec(data: int | bytes) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [], "volumes": []}
    flags = {11: "hostNetwork", 12: "hostPID", 13: "hostIPC"}
    for number, value in _msg(data):
        if number == 1:
            spec["volumes"].append(_volume(value))
        elif number == 2:
            spec["containers"].append(_container(value))
        elif number == 3:
            spec["restartPolicy"] = _text(value)
        elif number == 10:
            spec["nodeName"] = _text(value)
        elif number in flags:
            spec[flags[number]] = bool(value)
    return spec


def decode_pod(body: bytes) -> dict[str, Any]:
    """The Pod in a protobuf request body, as the JSON object the API would store."""
    if not body.startswith(MAGIC):
        raise ValueError("not a Kubernetes protobuf body (no k8s\\x00 magic)")
    unknown = dict(fields(body[len(MAGIC) :]))
    type_meta = dict(_msg(unknown.get(1, b"")))
    kind = _text(type_meta.get(2, b""))
    if kind != "Pod":
        raise ValueError(f"the stand-in decodes Pods only, not {kind!r}")
    pod: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": {}, "spec": {}}
    for number, value in _msg(unknown.get(2, b"")):
        if number == 1:
            pod["metadata"] = _meta(value)
        elif number == 2:
            pod["spec"] = _spec(value)
    return pod
