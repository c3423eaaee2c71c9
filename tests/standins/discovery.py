"""Discovery documents for the API server stand-in: what ``kubectl`` asks before anything else.

kubectl 1.32 first asks ``/api`` and ``/apis`` for the aggregated discovery documents
(``Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,…``). An API
server of 1.30 or later (the stand-in reports 1.32 to the real kubectl) answers them in that
form, ``Content-Type: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList``,
every group's resources in one document, so kubectl needs no per-group request. A client that
does not ask for it gets the legacy ``APIVersions`` / ``APIGroupList`` and then the per-group
resource lists (``/api/v1``, ``/apis/nmstate.io/v1``), as every server still serves them. Both
forms are built from the same resource lists below.

Found with the real kubectl: the stand-in first served the legacy form only, which a 1.32
server never sends kubectl; kubectl fell back to it silently (two more requests per run).
"""

from __future__ import annotations

from typing import Any

API_VERSIONS = {
    "kind": "APIVersions",
    "versions": ["v1"],
    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}],
}


def group_versions(nncp_versions: tuple[str, ...]) -> list[str]:
    """The served nmstate.io versions, preferred first: the NNCP's, and v1beta1, the only
    version of NodeNetworkConfigurationEnactment and NodeNetworkState."""
    return [*nncp_versions, *(["v1beta1"] if "v1beta1" not in nncp_versions else [])]


def api_group_list(nncp_versions: tuple[str, ...]) -> dict[str, Any]:
    versions = [{"groupVersion": f"nmstate.io/{v}", "version": v}
                for v in group_versions(nncp_versions)]  # fmt: skip
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


def nmstate_resources(version: str, nncp_versions: tuple[str, ...]) -> dict[str, Any]:
    """nmstate.io/VERSION's resources: the NNCP where ``nncp_versions`` serves it, NNCE and
    NNS in v1beta1 only (kubernetes-nmstate's CRDs). Found with the real kubectl: the stand-in
    listed all three in every version, so ``kubectl get nnce`` asked nmstate.io/v1 and got 404.
    """
    read = ["get", "list", "watch"]
    resources = []
    if version in nncp_versions:
        resources.append(
            _resource(
                "nodenetworkconfigurationpolicies",
                "NodeNetworkConfigurationPolicy",
                False,
                read,
                ["nncp"],
            )
        )
    if version == "v1beta1":
        resources += [
            _resource(
                "nodenetworkconfigurationenactments",
                "NodeNetworkConfigurationEnactment",
                False,
                read,
                ["nnce"],
            ),
            _resource("nodenetworkstates", "NodeNetworkState", False, read, ["nns"]),
        ]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": f"nmstate.io/{version}",
            "resources": resources}  # fmt: skip


AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def _aggregated_version(resources: dict[str, Any]) -> dict[str, Any]:
    """One APIVersionDiscovery from a legacy APIResourceList: subresources (``pods/attach``)
    move under their resource, as apidiscovery.k8s.io/v2 nests them."""
    group_version = resources["groupVersion"]
    group, _, version = group_version.rpartition("/")
    out: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    for res in resources["resources"]:
        name, _, sub = res["name"].partition("/")
        kind = {"group": group, "version": version, "kind": res["kind"]}
        if sub:
            by_name[name].setdefault("subresources", []).append(
                {"subresource": sub, "responseKind": kind, "verbs": res["verbs"]}
            )
            continue
        scope = "Namespaced" if res["namespaced"] else "Cluster"
        doc = {"resource": name, "responseKind": kind, "singularResource": res["singularName"],
               "scope": scope, "verbs": res["verbs"]}  # fmt: skip
        if res.get("shortNames"):
            doc["shortNames"] = res["shortNames"]
        by_name[name] = doc
        out.append(doc)
    return {"version": version, "resources": out, "freshness": "Current"}


def aggregated(path: str, accept: str, nncp_versions: tuple[str, ...]) -> dict[str, Any] | None:
    """The aggregated discovery document (apidiscovery.k8s.io/v2) for ``/api`` or ``/apis``
    when the Accept header asks for it, else None."""
    wanted = "g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
    if path not in ("/api", "/apis") or wanted not in accept.replace(" ", ""):
        return None
    if path == "/api":
        groups = [{"metadata": {"creationTimestamp": None},
                   "versions": [_aggregated_version(CORE_V1)]}]  # fmt: skip
    else:
        versions = [_aggregated_version(nmstate_resources(v, nncp_versions))
                    for v in group_versions(nncp_versions)]  # fmt: skip
        groups = [{"metadata": {"name": "nmstate.io", "creationTimestamp": None},
                   "versions": versions}]  # fmt: skip
    return {"kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2",
            "metadata": {}, "items": groups}  # fmt: skip
