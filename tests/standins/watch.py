"""Watches for the API server stand-in, served as a real API server serves them.

``GET …?watch=true&resourceVersion=RV``: a chunked JSON stream of ``{"type": …, "object": …}``
events, one per line, for every change numbered above RV (store.py keeps them), kept open
until ``timeoutSeconds`` (kubectl's informer asks for 5-10 minutes), the client hangs up or the
stand-in stops. Without a resourceVersion (or with "0") the stream starts with an ADDED event
for every matching object, as a real server's does. MODIFIED events of objects that do not
match the selectors are left out (a real server would send DELETED for an object leaving the
selection; the stand-in's selectors are on fields that never change).

kubectl debug watches its pod (``fieldSelector=metadata.name=NAME``) from the list's
resourceVersion until the debug container runs, then closes the stream.
"""

from __future__ import annotations

import json
import select
import threading
import time
from typing import Any

from standins.store import Store, field_values, matches, parse_selector

#: How often a waiting watch looks whether its client is still there.
POLL = 0.2


def _client_gone(connection: Any) -> bool:
    """A watch client sends nothing: its socket turning readable means it closed."""
    try:
        readable, _, _ = select.select([connection], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def serve_watch(
    handler: Any,
    store: Store,
    plural: str,
    namespace: str | None,
    query: dict[str, list[str]],
    stopped: threading.Event,
) -> None:
    """Answer one watch request on ``handler`` (a BaseHTTPRequestHandler)."""

    def one(key: str) -> str | None:
        values = query.get(key)
        return values[0] if values else None

    labels = parse_selector(one("labelSelector"))
    fields = parse_selector(one("fieldSelector"))
    timeout = float(one("timeoutSeconds") or 1800)

    def wanted(obj: dict[str, Any]) -> bool:
        labels_of = (obj.get("metadata") or {}).get("labels") or {}
        return matches(labels, labels_of) and matches(fields, field_values(obj))

    def send(event: str, obj: dict[str, Any]) -> None:
        line = json.dumps({"type": event, "object": obj}).encode() + b"\n"
        handler.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
        handler.wfile.flush()

    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Cache-Control", "no-cache, private")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    handler.close_connection = True
    start = one("resourceVersion")
    try:
        if start in (None, "", "0"):
            since = store.revision
            for obj in store.list(plural, namespace=namespace):
                if wanted(obj):
                    send("ADDED", obj)
        else:
            since = int(start)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not stopped.is_set():
            for revision, event, obj in store.events_after(since, plural, namespace, POLL):
                since = revision
                if wanted(obj):
                    send(event, obj)
            if _client_gone(handler.connection):
                return
        handler.wfile.write(b"0\r\n\r\n")
    except OSError:  # the client went away mid-write
        return
