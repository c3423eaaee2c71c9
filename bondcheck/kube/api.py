"""The Kubernetes API client: lazy construction, name validation and plain REST requests.

Everything that talks to the Kubernetes API (kube/cluster.py, the handler-exec and nns
transports) builds its client here, so kubeconfig lookup and timeouts are decided once, and
failures become one-line bondcheck errors through kube/errors.py. The ``kubernetes`` package
is imported only inside functions: the offline path (parse, policy files, checks) never pays
for it.

"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bondcheck.errors import InputError
from bondcheck.kube.errors import scrub
from bondcheck.kube.rest import json_object

if TYPE_CHECKING:  # pragma: no cover - typing only
    from kubernetes.client import ApiClient

#: (connect, read) seconds for every plain API request.
DEFAULT_REQUEST_TIMEOUT: tuple[float, float] = (10.0, 30.0)

_SA_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*")


# --------------------------------------------------------------------------------------------
# Names


def dns_subdomain_problem(name: str) -> str | None:
    """Why ``name`` is not a valid DNS-1123 subdomain (node, NNCP, pod names), or None.

    Node and policy names end up in URLs and in argv of ``oc``/``kubectl``; accepting only
    what Kubernetes itself accepts means no name can smuggle an option (``-x``) or a path.
    """
    if not name:
        return "is empty"
    if len(name) > 253:
        return "is longer than 253 characters"
    if not _DNS1123_SUBDOMAIN.fullmatch(name):
        return (
            "is not a valid Kubernetes name (lowercase letters, digits, '-' and '.', "
            "starting and ending with a letter or digit)"
        )
    return None


def check_node_name(name: str) -> str:
    """Return ``name`` if it is a valid node name, else raise InputError."""
    problem = dns_subdomain_problem(name)
    if problem:
        raise InputError(f"node name {name[:80]!r} {problem}")
    return name


# --------------------------------------------------------------------------------------------
# Client construction


def kubeconfig_paths(explicit: str | None) -> str | None:
    """The kubeconfig path(s) to load, or None when there is none.

    Order: ``--kubeconfig`` (must exist), ``$KUBECONFIG`` (``:``-separated, as kubectl reads
    it; files that do not exist are ignored), ``~/.kube/config``.
    """
    if explicit:
        path = os.path.expanduser(explicit)
        if not os.path.isfile(path):
            raise InputError(f"kubeconfig {explicit} not found")
        return path
    env = os.environ.get("KUBECONFIG", "")
    existing = [p for p in env.split(os.pathsep) if p and os.path.isfile(os.path.expanduser(p))]
    if existing:
        return os.pathsep.join(os.path.expanduser(p) for p in existing)
    default = os.path.expanduser("~/.kube/config")
    return default if os.path.isfile(default) else None


def in_cluster() -> bool:
    """True inside a pod with a mounted service-account token."""
    return bool(os.environ.get("KUBERNETES_SERVICE_HOST")) and os.path.isfile(_SA_TOKEN)


def new_api(
    kubeconfig: str | None = None,
    context: str | None = None,
    *,
    timeout: tuple[float, float] = DEFAULT_REQUEST_TIMEOUT,
) -> KubeApi:
    """A KubeApi on a fresh ApiClient (see new_api_client)."""
    return KubeApi(new_api_client(kubeconfig, context), timeout=timeout)


def new_api_client(
    kubeconfig: str | None = None, context: str | None = None, *, pool_size: int = 16
) -> ApiClient:
    """Build an ApiClient from a kubeconfig (or the in-cluster service account).

    Each caller gets its own client (its own connection pool), so threads never share
    mutable global configuration: ``Configuration.set_default`` is never touched.
    """
    import urllib3
    import yaml
    from kubernetes import client as k8s
    from kubernetes import config as k8s_config
    from kubernetes.config.config_exception import ConfigException

    cfg = k8s.Configuration()
    path = kubeconfig_paths(kubeconfig)
    try:
        if path is not None:
            k8s_config.load_kube_config(
                config_file=path, context=context, client_configuration=cfg, persist_config=False
            )
        elif in_cluster() and not context:
            k8s_config.load_incluster_config(client_configuration=cfg)
        else:
            raise InputError(
                "no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or log in "
                "(oc login / kubectl config) so that ~/.kube/config exists"
            )
    except ConfigException as exc:
        where = f"kubeconfig {path}" if path else "in-cluster config"
        raise InputError(f"{where}: {_config_problem(str(exc), context)}") from None
    except (OSError, ValueError, yaml.YAMLError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(
            f"kubeconfig {path}: not a valid kubeconfig ({scrub(first)[:160]})"
        ) from None
    # Retry a refused/reset connection once; never re-send a request that timed out reading,
    # so a slow API server costs one timeout, not four.
    cfg.retries = urllib3.util.Retry(total=1, connect=1, read=0, status=0, redirect=0)
    cfg.connection_pool_maxsize = pool_size
    return k8s.ApiClient(cfg)


def _config_problem(message: str, context: str | None) -> str:
    if context and "contexts" in message and context in message:
        return f"context {context!r} not found"
    if "current-context" in message:
        return "no current-context set; pass --context"
    return scrub(message.splitlines()[0] if message else "invalid kubeconfig")[:200]


def api_host(api_client: Any) -> str:
    """The API server URL without any userinfo, for messages."""
    host = str(getattr(getattr(api_client, "configuration", None), "host", "") or "")
    return re.sub(r"//[^/@]*@", "//", host)


class KubeApi:
    """GET requests and exec streams on an ApiClient, without the generated API classes.

    Why not CoreV1Api: importing it loads every core model (1.5-3 s per run), and the typed
    models of newer client releases validate strictly (a container status without
    ``imageID`` fails a whole cluster-wide pod list). bondcheck reads a handful of fields,
    so it asks for the JSON and reads it as dicts. The ApiClient still supplies everything
    that matters: kubeconfig/in-cluster auth (token refresh included), TLS settings, the
    connection pool and retries; the calls below exist in every client release since 29.
    """

    def __init__(self, api_client: Any, *, timeout: tuple[float, float] = DEFAULT_REQUEST_TIMEOUT):
        self.api_client = api_client
        self.timeout = timeout

    @property
    def configuration(self) -> Any:
        return self.api_client.configuration

    @property
    def host(self) -> str:
        return api_host(self.api_client)

    def auth_headers(self) -> dict[str, str]:
        """The credential headers the kubeconfig asks for (bearer token; refreshed if due)."""
        headers: dict[str, str] = {}
        for setting in (self.configuration.auth_settings() or {}).values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[str(setting["key"])] = str(setting["value"])
        return headers

    def url(self, path: str, query: Sequence[tuple[str, str]] = ()) -> str:
        base = str(self.configuration.host).rstrip("/") + path
        return f"{base}?{urlencode(list(query))}" if query else base

    def get(
        self,
        path: str,
        query: Sequence[tuple[str, str]] = (),
        *,
        timeout: tuple[float, float] | float | None = None,
    ) -> dict[str, Any]:
        """GET ``path`` and return the JSON object; ApiException on an HTTP error."""
        from kubernetes.client.exceptions import ApiException

        headers = dict(getattr(self.api_client, "default_headers", {}) or {})
        headers.update(self.auth_headers())
        headers["Accept"] = "application/json"
        resp = self.api_client.rest_client.request(
            "GET",
            self.url(path, query),
            headers=headers,
            _request_timeout=timeout or self.timeout,
        )
        data: Any = getattr(resp, "data", None)
        if data is None and hasattr(resp, "read"):
            data = resp.read()
        if not 200 <= int(resp.status) <= 299:  # older clients raise this themselves
            raise ApiException(http_resp=resp)
        return json_object(data, path)

    def exec_stream(self, namespace: str, pod: str, container: str, command: Sequence[str]) -> Any:
        """Open a pods/exec WebSocket (stdout+stderr, no stdin, no TTY); returns the client's
        WSClient. Raises ApiException(status=0) when the handshake fails."""
        from kubernetes.client.exceptions import ApiException
        from kubernetes.stream import ws_client

        query = [("command", part) for part in command]
        query += [
            ("container", container),
            ("stderr", "true"),
            ("stdin", "false"),
            ("stdout", "true"),
            ("tty", "false"),
        ]
        path = f"/api/v1/namespaces/{namespace}/pods/{pod}/exec"
        url = ws_client.get_websocket_url(self.url(path), query)
        try:
            return ws_client.WSClient(self.configuration, url, self.auth_headers(), True)
        except Exception as exc:
            raise ApiException(status=0, reason=str(exc)) from None

    def close(self) -> None:
        self.api_client.close()
