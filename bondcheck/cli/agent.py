"""``bondcheck agent``: run on one node (a DaemonSet pod), judge it every interval, serve metrics.

The options are few on purpose: the pod spec sets them once (docs/incluster.md). The node
name comes from the downward API (``BONDCHECK_NODE`` from ``spec.nodeName``), policies from
the API as the pod's service account unless ``--policy-file`` is given, evidence from the
local kernel unless ``--from-dir`` names a capture tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bondcheck.cli.common import duration_opt, opt
from bondcheck.cli.selection_opts import PolicyFile
from bondcheck.errors import InputError


def agent(
    node: Annotated[
        str | None,
        opt("--node", help="This node's name (in a pod: from the downward API's spec.nodeName)."),
    ] = None,
    policy: Annotated[
        list[str] | None,
        opt(
            "--policy", help="Judge only this NNCP (repeatable; default: every NNCP for the node)."
        ),
    ] = None,
    policy_file: PolicyFile = None,
    from_dir: Annotated[
        Path | None,
        opt("--from-dir", help="Judge the node's evidence in this capture tree, not the kernel."),
    ] = None,
    interval: Annotated[
        float, duration_opt("--interval", help="Time between evaluations (30s, 1m, seconds).")
    ] = 60.0,
    listen: Annotated[
        str, opt("--listen", help="Address for /metrics and /healthz: HOST:PORT or :PORT.")
    ] = ":9808",
    api_server: Annotated[
        str | None,
        opt(
            "--api-server",
            help="Kubernetes API URL (default: the pod's KUBERNETES_SERVICE_HOST/_PORT).",
        ),
    ] = None,
    service_account_dir: Annotated[
        Path,
        opt("--service-account-dir", help="Where the pod's token and ca.crt are mounted."),
    ] = Path("/var/run/secrets/kubernetes.io/serviceaccount"),
) -> None:
    """Judge this node every --interval and serve the verdicts as Prometheus metrics.

    Serves /metrics (the families of docs/metrics.md) and /healthz. Stops cleanly (exit 0) on
    SIGTERM. Exit 2 when it cannot start: no node name, a bad --listen, no policy source.
    """
    from bondcheck.agent.serve import Agent, parse_listen
    from bondcheck.agent.sources import ApiPolicies, CaptureTree, FilePolicies, LocalKernel
    from bondcheck.kube.api import check_node_name

    if not node:
        raise InputError("say which node this is: --node NAME (in a pod: BONDCHECK_NODE)")
    check_node_name(node)
    address = parse_listen(listen)
    policies: FilePolicies | ApiPolicies
    if policy_file is not None:
        if policy:
            raise InputError(
                "--policy narrows the cluster's NNCPs; with --policy-file, edit the file"
            )
        policies = FilePolicies(str(policy_file))
        policies.policies()  # a bad file is exit 2 now, not an error every interval
    else:
        from bondcheck.kube.cluster import Cluster
        from bondcheck.kube.rest import ServiceAccountApi

        api = ServiceAccountApi(api_server, str(service_account_dir))
        policies = ApiPolicies(Cluster(api=api), node, tuple(policy or ()))
    source = CaptureTree(str(from_dir), node) if from_dir is not None else LocalKernel(node)
    raise typer.Exit(Agent(policies, source, interval=interval).run(address))
