"""The live half of a verify run: cluster policy, node selection, collection, enactments.

Imported only when a run reaches nodes (``--via``) or reads the policy from the cluster, so
the offline path never loads the kubernetes client or paramiko. What it adds to evidence:

* nodes: ``--node`` names as given for ``--via ssh`` (hosts need not be cluster nodes);
  otherwise the cluster's selection (``nodeSelector`` + a running nmstate handler), whose
  warnings are passed to ``notify``;
* templated policies (capture / ``{{ }}``): each node is judged against the bonds its NNCE
  rendered, and a node whose NNCE has not rendered yet is an ERROR node, not a guess;
* enactments: when the nodes are cluster nodes, each Evidence gets its node's NNCE condition,
  so POLICY-ENACTMENT can judge it. A cluster that will not say is a note, never a crash.

Named nodes on a transport that reaches a node by its name alone (oc/kubectl debug): the first
pods start while the cluster is read. With named nodes the listing only confirms that they
exist and adds warnings, yet it costs the kubernetes client import plus two requests (0.3 s on
an idle machine, about 1 s under load) - a sixth of a whole 2 s pod round. If the listing then
fails (a node that does not exist, no access), the pods in flight are stopped and removed and
the run fails exactly as it would have before collecting.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from bondcheck.errors import BondcheckError, CollectError, InputError
from bondcheck.model import Evidence, NodeFailure, NodeTarget, Policy, Rendering
from bondcheck.policy.desired import node_policy
from bondcheck.policy.selector import Requirement, labels_match, parse_label_selector
from bondcheck.progress import Reporter

if TYPE_CHECKING:
    from bondcheck.kube.cluster import Cluster
    from bondcheck.request import VerifyRequest
    from bondcheck.transport.base import Transport

Notify = Callable[[str], None]
Item = Evidence | NodeFailure


class _Lazy:
    """One Cluster per run, created on first use (building it reads the kubeconfig).

    Thread-safe: node selection may run on a thread of its own (see _Selecting) while the
    run ends early (Ctrl-C, a failed collection); a Cluster built after ``close()`` is
    closed at once and the caller gets CollectError instead of a client nobody closes.
    """

    def __init__(self, request: VerifyRequest) -> None:
        self._request = request
        self._cluster: Cluster | None = None
        self._lock = threading.Lock()
        self._closed = False

    def get(self) -> Cluster:
        with self._lock:
            if self._closed:
                raise CollectError("interrupted: the run is ending")
            if self._cluster is None:
                from bondcheck.kube.cluster import Cluster

                self._cluster = Cluster.from_options(self._request.options)
            return self._cluster

    def close(self) -> None:
        with self._lock:
            self._closed = True
            cluster, self._cluster = self._cluster, None
        if cluster is not None:
            cluster.close()


def cluster_policy(request: VerifyRequest) -> Policy:
    """``--policy NAME`` read from the cluster (no --policy-file)."""
    lazy = _Lazy(request)
    try:
        assert request.policy_name is not None
        with _cluster_needed_for(
            f"--policy {request.policy_name} without --policy-file reads the NNCP from the "
            "cluster; to verify without one pass --policy-file FILE (a capture from "
            "'bondcheck collect' holds it as DIR/policy.yaml)"
        ):
            return lazy.get().get_policy(request.policy_name)
    finally:
        lazy.close()


@contextlib.contextmanager
def _cluster_needed_for(why: str) -> Iterator[None]:
    """A missing kubeconfig also says why a cluster was needed and what to pass instead."""
    try:
        yield
    except InputError as exc:
        if not str(exc).startswith("no kubeconfig found"):
            raise
        raise InputError(f"{exc}; {why}") from None


def _targets(request: VerifyRequest, via: str, policy: Policy, lazy: _Lazy,
             notify: Notify) -> tuple[list[NodeTarget], bool]:  # fmt: skip
    """The nodes to collect, and whether they are cluster nodes (so NNCEs apply)."""
    if via == "ssh" and request.nodes:
        from bondcheck.transport.capture import check_node_name

        if request.selector:
            raise InputError(
                "--selector narrows the cluster's nodes by label; --via ssh --node names "
                "the nodes itself (drop one of them)"
            )
        return [NodeTarget(name=check_node_name(n)) for n in dict.fromkeys(request.nodes)], False
    if via == "ssh":  # the one transport that can do without a cluster
        with _cluster_needed_for(
            "--via ssh without --node finds the policy's nodes in the cluster; "
            "name them with --node NAME instead"
        ):
            selection = lazy.get().select_nodes(policy, list(request.nodes))
    else:
        selection = lazy.get().select_nodes(policy, list(request.nodes))
    for warning in selection.warnings:
        notify(warning)
    targets = list(selection.targets)
    if request.selector and targets:
        requirements = label_requirements(request)
        targets = [t for t in targets if labels_match(requirements, t.labels)]
        if not targets:
            raise InputError(
                f"no node of policy {policy.name} matches "
                f"{request.spelled('selector')} {request.selector}"
            )
    if not targets:
        raise InputError(
            f"no node to verify for policy {policy.name}"
            + (f": {'; '.join(selection.warnings)}" if selection.warnings else "")
        )
    return targets, True


def label_requirements(request: VerifyRequest) -> tuple[Requirement, ...]:
    """The parsed ``--selector``; InputError (exit 2) for a malformed one."""
    try:
        return parse_label_selector(request.selector or "")
    except ValueError as exc:
        raise InputError(f"{request.spelled('selector')}: {exc}") from None


def _per_node_policies(
    policy: Policy, targets: list[NodeTarget], lazy: _Lazy, via: str
) -> tuple[dict[str, Policy], dict[str, Mapping[str, Any]], list[NodeFailure]]:
    """For a templated policy: each node's own policy and the rendering it came from (kept
    with the evidence, so ``collect`` saves it); a node without a usable rendering is a
    failure record, never collected against unrendered templates."""
    if not policy.templated:
        return {}, {}, []
    policies: dict[str, Policy] = {}
    states: dict[str, Mapping[str, Any]] = {}
    failures: list[NodeFailure] = []
    for target in targets:
        try:
            state = lazy.get().rendered_state(policy, target.name)
            where = f"NNCE {target.name}.{policy.name} status.desiredState"
            policies[target.name] = node_policy(policy, state, where=where)
        except BondcheckError as exc:
            failures.append(NodeFailure(target.name, via, str(exc), "unrendered"))
            continue
        states[target.name] = state
    return policies, states, failures


def _attach_states(
    items: list[Item], states: Mapping[str, Mapping[str, Any]], policy: Policy
) -> list[Item]:
    if not states:
        return items
    return [
        replace(i, rendering=Rendering(policy.name, states[i.node]))
        if isinstance(i, Evidence) and i.node in states
        else i
        for i in items
    ]


def _attach_enactments(
    items: list[Item], policy: Policy, lazy: _Lazy, notify: Notify
) -> list[Item]:
    names = [i.node for i in items if isinstance(i, Evidence)]
    if not names:
        return items
    try:
        enactments = lazy.get().enactments(policy, names)
    except BondcheckError as exc:
        notify(f"NNCE conditions not read ({exc}); POLICY-ENACTMENT cannot judge")
        return items
    return [
        replace(i, enactment=enactments.get(i.node))
        if isinstance(i, Evidence) and i.enactment is None
        else i
        for i in items
    ]


class _Selecting:
    """Node selection on a thread of its own, so that collection can start meanwhile.

    Its warnings and its error are handed over on the caller's thread (``settle``), where
    ``notify`` and the reporter live.
    """

    def __init__(self, request: VerifyRequest, via: str, policy: Policy, lazy: _Lazy) -> None:
        self.targets: list[NodeTarget] = []
        self._warnings: list[str] = []
        self._error: BaseException | None = None
        self._done = threading.Event()
        self._settled = False
        self._thread = threading.Thread(
            target=self._select, args=(request, via, policy, lazy), name="bondcheck-select",
            daemon=True,
        )  # fmt: skip
        self._thread.start()

    def _select(self, request: VerifyRequest, via: str, policy: Policy, lazy: _Lazy) -> None:
        try:
            self.targets, _ = _targets(request, via, policy, lazy, self._warnings.append)
        except BaseException as exc:  # handed to the caller's thread by settle()
            self._error = exc
        finally:
            self._done.set()

    def settle(self, notify: Notify, *, wait: bool = False) -> None:
        """Once the selection has finished: pass its warnings on and raise its error (once).

        Without ``wait`` it returns at once while the selection still runs (the fleet runner
        calls it between events)."""
        if wait:
            self._done.wait()
        if self._settled or not self._done.is_set():
            return
        self._settled = True
        for warning in self._warnings:
            notify(warning)
        if self._error is not None:
            raise self._error


def _early_targets(request: VerifyRequest, via: str, policy: Policy,
                   transport: Transport) -> list[NodeTarget] | None:  # fmt: skip
    """The named nodes, when their collection may start before the cluster confirms them."""
    if not request.nodes or via == "ssh" or policy.templated or request.selector:
        # ssh needs no cluster; a templated policy needs each node's rendering, a selector
        # each node's labels
        return None
    if not getattr(transport, "reaches_by_name", False):
        return None
    from bondcheck.kube.api import check_node_name

    return [NodeTarget(name=check_node_name(n)) for n in dict.fromkeys(request.nodes)]


def collect_live(
    request: VerifyRequest,
    via: str,
    policy: Policy,
    reporter: Reporter,
    notify: Notify,
) -> list[Item]:
    """Evidence (or failure records) per node; for a templated NNCP each Evidence carries
    its node's rendered desired state (``run`` judges the node against that)."""
    from bondcheck.fleet import collect_fleet
    from bondcheck.transport.factory import make_transport

    lazy = _Lazy(request)
    transport = make_transport(via, request.options)
    try:
        transport.preflight()
        early = _early_targets(request, via, policy, transport)
        selecting = _Selecting(request, via, policy, lazy) if early is not None else None
        if selecting is None:
            targets, cluster_nodes = _targets(request, via, policy, lazy, notify)
            policies, states, failures = _per_node_policies(policy, targets, lazy, via)
        else:
            assert early is not None
            targets, cluster_nodes, policies, states, failures = early, True, {}, {}, []
        failed = {f.node for f in failures}
        todo = [t for t in targets if t.name not in failed]
        bonds = sorted({b.name for p in [policy, *policies.values()] for b in p.bonds})
        collected = collect_fleet(
            transport,
            todo,
            bonds,
            timeout=request.timeout,
            concurrency=request.concurrency,
            reporter=reporter,
            watch=(lambda: selecting.settle(notify)) if selecting is not None else None,
        )
        if selecting is not None:
            selecting.settle(notify, wait=True)
            targets = selecting.targets
        collected = _attach_states(collected, states, policy)
        if cluster_nodes:
            collected = _attach_enactments(collected, policy, lazy, notify)
        by_node = {item.node: item for item in [*collected, *failures]}
        return [by_node[t.name] for t in targets if t.name in by_node]
    finally:
        try:
            transport.close()
        finally:
            lazy.close()
