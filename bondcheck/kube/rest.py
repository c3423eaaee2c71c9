"""Plain REST GETs on a pod's service account: the node agent's API client.

The agent runs on every node of a cluster, so its footprint is multiplied by the fleet: the
``kubernetes`` client alone costs ~25 MB and ~0.3 s to import. The agent reads a few objects
(its node, the NNCPs, its NNCEs), so it uses the standard library: the in-cluster token and CA
that every pod gets, HTTPS through ``urllib``, JSON bodies. It offers the same ``get`` as
KubeApi, so ``Cluster`` reads the objects through either without knowing which.

Errors: an HTTP status becomes ``HttpStatus`` (status and body), which kube/errors.py turns into
the same one-line messages as the client's ApiException; network failures keep their
``OSError``. The token is read again for every request (the kubelet rotates projected tokens)
and never printed.
"""

from __future__ import annotations

import json
import os
import ssl
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from bondcheck.errors import CollectError, InputError

#: Where the kubelet mounts a pod's service account.
SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


def json_object(data: Any, path: str) -> dict[str, Any]:
    """The JSON object of a response body (both API clients); CollectError when it is not."""
    try:
        body = json.loads(data or b"")
    except (ValueError, TypeError):
        raise CollectError(f"GET {path}: the API returned a body that is not JSON") from None
    if not isinstance(body, dict):
        raise CollectError(f"GET {path}: the API returned JSON that is not an object")
    return body


class HttpStatus(Exception):
    """The API answered with a status outside 2xx; ``body`` is its Status object's text."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class ServiceAccountApi:
    """GET requests as the pod's service account (``KUBERNETES_SERVICE_HOST``/``_PORT``).

    ``server`` and ``account_dir`` default to what the kubelet provides; tests point them at
    a stand-in API server and a token directory of their own.
    """

    def __init__(
        self,
        server: str | None = None,
        account_dir: str = SERVICE_ACCOUNT_DIR,
        *,
        timeout: float = 30.0,
    ) -> None:
        self.account_dir = account_dir
        self.timeout = timeout
        self.host = (server or self._server_from_env()).rstrip("/")
        token = os.path.join(account_dir, "token")
        if not os.path.isfile(token):
            raise InputError(
                f"no service account token at {token}: run the agent in a pod with "
                "automountServiceAccountToken, or give it --policy-file"
            )
        context = None
        if self.host.startswith("https://"):
            ca = os.path.join(account_dir, "ca.crt")
            context = ssl.create_default_context(cafile=ca if os.path.isfile(ca) else None)
        handlers: list[Any] = [urllib.request.ProxyHandler({})]  # in-cluster: never a proxy
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self._opener = urllib.request.build_opener(*handlers)

    @staticmethod
    def _server_from_env() -> str:
        host = os.environ.get("KUBERNETES_SERVICE_HOST", "")
        port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
        if not host:
            raise InputError(
                "KUBERNETES_SERVICE_HOST is not set: the agent reads policies from the API "
                "only inside a pod; give it --policy-file elsewhere"
            )
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        return f"https://{host}:{port}"

    def _token(self) -> str:
        with open(os.path.join(self.account_dir, "token"), encoding="utf-8") as handle:
            return handle.read().strip()

    def get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        """GET ``path`` and return the JSON object; HttpStatus for a non-2xx answer."""
        url = self.host + path + (f"?{urlencode(list(query))}" if query else "")
        request = urllib.request.Request(
            url,
            headers={"Authorization": f"Bearer {self._token()}", "Accept": "application/json"},
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                data = response.read()
        except urllib.error.HTTPError as exc:
            raise HttpStatus(exc.code, exc.read().decode("utf-8", "replace")) from None
        return json_object(data, path)

    def close(self) -> None:
        self._opener.close()
