"""Where the node agent gets its policies and its evidence, and one evaluation of both.

Policies: a file (``--policy-file``, every NNCP in it whose nodeSelector matches the node), or
the API as the pod's service account (every NNCP whose nodeSelector matches the node's labels;
a templated one through the node's own NNCE rendering). The API is read with kube/rest.py's
plain client and kube/cluster.py's readers, never with the ``kubernetes`` package: the agent
runs on every node, so its footprint counts once per node.

Evidence: the local kernel, read by the very collection script the SSH and debug-pod
transports run (transport/script.py) under ``sh`` in the agent's own network namespace (the
host's, with ``hostNetwork: true``); or a capture tree (``--from-dir``), for tests and
sosreport-style use. Judging is run.py's: the same verdicts as ``bondcheck verify``.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bondcheck.errors import CollectError, PolicyError
from bondcheck.model import Evidence, NodeFailure, Policy, Rendering, Report
from bondcheck.policy.selector import selector_matches

#: How often the API's policies are read again: NNCPs change at change-window pace, and a
#: fleet of agents listing them every interval would load the API server for nothing.
POLICY_REFRESH_S = 300.0


class PolicySource(Protocol):
    def policies(self) -> list[Policy]: ...

    def rendering(self, policy: Policy) -> Rendering | None: ...


@dataclass
class FilePolicies:
    """Every policy of a file (or only those ``names``, as ``--policy`` picks from a file in
    ``verify``) whose nodeSelector matches ``labels`` (all of them when the node's labels are
    unknown: the file was chosen for this node)."""

    path: str
    labels: Mapping[str, str] | None = None
    names: Sequence[str] = ()

    def policies(self) -> list[Policy]:
        from bondcheck.policy.loader import policies_in_file

        found = [p for p in policies_in_file(self.path) if not self.names or p.name in self.names]
        missing = sorted(set(self.names) - {p.name for p in found})
        if missing:
            raise PolicyError(f"{self.path}: no policy named {missing[0]!r}")
        if self.labels is None:
            return found
        return [p for p in found if selector_matches(p.node_selector, self.labels)]

    def rendering(self, policy: Policy) -> Rendering | None:
        return None  # a file holds no NNCE: a templated policy's node is reported unrendered


@dataclass
class ApiPolicies:
    """The NNCPs that target ``node``, read through ``cluster`` (a Cluster on the agent's
    REST client) and cached for POLICY_REFRESH_S; ``names`` narrows them to named policies."""

    cluster: Any
    node: str
    names: Sequence[str] = ()
    refresh_s: float = POLICY_REFRESH_S
    _cached: list[Policy] = field(default_factory=list)
    _read_at: float | None = None

    def _labels(self) -> Mapping[str, str]:
        obj = self.cluster.api.get(f"/api/v1/nodes/{self.node}")
        return dict((obj.get("metadata") or {}).get("labels") or {})

    def _objects(self) -> list[Mapping[str, Any]]:
        from bondcheck.kube.cluster import GROUP, NNCP_PLURAL, NNCP_VERSIONS
        from bondcheck.kube.rest import HttpStatus

        for version in NNCP_VERSIONS:
            try:
                listing = self.cluster.api.get(f"/apis/{GROUP}/{version}/{NNCP_PLURAL}")
            except HttpStatus as exc:
                if exc.status == 404:
                    continue  # this version is not served: try the next one
                raise
            return list(listing.get("items") or [])
        raise PolicyError("the cluster serves no nmstate.io NNCP API (is nmstate installed?)")

    def policies(self) -> list[Policy]:
        now = time.monotonic()
        if self._read_at is not None and now - self._read_at < self.refresh_s:
            return self._cached
        from bondcheck.policy.loader import policy_from_object

        try:
            labels = self._labels()
            objects = self._objects()
        except (CollectError, PolicyError):
            raise
        except Exception as exc:
            from bondcheck.kube.errors import api_error

            action = f"read the NNCPs for node {self.node}"
            raise api_error(exc, action=action, host=self.cluster.api.host) from None
        found = []
        for obj in objects:
            policy = policy_from_object(obj, source="cluster")
            if self.names and policy.name not in self.names:
                continue
            if selector_matches(policy.node_selector, labels):
                found.append(policy)
        self._cached, self._read_at = found, now
        return found

    def rendering(self, policy: Policy) -> Rendering | None:
        try:
            return Rendering(policy.name, self.cluster.rendered_state(policy, self.node))
        except CollectError:
            return None  # not rendered yet: the node is reported unrendered, not guessed


class EvidenceSource(Protocol):
    def evidence(self, bonds: Sequence[str]) -> Evidence | NodeFailure: ...


@dataclass
class LocalKernel:
    """This node's kernel, read by transport/script.py's collection script under ``sh``."""

    node: str
    timeout: float = 10.0

    def evidence(self, bonds: Sequence[str]) -> Evidence | NodeFailure:
        from bondcheck.transport.script import (
            build_collect_script,
            new_nonce,
            parse_collect_output,
        )

        nonce = new_nonce()
        try:
            script = build_collect_script(bonds, nonce, use_sudo=False)
            proc = subprocess.run(
                ["sh", "-c", script], capture_output=True, text=True, timeout=self.timeout
            )
            return parse_collect_output(
                proc.stdout, nonce, node=self.node, transport="agent", bonds=bonds
            )
        except subprocess.TimeoutExpired:
            message = f"{self.node}: reading the kernel took longer than {self.timeout:g}s"
        except (OSError, ValueError, CollectError) as exc:  # ValueError: a bad bond name
            message = str(exc)
        return NodeFailure(self.node, "agent", message)


@dataclass
class CaptureTree:
    """One node of a capture tree (``collect`` output or a sosreport)."""

    root: str
    node: str

    def evidence(self, bonds: Sequence[str]) -> Evidence | NodeFailure:
        from bondcheck.transport.capture import read_capture

        (item,) = read_capture(self.root, bonds, [self.node])
        return item


def evaluate(policies: PolicySource, source: EvidenceSource) -> list[Report]:
    """One report per policy that targets the node, from one reading of its evidence."""
    from bondcheck.run import build_report, per_node_policies

    chosen = policies.policies()
    bonds = list(dict.fromkeys(b.name for p in chosen for b in p.bonds if not p.templated))
    renderings = {p.name: policies.rendering(p) for p in chosen if p.templated}
    for rendering in renderings.values():
        if rendering is not None:
            bonds.extend(_rendered_bonds(rendering))
    started = time.monotonic()
    item = source.evidence(list(dict.fromkeys(bonds)))
    reports = []
    for policy in chosen:
        this = item
        if isinstance(item, Evidence) and policy.templated:
            this = replace(item, rendering=renderings.get(policy.name))
        items, per_node = per_node_policies(policy, [this])
        report = build_report(policy, items, transport="agent", policies=per_node)
        reports.append(replace(report, duration_s=round(time.monotonic() - started, 4)))
    return reports


def _rendered_bonds(rendering: Rendering) -> list[str]:
    """The bond names of a node's rendered desired state (the bonds to read for it)."""
    interfaces = rendering.desired_state.get("interfaces") or []
    return [
        str(i["name"])
        for i in interfaces
        if isinstance(i, Mapping) and i.get("type") == "bond" and isinstance(i.get("name"), str)
    ]
