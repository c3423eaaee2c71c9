"""Discovery documents for the API server stand-in: what ``kubectl`` asks before anything else.

kubectl 1.32 first asks ``/api`` and ``/apis`` for the aggregated discovery documents
(``Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList``); a server
that answers with the legacy ``APIVersions`` / ``APIGroupList`` (as API servers before 1.26
do) makes it fall back to per-group resource lists (``/api/v1``, ``/apis/nmstate.io/v1``).
The stand-in serves that legacy form: it is a real server's behaviour, and the smallest one
that lets kubectl map ``node/NAME`` and ``pods`` to their resources.
"""

from __future__ import annotations

from typing import Any

API_VERSIONS = {
    "kind": "APIVersions",
    "versions": ["v1"],
    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
}


def api_group_list(nncp_versions: tuple[str, ...]) -> dict[str, Any]:
    versions = [{"groupVersion": f"nmstate.io/{v}", "version": v} for v in nncp_versions]
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [{"name": "nmstate.io", "versions": versions, "preferredVersion": versions[0]}],
    }


def _resource(
    name: str, kind: str, namespaced: bool, verbs: list[str], short: list[str] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": name,
        "singularName": kind.lower() if "/" not in name else "",
        "namespaced": namespaced,
        "kind": kind,
        "verbs": verbs,
    }
    if short:
        doc["shortNames"] = short
    return doc


CORE_V1 = {
    "kind": "APIResourceList",
    "groupVersion": "v1",
    "resources": [
        _resource("nodes", "Node", False, ["get", "list", "watch"], ["no"]),
        _resource("pods", "Pod", True, ["create", "delete", "get", "list", "watch"], ["po"]),
        _resource("pods/attach", "PodAttachOptions", True, ["create", "get"]),
        _resource("pods/exec", "PodExecOptions", True, ["create", "get"]),
        _resource("pods/log", "Pod", True, ["get"]),
        _resource("namespaces", "Namespace", False, ["get", "list"], ["ns"]),
    ],
}


def nmstate_resources(version: str) -> dict[str, Any]:
    read = ["get", "list", "watch"]
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"nmstate.io/{version}",
        "resources": [
            _resource("nodenetworkconfigurationpolicies", "NodeNetworkConfigurationPolicy",
                      False, read, ["nncp"]),
            _resource("nodenetworkconfigurationenactments", "NodeNetworkConfigurationEnactment",
                      False, read, ["nnce"]),
            _resource("nodenetworkstates", "NodeNetworkState", False, read, ["nns"]),
        ],
    }  # fmt: skip
