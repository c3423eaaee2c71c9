"""``--via handler-exec``: run the collection script inside the node's nmstate handler pod.

kubernetes-nmstate already runs one privileged, ``hostNetwork`` pod per node (DaemonSet
``nmstate-handler``, label ``component=kubernetes-nmstate-handler``, container
``nmstate-handler``). Its processes live in the host network namespace as uid 0, so
/proc/net/bonding/* (with the CAP_NET_ADMIN-only LACP lines) and ``ip -j`` show the node's own
interfaces. Exec'ing the shared script there costs one WebSocket round trip and creates no pod:
the fastest live transport, and the one with the smallest RBAC (``pods/exec`` in one
namespace instead of privileged pods).

The exec goes through the official client's WebSocket machinery (``kubernetes.stream``'s
``WSClient``, the object ``stream(connect_get_namespaced_pod_exec, ...)`` returns; bondcheck
opens it directly, see KubeApi for why the generated API classes are skipped). The remote
exit status comes from the exec error channel (channel 3: ``{"status": "Success"}`` or
``NonZeroExitCode`` with the code in ``details.causes``). The WebSocket handshake has no
timeout in the client, so it runs under a deadline of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from bondcheck.errors import CollectError, InputError
from bondcheck.kube.api import KubeApi, check_node_name, dns_subdomain_problem, new_api
from bondcheck.kube.cluster import HANDLER_NAMESPACES, HANDLER_SELECTOR
from bondcheck.kube.errors import api_error, scrub
from bondcheck.model import Evidence, NodeTarget
from bondcheck.transport.base import Transport
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.script import build_collect_script, new_nonce, parse_collect_output

HANDLER_CONTAINER = "nmstate-handler"
RBAC_HINT = "handler-exec needs get+create on pods/exec and list on pods in the handler namespace"


class HandlerExecTransport(Transport):
    """Exec ``sh -c <script>`` in the nmstate handler pod of each node."""

    name = "handler-exec"
    default_concurrency = 16  # one WebSocket per node, nothing created in the cluster

    def __init__(self, opts: TransportOptions, *, api_client: Any = None) -> None:
        self.opts = opts
        self._kube: KubeApi | None = KubeApi(api_client) if api_client else None
        self._namespace: str | None = opts.handler_namespace
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing

    def _api(self) -> KubeApi:
        with self._lock:
            if self._kube is None:
                self._kube = new_api(self.opts.kubeconfig, self.opts.context)
            return self._kube

    def _error(self, exc: BaseException, action: str) -> Exception:
        return api_error(exc, action=action, host=self._api().host)

    def close(self) -> None:
        with self._lock:
            api, self._kube = self._kube, None
        if api is not None:
            api.close()

    # ------------------------------------------------------------------ finding the pod

    def namespace(self) -> str:
        """The handler namespace: --handler-namespace, else the first of HANDLER_NAMESPACES
        that holds handler pods (looked up once)."""
        with self._lock:
            if self._namespace:
                problem = dns_subdomain_problem(self._namespace)
                if problem:
                    raise InputError(f"handler namespace {self._namespace[:80]!r} {problem}")
                return self._namespace
        errors: list[Exception] = []
        for ns in HANDLER_NAMESPACES:
            try:
                pods = (
                    self._api()
                    .get(
                        f"/api/v1/namespaces/{ns}/pods",
                        [("labelSelector", HANDLER_SELECTOR), ("limit", "1")],
                    )
                    .get("items")
                )
            except Exception as exc:
                errors.append(self._error(exc, f"list pods in namespace {ns}"))
                continue
            if pods:
                with self._lock:
                    self._namespace = ns
                return ns
        if errors and len(errors) == len(HANDLER_NAMESPACES):
            raise CollectError(f"{errors[0]} ({RBAC_HINT})")
        raise CollectError(
            "no nmstate handler pods found in namespace "
            f"{' or '.join(HANDLER_NAMESPACES)}; pass --handler-namespace"
        )

    def handler_pod(self, node: str) -> tuple[str, str]:
        """(namespace, pod name) of the Running handler pod on ``node``."""
        ns = self.namespace()
        try:
            on_node = ("fieldSelector", f"spec.nodeName={node}")
            query = [("labelSelector", HANDLER_SELECTOR), on_node]
            pods = self._api().get(f"/api/v1/namespaces/{ns}/pods", query).get("items") or []
        except Exception as exc:
            err = self._error(exc, f"list pods in namespace {ns}")
            raise CollectError(f"{node}: {err} ({RBAC_HINT})") from None
        if not pods:
            raise CollectError(
                f"{node}: no nmstate handler pod runs on this node (namespace {ns}); "
                "use --via oc-debug, kubectl-debug or ssh for it"
            )
        for pod in pods:
            if (pod.get("status") or {}).get("phase") == "Running":
                return ns, str(pod["metadata"]["name"])
        phase = (pods[0].get("status") or {}).get("phase") or "not running"
        name = (pods[0].get("metadata") or {}).get("name")
        raise CollectError(f"{node}: nmstate handler pod {ns}/{name} is {phase}")

    # ------------------------------------------------------------------ collect

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        node = check_node_name(target.name)
        ns, pod = self.handler_pod(node)
        nonce = new_nonce()
        script = build_collect_script(bonds, nonce, use_sudo=False)
        stdout, stderr, rc = self.exec(ns, pod, ["sh", "-c", script], timeout, node=node)
        try:
            evidence = parse_collect_output(
                stdout, nonce, node=node, transport=self.name, bonds=bonds
            )
        except CollectError as exc:
            if rc not in (0, None):
                first = next((ln for ln in stderr.splitlines() if ln.strip()), "")
                detail = f": {scrub(first)[:200]}" if first else ""
                raise CollectError(
                    f"{node}: the collection script exited with code {rc} in {ns}/{pod}{detail}"
                ) from None
            raise exc from None
        if rc not in (0, None):
            evidence = replace(
                evidence, notes=(*evidence.notes, f"exec in {ns}/{pod} exited with code {rc}")
            )
        return evidence

    def exec(
        self, namespace: str, pod: str, command: list[str], timeout: float, *, node: str
    ) -> tuple[str, str, int | None]:
        """Run ``command`` in the handler container; (stdout, stderr, exit code or None)."""
        ws = self._open(namespace, pod, command, timeout, node=node)
        try:
            from websocket import WebSocketException

            try:
                ws.sock.settimeout(timeout)
                ws.run_forever(timeout=timeout)
            except (WebSocketException, OSError) as exc:
                raise CollectError(f"{node}: exec stream broke: {scrub(str(exc))[:200]}") from None
            if ws.is_open():
                raise CollectError(f"{node}: no result from the handler pod within {timeout:g}s")
            stdout = ws.read_channel(1)
            stderr = ws.read_channel(2)
            try:
                rc = ws.returncode
            except (TypeError, KeyError, IndexError, ValueError, AttributeError):
                rc = None  # the API server closed the stream without an exit status
            return stdout, stderr, rc
        finally:
            ws.close()

    def _open(
        self, namespace: str, pod: str, command: list[str], timeout: float, *, node: str
    ) -> Any:
        """Open the exec WebSocket, giving up after ``timeout`` (the handshake has none)."""
        api = self._api()
        box: dict[str, Any] = {}
        gave_up = threading.Event()

        def connect() -> None:
            try:
                ws = api.exec_stream(namespace, pod, HANDLER_CONTAINER, command)
            except BaseException as exc:  # handed to the caller's thread
                box["error"] = exc
                return
            if gave_up.is_set():
                ws.close()
            else:
                box["ws"] = ws

        thread = threading.Thread(target=connect, name=f"exec-{node}", daemon=True)
        thread.start()
        thread.join(timeout)
        if thread.is_alive():
            gave_up.set()
            late = box.get("ws")
            if late is not None:
                late.close()
            raise CollectError(
                f"{node}: exec into {namespace}/{pod} did not start within {timeout:g}s"
            )
        if "error" in box:
            err = self._error(box["error"], f"exec into {namespace}/{pod}")
            if "forbidden" in str(err):
                raise CollectError(f"{node}: {err} ({RBAC_HINT})")
            raise CollectError(f"{node}: {err}")
        return box["ws"]
