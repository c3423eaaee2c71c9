"""Kubernetes failures as one-line bondcheck errors, with no secret in them.

Exit-code policy (documented in docs/transports.md):

* the user's input is wrong -> InputError / PolicyError (exit 2): no kubeconfig at all, an
  unreadable or malformed kubeconfig, an unknown context, an invalid name, an NNCP or node
  that does not exist;
* the cluster did not let us read -> CollectError (exit 3): 401, 403, 5xx, connection
  refused, TLS failures, timeouts. Retrying later or fixing access helps; editing the command
  does not.

No message built here ever contains a token: API errors are rendered from the Status
``message`` only (never from ``str(ApiException)``, which includes headers), and anything else
is passed through ``scrub``.
"""

from __future__ import annotations

import json
import re
import socket
import ssl
import urllib.error
from collections.abc import Mapping
from typing import Any

from bondcheck.errors import BondcheckError, CollectError

UNAUTHORIZED = "unauthorized: log in again (oc login / check the kubeconfig token)"


_BEARER = re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]{6,}")
_KEYED = re.compile(
    r"(?i)\b((?:token|authorization|password)[\"']?\s*[:=]\s*[\"']?)"
    r"(?!bearer\b)(?!<redacted>)[A-Za-z0-9._~+/=\-]{6,}"
)
_OCTOKEN = re.compile(r"sha256~[A-Za-z0-9_\-]{10,}")


def scrub(text: str) -> str:
    """Remove anything that looks like a bearer token or password from ``text``."""
    text = _BEARER.sub(lambda m: m.group(1) + "<redacted>", text)
    text = _KEYED.sub(lambda m: m.group(1) + "<redacted>", text)
    return _OCTOKEN.sub("sha256~<redacted>", text)


def status_of(body: str | bytes | None) -> Mapping[str, Any]:
    """The ``kind: Status`` object of an error body, or {} when the body is not one."""
    if not body:
        return {}
    try:
        obj = json.loads(body)
    except (ValueError, TypeError):
        return {}
    return obj if isinstance(obj, dict) else {}


_FORBIDDEN = re.compile(
    r'User "(?P<user>[^"]*)" cannot (?P<verb>\S+) resource "(?P<resource>[^"]+)"'
    r'(?: in API group "(?P<group>[^"]*)")?'
    r'(?P<scope> at the cluster scope| in the namespace "(?P<ns>[^"]*)")?'
)


def forbidden_message(status_message: str) -> str:
    """``forbidden: <user> cannot <verb> <resource>[.group] ...`` from an RBAC Status message.

    Messages that are not RBAC denials (admission, SCC) are kept, shortened to one line.
    """
    match = _FORBIDDEN.search(status_message)
    if not match:
        first = status_message.strip().splitlines()[0] if status_message.strip() else ""
        return f"forbidden: {scrub(first)[:300]}".rstrip(": ")
    resource = match["resource"]
    if match["group"]:
        resource = f"{resource}.{match['group']}"
    where = ""
    if match["ns"] is not None:
        where = f" in namespace {match['ns']}"
    elif match["scope"]:
        where = " at the cluster scope"
    return f"forbidden: {match['user']} cannot {match['verb']} {resource}{where}"


def http_error(status: int, body: str | bytes | None, *, action: str) -> CollectError:
    """The one-line CollectError for a failed request (401, 403, 5xx, anything not handled)."""
    status_obj = status_of(body)
    message = str(status_obj.get("message") or "")
    if status == 401:
        return CollectError(UNAUTHORIZED)
    if status == 403:
        return CollectError(forbidden_message(message or f"cannot {action}"))
    detail = scrub(message.splitlines()[0])[:200] if message else f"HTTP {status}"
    if status >= 500:
        return CollectError(f"Kubernetes API error while trying to {action}: {detail} ({status})")
    return CollectError(f"cannot {action}: {detail} ({status})")


def api_error(exc: BaseException, *, action: str, host: str = "") -> BondcheckError:
    """Translate whatever the kubernetes client raised into a one-line bondcheck error.

    ``action`` says what we were doing ("get NNCP bond0-lacp") so the line stands alone.
    Callers handle 404 themselves where it means something (policy or node not found).
    """
    if isinstance(exc, BondcheckError):
        return exc
    from bondcheck.kube.rest import HttpStatus

    if isinstance(exc, HttpStatus):  # the agent's plain REST client
        return http_error(exc.status, exc.body, action=action)
    if isinstance(exc, (urllib.error.URLError, TimeoutError)):
        return _stdlib_error(exc, action=action, host=host)
    from kubernetes.client.exceptions import ApiException

    if isinstance(exc, ApiException):
        status = int(exc.status or 0)
        if status == 0:  # raised by the websocket layer: reason holds the handshake failure
            return websocket_error(str(exc.reason or ""), action=action, host=host)
        return http_error(status, exc.body, action=action)
    return transport_error(exc, action=action, host=host)


def _stdlib_error(exc: BaseException, *, action: str, host: str) -> CollectError:
    """urllib's failures (the agent's client) as the same lines as transport_error's."""
    where = host or "the Kubernetes API"
    reason: BaseException = exc
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        reason = exc.reason
    if isinstance(reason, ssl.SSLError):
        return CollectError(f"TLS error talking to {where}: {_short(reason)}")
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return CollectError(f"{where} did not answer in time while trying to {action}")
    if isinstance(reason, ConnectionRefusedError):
        return CollectError(f"cannot reach {where} (connection refused) while trying to {action}")
    return CollectError(f"cannot reach {where} ({_short(reason)}) while trying to {action}")


def transport_error(exc: BaseException, *, action: str, host: str) -> CollectError:
    """Connection refused, DNS, TLS and timeout failures, as one line."""
    import urllib3.exceptions as u3

    where = host or "the Kubernetes API"
    reason: BaseException = exc
    if isinstance(exc, u3.MaxRetryError) and exc.reason is not None:
        reason = exc.reason
    if isinstance(reason, u3.SSLError) or "SSL" in type(reason).__name__:
        return CollectError(
            f"TLS error talking to {where}: {_short(reason)} "
            "(check certificate-authority in the kubeconfig)"
        )
    # NewConnectionError subclasses ConnectTimeoutError in urllib3: test it first.
    if isinstance(reason, (u3.NewConnectionError, ConnectionError, u3.ProtocolError)):
        text = str(reason).lower()
        why = "connection refused" if "refused" in text else _short(reason)
        return CollectError(f"cannot reach {where} ({why}) while trying to {action}")
    if isinstance(reason, (u3.ConnectTimeoutError, u3.ReadTimeoutError, TimeoutError)):
        return CollectError(f"{where} did not answer in time while trying to {action}")
    return CollectError(f"cannot {action}: {_short(reason)}")


_HANDSHAKE = re.compile(r"Handshake status (\d+)")


def websocket_error(reason: str, *, action: str, host: str) -> CollectError:
    """Errors the client reports with status 0: a failed exec handshake, TLS, a dead socket.

    websocket-client renders a failed handshake as
    ``Handshake status 403 Forbidden -+-+- {headers} -+-+- {body}``; only the status code and
    the Status body are used, never the headers.
    """
    match = _HANDSHAKE.search(reason)
    if match:
        body = reason.rsplit("-+-+- ", 1)[-1] if "-+-+- " in reason else ""
        return http_error(int(match.group(1)), body, action=action)
    lowered = reason.lower()
    where = host or "the Kubernetes API"
    if "ssl" in lowered or "certificate" in lowered:
        detail = next((ln for ln in reason.splitlines()[1:] if ln.strip()), reason)
        detail = re.sub(r"\s*\(Caused by .*$", "", detail)
        return CollectError(
            f"TLS error talking to {where}: {scrub(detail)[:160]} "
            "(check certificate-authority in the kubeconfig)"
        )
    if "refused" in lowered:
        return CollectError(f"cannot reach {where} (connection refused) while trying to {action}")
    if "timed out" in lowered:
        return CollectError(f"{where} did not answer in time while trying to {action}")
    first = reason.splitlines()[0] if reason else "unknown error"
    return CollectError(f"cannot {action}: {scrub(first)[:200]}")


def _short(exc: BaseException) -> str:
    text = str(exc)
    # urllib3 prefixes "<urllib3.connection.HTTPConnection object at 0x...>: "
    text = re.sub(r"^<[^>]*>:\s*", "", text)
    text = re.sub(r"\s*\(Caused by .*$", "", text)
    return scrub(text.splitlines()[0] if text else type(exc).__name__)[:200]
