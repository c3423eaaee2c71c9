"""A Kubernetes API server stand-in that the real ``kubernetes`` Python client talks to.

Why a stand-in: no API server, etcd or kubelet can run on the test machines. This serves the
exact REST paths bondcheck's production code requests - through the official client, the
generated kubeconfig and bearer-token auth, unchanged - so the code path under test is the
one a real cluster exercises. Served:

* ``GET /apis/nmstate.io/{v1,v1beta1,v1alpha1}/nodenetworkconfigurationpolicies[/NAME]``
  (``nncp_versions`` decides which versions are "served"; others get the generic 404 Status
  that a real server returns for an unknown path; v1beta1 carries the deprecation Warning);
* ``GET /apis/nmstate.io/v1beta1/{nodenetworkconfigurationenactments,nodenetworkstates}``
  (list with labelSelector, or by name);
* ``GET /api/v1/nodes[/NAME]``, ``/api/v1/pods``, ``/api/v1/namespaces/NS/pods[/NAME]``
  with labelSelector and fieldSelector (``spec.nodeName=...``);
* ``GET /api/v1/namespaces/NS/pods/NAME/exec`` upgraded to a WebSocket with the channel
  protocol; the command really runs (``exec_handler``, default: nodeexec.start_on_node - local
  ``sh``, or ssh to the lab node named by the pod's ``spec.nodeName``).
* for the real kubectl (``kubectl debug node/X``; pods.py has the sequence): discovery,
  aggregated (``apidiscovery.k8s.io/v2``, what a 1.32 server answers kubectl) or legacy for
  clients that do not ask for it (discovery.py); pod create (protobuf or JSON), a Pending ->
  Running status that changes over time, watches that stream those changes (watch.py),
  ``pods/NAME/attach`` over the WebSocket ``v5.channel.k8s.io`` protocol, ``pods/NAME/log``
  and delete. TLS on request (``tls=True``): client-go sends no bearer token to http://.

Found by pointing the real kubectl 1.32 at it (tests/cluster/test_real_kubectl*.py), and fixed
here: it served legacy discovery only, which a 1.32 server never sends kubectl, and listed NNCE
and NNS in nmstate.io/v1 where they do not exist; new pods were Running at once and every watch
closed after one snapshot, where a real pod is Pending until a kubelet reports it and kubectl
follows an open watch; there was no ``pods/NAME/log``, which kubectl reads after a command that
exits non-zero; a pod deleted while its container may run vanished at once instead of
Terminating first; and a SPDY attach (a POST) was answered as a failed pod create. Still not
faithful: pods/NAME/attach starts the command (a kubelet starts it at scheduling; the race
that loses output is made on purpose with ``attach_misses``), replies are JSON (a real server
answers kubectl in protobuf), and SPDY/3.1 is refused rather than served.

Per-test fault injection: ``fail(path_regex, status, body)`` (401/403/404/500 with the
corpus Status bodies), ``latency`` for every request, ``delay`` per fault.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from standins import websocket as ws
from standins.exec_stream import (
    ExecHandler,
    container_handler,
    default_exec_handler,
    serve_exec,
)
from standins.store import FIXTURES, KINDS, PLURAL_KIND, Store

_CUSTOM = re.compile(
    r"^/apis/nmstate\.io/(?P<version>[^/]+)/(?P<plural>[a-z]+)(?:/(?P<name>[^/]+))?$"
)
_CORE = re.compile(
    r"^/api/v1(?:/namespaces/(?P<ns>[^/]+))?/(?P<plural>nodes|pods)(?:/(?P<name>[^/]+))?"
    r"(?P<exec>/exec|/attach|/log)?$"
)
DEPRECATION = (
    '299 - "nmstate.io/v1beta1 NodeNetworkConfigurationPolicy is deprecated; '
    'use nmstate.io/v1 NodeNetworkConfigurationPolicy"'
)


def status_body(name: str) -> dict[str, Any]:
    """A Status object from fixtures/k8s/status/ (file name without .json)."""
    return json.loads((FIXTURES / "status" / f"{name}.json").read_text())


def not_found(plural: str, group: str, name: str) -> dict[str, Any]:
    """The NotFound Status the real server sends for a missing object."""
    resource = f"{plural}.{group}" if group else plural
    details = {"name": name, "kind": plural}
    if group:
        details["group"] = group
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'{resource} "{name}" not found',
        "reason": "NotFound",
        "details": details,
        "code": 404,
    }


GENERIC_404 = "status-404-generic-unknown-path-api-v2-k8s-1.23"
#: What kube-apiserver puts on every response (its WithCacheControl filter). Found with the
#: real kubectl: gcloud's kubectl dispatcher asks /version with ``Cache-Control: max-age=3600``
#: through client-go's disk cache (~/.kube/cache/http, keyed by URL); without this header it
#: took a stand-in's answer from an hour before on the same port, and ran kubectl 1.29 for a
#: server that says 1.32.
CACHE_CONTROL = "no-cache, private"


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts under test) are expected: no traceback spam."""


@dataclass
class Fault:
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any] | None
    delay: float = 0.0
    times: int | None = None  # None = every time
    until: threading.Event | None = None  # wait for this (at most ``delay``) instead of sleeping


@dataclass
class ApiServerStandIn:
    """Start with ``start()``; point the client at ``write_kubeconfig(path)``."""

    token: str = "standin-token-0123456789"
    store: Store = field(default_factory=Store)
    nncp_versions: tuple[str, ...] = ("v1", "v1beta1")
    latency: float = 0.0
    exec_handler: ExecHandler = default_exec_handler
    tls: bool = False  # HTTPS with a self-signed certificate (what the real kubectl needs)
    #: What /version reports. gcloud's kubectl dispatcher runs the kubectl release matching
    #: it (kubectl.1.29 for "29"), so tests of the real kubectl choose it on purpose.
    minor_version: str = "29"
    #: Seconds between a new pod's status steps (Pending, ContainerCreating, Running).
    pod_start_delay: float = 0.1
    #: Seconds a deleted pod that may still run stays Terminating (pods.delete).
    termination_delay: float = 0.3
    #: When set, new pods' containers never start: ImagePullBackOff with this message.
    pull_error: str = ""
    #: Bytes of a container's stdout that an attach misses: printed after the container
    #: started, before the attach connected (a real kubelet's race, kubernetes#27264).
    attach_misses: int = 0
    #: (namespace, pod, container) -> what the container printed (pods/NAME/log).
    logs: dict[tuple[str, str, str], bytearray] = field(default_factory=dict)
    stopped: threading.Event = field(default_factory=threading.Event)
    requests: list[tuple[str, str]] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> ApiServerStandIn:
        standin = self

        class Handler(_Handler):
            server_state = standin

        self._server = _Server(("127.0.0.1", 0), Handler)
        if self.tls:
            from standins.tls import server_context

            self._server.socket = server_context().wrap_socket(
                self._server.socket, server_side=True
            )
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self.stopped.set()  # ends the watches still open
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() first"
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    def write_kubeconfig(self, path: Path, *, namespace: str = "default") -> Path:
        """A kubeconfig with context ``standin`` (good token) and ``wrong-token``."""
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": "standin",
            "clusters": [{"name": "standin", "cluster": self._cluster_entry()}],
            "users": [
                {"name": "standin-user", "user": {"token": self.token}},
                {"name": "stale-user", "user": {"token": "sha256~expiredTokenValue0123"}},
            ],
            "contexts": [
                {
                    "name": "standin",
                    "context": {
                        "cluster": "standin",
                        "user": "standin-user",
                        "namespace": namespace,
                    },
                },
                {"name": "wrong-token", "context": {"cluster": "standin", "user": "stale-user"}},
            ],
        }
        path.write_text(json.dumps(doc, indent=2))
        return path

    def _cluster_entry(self) -> dict[str, str]:
        if not self.tls:
            return {"server": self.url}
        import base64

        from standins.tls import certificate

        ca = base64.b64encode(certificate()[0]).decode()
        return {"server": self.url, "certificate-authority-data": ca}

    # ------------------------------------------------------------------ test controls

    def fail(
        self,
        path_regex: str,
        status: int,
        body: dict[str, Any] | str | None = None,
        *,
        delay: float = 0.0,
        times: int | None = None,
        until: threading.Event | None = None,
    ) -> None:
        """Answer requests whose path matches ``path_regex`` with ``status`` and ``body``
        (a Status dict, or the name of a fixtures/k8s/status file); status 0 answers normally
        after the delay. With ``until``, the answer waits for that event (``delay`` at most),
        so a test can hold a request until something else has happened."""
        if isinstance(body, str):
            body = status_body(body)
        with self._lock:
            self.faults.append(Fault(re.compile(path_regex), status, body, delay, times, until))

    def fault_for(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.pattern.search(path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def paths(self) -> list[str]:
        with self._lock:
            return [path for _, path in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server_state: ApiServerStandIn
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # ------------------------------------------------------------------ responses

    def _send(
        self,
        status: int,
        body: Any,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", CACHE_CONTROL)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _status(self, status: int, body: dict[str, Any] | None = None) -> None:
        if body is None:
            body = (
                status_body(GENERIC_404)
                if status == 404
                else {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "message": "Unauthorized" if status == 401 else f"HTTP {status}",
                    "reason": "Unauthorized" if status == 401 else "InternalError",
                    "code": status,
                }
            )
        self._send(status, body)

    # ------------------------------------------------------------------ dispatch

    def do_POST(self) -> None:
        """Creating objects: pods only, as kubectl sends them (protobuf) or JSON; pods.py."""
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with state._lock:
            state.requests.append(("POST", self.path))
        if self.headers.get("Authorization", "") != f"Bearer {state.token}":
            self._status(401, status_body("status-401-unauthorized-RECONSTRUCTED"))
            return
        match = re.match(r"^/api/v1/namespaces/([^/]+)/pods(?:\?.*)?$", self.path)
        fault = state.fault_for(urlsplit(self.path).path)
        if fault is not None and fault.status:
            self._status(fault.status, fault.body)
            return
        if re.match(r"^/api/v1/namespaces/[^/]+/pods/[^/]+/(attach|exec)(\?|$)", self.path):
            # kubectl's SPDY/3.1 path (KUBECTL_REMOTE_COMMAND_WEBSOCKETS=false, or its fallback
            # when a WebSocket upgrade fails): a real server upgrades it, the stand-in cannot.
            self._status(400, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure", "reason": "BadRequest", "code": 400,
                               "message": "the stand-in serves attach and exec over WebSocket "
                               "(v5.channel.k8s.io) only, not SPDY/3.1"})  # fmt: skip
            return
        if not match:
            self._status(405, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure", "reason": "MethodNotAllowed", "code": 405,
                               "message": "the stand-in creates pods only"})  # fmt: skip
            return
        from standins import pods
        from standins.protobuf import decode_pod

        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip()
        try:
            pod = json.loads(body) if kind == "application/json" else decode_pod(body)
        except ValueError as exc:
            self._status(415, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure", "reason": "UnsupportedMediaType",
                               "message": str(exc), "code": 415})  # fmt: skip
            return
        pod = state.store.create(pods.created(pod, match.group(1)))
        threading.Thread(
            target=pods.lifecycle,
            args=(state.store, pod, state.pod_start_delay, state.pull_error),
            daemon=True,
        ).start()
        self._send(201, pod)

    def do_GET(self) -> None:
        state = self.server_state
        parts = urlsplit(self.path)
        query = {k: v for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        with state._lock:
            state.requests.append(("GET", self.path))
        if state.latency:
            time.sleep(state.latency)
        if self.headers.get("Authorization", "") != f"Bearer {state.token}":
            self._status(401, status_body("status-401-unauthorized-RECONSTRUCTED"))
            return
        fault = state.fault_for(parts.path)
        if fault is not None:
            if fault.until is not None:
                fault.until.wait(fault.delay)
            else:
                time.sleep(fault.delay)
            if fault.status:
                self._status(fault.status, fault.body)
                return
        if parts.path == "/version":
            minor = state.minor_version
            self._send(200, {"major": "1", "minor": minor, "gitVersion": f"v1.{minor}.0-standin"})
            return
        from standins import discovery

        accept = self.headers.get("Accept") or ""
        aggregated = discovery.aggregated(parts.path, accept, state.nncp_versions)
        if aggregated is not None:
            self._send(200, aggregated, {"Vary": "Accept"}, discovery.AGGREGATED_TYPE)
            return
        document = _discovery(parts.path, state.nncp_versions)
        if document is not None:
            self._send(200, document)
            return
        match = _CUSTOM.match(parts.path)
        if match:
            self._custom(match, query)
            return
        match = _CORE.match(parts.path)
        if match:
            self._core(match, query)
            return
        self._status(404)

    def _list(self, plural: str, api_version: str, items: list[dict[str, Any]]) -> None:
        kind = PLURAL_KIND[plural] + "List"
        self._send(
            200,
            {
                "apiVersion": api_version,
                "kind": kind,
                "metadata": {"resourceVersion": str(self.server_state.store.revision)},
                "items": items,
            },
        )

    def _custom(self, match: re.Match[str], query: dict[str, list[str]]) -> None:
        state = self.server_state
        version, plural, name = match["version"], match["plural"], match["name"]
        kind = PLURAL_KIND.get(plural)
        served = state.nncp_versions if kind == "NodeNetworkConfigurationPolicy" else ("v1beta1",)
        if kind is None or kind not in KINDS or version not in served:
            self._status(404)
            return
        api_version = f"nmstate.io/{version}"
        headers = (
            {"Warning": DEPRECATION}
            if (kind == "NodeNetworkConfigurationPolicy" and version != "v1")
            else {}
        )
        if name is None:
            items = state.store.list(
                plural,
                label_selector=_one(query, "labelSelector"),
                field_selector=_one(query, "fieldSelector"),
            )
            for item in items:
                item["apiVersion"] = api_version
            self._list(plural, api_version, items)
            return
        obj = state.store.get(plural, name)
        if obj is None:
            self._status(404, not_found(plural, "nmstate.io", name))
            return
        obj["apiVersion"] = api_version  # the server converts between served versions
        self._send(200, obj, headers)

    def _core(self, match: re.Match[str], query: dict[str, list[str]]) -> None:
        state = self.server_state
        plural, ns, name = match["plural"], match["ns"], match["name"]
        if plural == "nodes" and ns is not None:
            self._status(404)
            return
        if match["exec"] == "/log":
            self._log(ns or "", name or "", query)
            return
        if match["exec"]:
            self._exec(ns or "", name or "", query, attach=match["exec"] == "/attach")
            return
        if name is None and _one(query, "watch") in ("true", "1"):
            self._watch(plural, ns, query)
            return
        if name is None:
            items = state.store.list(
                plural,
                namespace=ns,
                label_selector=_one(query, "labelSelector"),
                field_selector=_one(query, "fieldSelector"),
            )
            limit = _one(query, "limit")
            if limit and limit.isdigit():
                items = items[: int(limit)]
            self._list(plural, "v1", items)
            return
        obj = state.store.get(plural, name, ns or "")
        if obj is None:
            self._status(404, not_found(plural, "", name))
            return
        self._send(200, obj)

    # ------------------------------------------------------------------ exec

    def _watch(self, plural: str, ns: str | None, query: dict[str, list[str]]) -> None:
        from standins.watch import serve_watch

        state = self.server_state
        serve_watch(self, state.store, plural, ns, query, state.stopped)

    def _log(self, ns: str, name: str, query: dict[str, list[str]]) -> None:
        """A container's log: what it printed, stdout and stderr merged (pods.py)."""
        pod = self.server_state.store.get("pods", name, ns)
        if pod is None:
            self._status(404, not_found("pods", "", name))
            return
        container = _one(query, "container") or pod["spec"]["containers"][0]["name"]
        log = self.server_state.logs.get((ns, name, container))
        if log is None:
            message = f'container "{container}" in pod "{name}" is waiting to start: '
            self._status(400, {"kind": "Status", "apiVersion": "v1", "metadata": {},
                               "status": "Failure", "reason": "BadRequest", "code": 400,
                               "message": message + "ContainerCreating"})  # fmt: skip
            return
        self._send(200, bytes(log), content_type="text/plain")

    def _exec(
        self, ns: str, name: str, query: dict[str, list[str]], *, attach: bool = False
    ) -> None:
        state = self.server_state
        pod = state.store.get("pods", name, ns)
        if pod is None:
            self._status(404, not_found("pods", "", name))
            return
        container = _one(query, "container") or pod["spec"]["containers"][0]["name"]
        if container not in [c.get("name") for c in pod["spec"].get("containers") or []]:
            self._status(
                400,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "reason": "BadRequest",
                    "code": 400,
                    "message": f"container {container} is not valid for pod {name}",
                },
            )
            return
        if (self.headers.get("Upgrade") or "").lower() != "websocket":
            self._status(
                400,
                {
                    "kind": "Status",
                    "apiVersion": "v1",
                    "metadata": {},
                    "status": "Failure",
                    "reason": "BadRequest",
                    "code": 400,
                    "message": "Upgrade request required",
                },
            )
            return
        proto = ws.choose_subprotocol(self.headers.get("Sec-WebSocket-Protocol"))
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", ws.accept_key(self.headers["Sec-WebSocket-Key"]))
        if proto:
            self.send_header("Sec-WebSocket-Protocol", proto)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        from standins import pods

        command = (
            pods.container_command(pod, container) or [] if attach else query.get("command", [])
        )
        log = state.logs.setdefault((ns, name, container), bytearray()) if attach else None
        missed = state.attach_misses if attach else 0
        handler = state.exec_handler
        if attach and handler is default_exec_handler:
            handler = container_handler  # the container's own process, in the pod's cgroup
        code = serve_exec(self.rfile, self.wfile, handler, pod, container, command,
                          log=log, missed=missed)  # fmt: skip
        if attach and code is not None:
            state.store.update("pods", name, ns, status=pods.finished(pod, code))

    def do_DELETE(self) -> None:
        state = self.server_state
        with state._lock:
            state.requests.append(("DELETE", self.path))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.headers.get("Authorization", "") != f"Bearer {state.token}":
            self._status(401, status_body("status-401-unauthorized-RECONSTRUCTED"))
            return
        match = re.match(r"^/api/v1/namespaces/([^/]+)/pods/([^/?]+)", self.path)
        if not match:
            self._status(404)
            return
        ns, name = match.groups()
        pod = state.store.get("pods", name, ns)
        if pod is None:
            self._status(404, not_found("pods", "", name))
            return
        from standins import pods

        self._send(200, pods.delete(state.store, pod, state.termination_delay))


def _discovery(path: str, nncp_versions: tuple[str, ...]) -> dict[str, Any] | None:
    """The legacy discovery document at ``path`` (see discovery.py), or None: what a client
    that does not ask for aggregated discovery gets, and the per-group lists."""
    from standins import discovery

    if path == "/api":
        return discovery.API_VERSIONS
    if path == "/apis":
        return discovery.api_group_list(nncp_versions)
    if path == "/api/v1":
        return discovery.CORE_V1
    for version in discovery.group_versions(nncp_versions):
        if path == f"/apis/nmstate.io/{version}":
            return discovery.nmstate_resources(version, nncp_versions)
    return None


def _one(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def exec_handler_from(fn: Callable[[dict[str, Any], str, list[str]], Any]) -> ExecHandler:
    """Type helper so tests can pass plain functions as ``exec_handler``."""
    return fn
