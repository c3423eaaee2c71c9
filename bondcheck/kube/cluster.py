"""The policy side of a live cluster: NNCP, the nodes it targets, their NNCEs and NNS.

``Cluster`` reads everything through the official ``kubernetes`` client, built lazily from the
kubeconfig (or the in-cluster service account) by kube/api.py, so that importing this module
costs nothing on the offline path. Every API failure leaves as one line (see kube/errors.py
for which errors exit 2 and which exit 3).

Which nodes a policy targets is computed the way kubernetes-nmstate does it
(``pkg/node/nodes.go``): nodes whose labels equal every ``nodeSelector`` pair *and* that run a
``component=kubernetes-nmstate-handler`` pod. A node that matches the selector but has no
handler is never configured by nmstate; bondcheck leaves it out and says so as a warning,
because that is a deployment choice (the NMState CR's placement), not a bond fault.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bondcheck.errors import CollectError, InputError, PolicyError
from bondcheck.kube.api import (
    DEFAULT_REQUEST_TIMEOUT,
    KubeApi,
    check_node_name,
    dns_subdomain_problem,
    new_api,
)
from bondcheck.kube.errors import api_error, status_of
from bondcheck.model import Enactment, NodeTarget, Policy
from bondcheck.policy.nnce import (
    POLICY_LABEL,
    enactment_from_object,
    enactment_node,
    missing_enactment,
)
from bondcheck.transport.options import TransportOptions

GROUP = "nmstate.io"
NNCP_PLURAL = "nodenetworkconfigurationpolicies"
NNCE_PLURAL = "nodenetworkconfigurationenactments"
NNS_PLURAL = "nodenetworkstates"
#: NNCP versions in the order they are tried: v1 since kubernetes-nmstate v0.57 (2021),
#: v1beta1 before that (still served, deprecated), v1alpha1 in 2019-2020.
NNCP_VERSIONS = ("v1", "v1beta1", "v1alpha1")
#: NNCE and NNS have only ever been served as v1beta1.
STATE_VERSION = "v1beta1"
HANDLER_SELECTOR = "component=kubernetes-nmstate-handler"
#: Where kubernetes-nmstate installs its handler: OpenShift's operator, then upstream.
HANDLER_NAMESPACES = ("openshift-nmstate", "nmstate")


@dataclass(frozen=True)
class NodeSelection:
    """The nodes to verify, and what the user should know about the ones left out."""

    targets: tuple[NodeTarget, ...]
    warnings: tuple[str, ...] = ()


def _selector_string(selector: Mapping[str, str]) -> str:
    return ",".join(f"{key}={value}" for key, value in sorted(selector.items()))


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _node_ready(node: Mapping[str, Any]) -> bool:
    for cond in (node.get("status") or {}).get("conditions") or []:
        if isinstance(cond, Mapping) and cond.get("type") == "Ready":
            return str(cond.get("status")) == "True"
    return False


def _internal_ip(node: Mapping[str, Any]) -> str | None:
    addresses = (node.get("status") or {}).get("addresses") or []
    for wanted in ("InternalIP", "ExternalIP"):
        for addr in addresses:
            if isinstance(addr, Mapping) and addr.get("type") == wanted and addr.get("address"):
                return str(addr["address"])
    return None


class Cluster:
    """Read-only access to the nmstate objects of one cluster; safe to share between threads."""

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        *,
        request_timeout: tuple[float, float] = DEFAULT_REQUEST_TIMEOUT,
        api: Any = None,
    ) -> None:
        """``api``: a ready client with KubeApi's get/host/close (the agent's REST one)."""
        self._kubeconfig = kubeconfig
        self._context = context
        self.request_timeout = request_timeout
        self._api: KubeApi | None = api
        self._lock = threading.Lock()

    @classmethod
    def from_options(cls, opts: TransportOptions) -> Cluster:
        return cls(opts.kubeconfig, opts.context)

    @property
    def api(self) -> KubeApi:
        with self._lock:
            if self._api is None:
                self._api = new_api(self._kubeconfig, self._context, timeout=self.request_timeout)
            return self._api

    def close(self) -> None:
        with self._lock:
            api, self._api = self._api, None
        if api is not None:
            api.close()

    def _get(self, path: str, query: Sequence[tuple[str, str]] = ()) -> dict[str, Any]:
        return self.api.get(path, query)

    def _error(self, exc: BaseException, action: str) -> Exception:
        return api_error(exc, action=action, host=self.api.host)

    @staticmethod
    def _status(exc: BaseException) -> tuple[int, Mapping[str, Any]]:
        """HTTP status and Status body of an ApiException or HttpStatus (0, {} otherwise)."""
        from bondcheck.kube.rest import HttpStatus

        if isinstance(exc, HttpStatus):  # the agent's plain REST client
            return exc.status, status_of(exc.body)
        from kubernetes.client.exceptions import ApiException

        if isinstance(exc, ApiException):
            return int(exc.status or 0), status_of(exc.body)
        return 0, {}

    @staticmethod
    def _object_missing(status: Mapping[str, Any], name: str) -> bool:
        """True for "object not found", False for "this resource is not served" (generic 404).

        The two 404s differ only in the body: the object one names the object in
        ``details.name``; the unknown-path one has empty details.
        """
        details = status.get("details") or {}
        return details.get("name") == name

    # ---------------------------------------------------------------------------- policy

    def policy_object(self, name: str) -> Mapping[str, Any]:
        """The NNCP object as the API returns it, trying v1, then v1beta1, then v1alpha1."""
        problem = dns_subdomain_problem(name)
        if problem:
            raise PolicyError(f"policy name {name[:80]!r} {problem}")
        for version in NNCP_VERSIONS:
            try:
                obj = self._get(f"/apis/{GROUP}/{version}/{NNCP_PLURAL}/{name}")
            except Exception as exc:
                status, body = self._status(exc)
                if status == 404 and self._object_missing(body, name):
                    raise PolicyError(f"NNCP {name} not found") from None
                if status == 404:
                    continue  # this version is not served: try the next one
                raise self._error(exc, f"get NNCP {name}") from None
            return obj
        raise PolicyError(
            f"NNCP {name} not found: the cluster serves no nmstate.io "
            "NodeNetworkConfigurationPolicy API (is kubernetes-nmstate installed?)"
        )

    def get_policy(self, name: str) -> Policy:
        """The named NNCP as a Policy (``source="cluster"``)."""
        from bondcheck.policy.loader import policy_from_object

        return policy_from_object(self.policy_object(name), source="cluster")

    # ---------------------------------------------------------------------------- nodes

    def handler_nodes(self) -> set[str]:
        """The nodes that run an nmstate handler pod.

        Lists cluster-wide first (one request); when that is forbidden, lists the two
        namespaces kubernetes-nmstate installs into. Raises CollectError if every attempt is
        forbidden or fails.
        """
        found: set[str] = set()
        errors: list[Exception] = []
        for namespace in (None, *HANDLER_NAMESPACES):
            try:
                path = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
                pods = self._get(path, [("labelSelector", HANDLER_SELECTOR)])
            except Exception as exc:
                where = f"in namespace {namespace}" if namespace else "in all namespaces"
                errors.append(self._error(exc, f"list nmstate handler pods {where}"))
                continue
            for pod in pods.get("items") or []:
                node = (pod.get("spec") or {}).get("nodeName")
                if node:
                    found.add(node)
            if namespace is None or found:
                return found
        if len(errors) == 1 + len(HANDLER_NAMESPACES):  # not one listing answered
            raise errors[0]
        return found

    def select_nodes(self, policy: Policy, names: Sequence[str] = ()) -> NodeSelection:
        """The nodes ``policy`` targets, or the ``names`` the user asked for.

        Without names: nodes matching ``nodeSelector`` (equality on every pair) that run a
        handler pod. With names: exactly those nodes, each of which must exist (InputError
        otherwise); a named node outside the selector is verified anyway, with a warning.
        """
        from bondcheck.policy.selector import selector_matches

        for name in names:
            check_node_name(name)
        selector = dict(policy.node_selector)
        label_selector = None if names else (_selector_string(selector) or None)
        query = [("labelSelector", label_selector)] if label_selector else []
        try:
            nodes = self._get("/api/v1/nodes", query).get("items") or []
        except Exception as exc:
            raise self._error(exc, "list nodes") from None
        by_name = {str(_meta(node).get("name")): node for node in nodes}
        warnings: list[str] = []
        try:
            handlers: set[str] | None = self.handler_nodes()
        except CollectError as exc:
            handlers = None
            warnings.append(f"cannot tell which nodes run the nmstate handler ({exc})")
        if names:
            unknown = [n for n in dict.fromkeys(names) if n not in by_name]
            if unknown:
                noun = "node" if len(unknown) == 1 else "nodes"
                raise InputError(f"{noun} {', '.join(unknown)} not found")
            chosen = [by_name[n] for n in dict.fromkeys(names)]
        else:
            chosen = sorted(
                (n for n in nodes if selector_matches(selector, _meta(n).get("labels") or {})),
                key=lambda n: str(_meta(n).get("name")),
            )
        targets: list[NodeTarget] = []
        without: list[str] = []
        shown_selector = _selector_string(selector) or "{}"
        for node in chosen:
            name = str(_meta(node).get("name"))
            labels = {str(k): str(v) for k, v in (_meta(node).get("labels") or {}).items()}
            has_handler = handlers is None or name in handlers
            if names and not selector_matches(selector, labels):
                warnings.append(
                    f"node {name} does not match the nodeSelector of {policy.name} "
                    f"({shown_selector}); verifying it as asked"
                )
            if not has_handler:
                without.append(name)
                if names:
                    warnings.append(
                        f"node {name} runs no nmstate handler pod; verifying it as asked"
                    )
                else:
                    warnings.append(
                        f"node {name} matches the nodeSelector but runs no nmstate handler pod: "
                        "nmstate does not configure it, so it is not verified"
                    )
                    continue
            if not _node_ready(node):
                warnings.append(f"node {name} is NotReady: collecting from it will likely fail")
            targets.append(NodeTarget(name=name, address=_internal_ip(node), labels=labels))
        if not names and not targets and not without:
            warnings.append(f"policy {policy.name} matches no node ({shown_selector})")
        return NodeSelection(tuple(targets), tuple(warnings))

    # ---------------------------------------------------------------------------- NNCE

    def _list_enactments(self, policy: str) -> dict[str, Mapping[str, Any]]:
        try:
            resp = self._get(
                f"/apis/{GROUP}/{STATE_VERSION}/{NNCE_PLURAL}",
                [("labelSelector", f"{POLICY_LABEL}={policy}")],
            )
        except Exception as exc:
            status, _ = self._status(exc)
            if status == 404:  # NNCE not served at all: every node is "Missing"
                return {}
            raise self._error(exc, f"list NNCEs of {policy}") from None
        items = resp.get("items") or []
        by_node: dict[str, Mapping[str, Any]] = {}
        for obj in items:
            node = enactment_node(obj, policy)
            if node:
                by_node[node] = obj
        return by_node

    def enactments(self, policy: Policy, nodes: Sequence[str] = ()) -> dict[str, Enactment]:
        """Node -> Enactment for every NNCE of ``policy``, plus "Missing" for each of
        ``nodes`` that has none. Stale NNCEs (older policyGeneration) have ``stale=True``."""
        by_node = self._list_enactments(policy.name)
        result = {
            node: enactment_from_object(
                obj, policy=policy.name, generation=policy.generation, node=node
            )
            for node, obj in sorted(by_node.items())
        }
        for node in nodes:
            if node not in result:
                result[node] = missing_enactment(node, policy.name)
        return result

    def rendered_state(self, policy: Policy, node: str) -> Mapping[str, Any]:
        """The desired state kubernetes-nmstate rendered for ``node`` from a templated policy
        (capture / ``{{ }}``): its NNCE ``status.desiredState``. CollectError when the NNCE
        has not rendered one yet: the bonds expected there are then unknown, not guessed."""
        check_node_name(node)
        name = f"{node}.{policy.name}"
        try:
            obj = self._get(f"/apis/{GROUP}/{STATE_VERSION}/{NNCE_PLURAL}/{name}")
        except Exception as exc:
            status, _ = self._status(exc)
            if status != 404:
                raise self._error(exc, f"get NNCE {name}") from None
            obj = {}  # no NNCE: nothing rendered
        desired = (obj.get("status") or {}).get("desiredState")
        if not isinstance(desired, dict):
            raise CollectError(
                f"{node}: policy {policy.name} is templated and NNCE {name} has no rendered "
                "desiredState yet, so the bonds expected on this node are unknown"
            )
        return desired

    # ---------------------------------------------------------------------------- NNS

    def nns_object(self, node: str) -> Mapping[str, Any]:
        """The node's NodeNetworkState object."""
        check_node_name(node)
        try:
            obj = self._get(f"/apis/{GROUP}/{STATE_VERSION}/{NNS_PLURAL}/{node}")
        except Exception as exc:
            status, _ = self._status(exc)
            if status == 404:
                raise CollectError(
                    f"{node}: no NodeNetworkState (no nmstate handler reports this node)"
                ) from None
            raise self._error(exc, f"get NNS {node}") from None
        return obj
