"""Which nodes an NNCP's nodeSelector targets.

kubernetes-nmstate matches ``spec.nodeSelector`` by plain equality on every key/value pair
(no matchLabels or matchExpressions), and an empty selector targets every node. bondcheck
must pick the same nodes, or it would verify nodes the policy never touched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from bondcheck.model import NodeTarget


def selector_matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """True when every selector pair is present, with the same value, in ``labels``.

    A key that is missing from the labels never matches, even when the selector's value is
    "" (``node-role.kubernetes.io/worker: ""`` requires the label to exist).
    """
    return all(key in labels and labels[key] == value for key, value in selector.items())


def select_nodes(selector: Mapping[str, str], nodes: Iterable[NodeTarget]) -> list[NodeTarget]:
    """The nodes whose labels match ``selector``, in the order given."""
    return [node for node in nodes if selector_matches(selector, node.labels)]
