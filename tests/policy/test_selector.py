"""nodeSelector matching: equality on every pair, as kubernetes-nmstate does it."""

from __future__ import annotations

import pytest

from bondcheck.model import NodeTarget
from bondcheck.policy.selector import select_nodes, selector_matches

WORKER = "node-role.kubernetes.io/worker"


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({}, {}, True),
        ({}, {WORKER: ""}, True),
        ({WORKER: ""}, {WORKER: ""}, True),
        ({WORKER: ""}, {WORKER: "", "kubernetes.io/os": "linux"}, True),
        ({WORKER: ""}, {"node-role.kubernetes.io/master": ""}, False),
        ({WORKER: ""}, {}, False),  # "" requires the key to exist
        ({WORKER: ""}, {WORKER: "true"}, False),
        ({"rack": "a", WORKER: ""}, {"rack": "a", WORKER: ""}, True),
        ({"rack": "a", WORKER: ""}, {"rack": "b", WORKER: ""}, False),
        ({"rack": "a", WORKER: ""}, {"rack": "a"}, False),
        ({"Rack": "a"}, {"rack": "a"}, False),  # keys are case-sensitive
        ({"rack": "A"}, {"rack": "a"}, False),  # and so are values
    ],
)
def test_selector_matches(selector: dict[str, str], labels: dict[str, str], expected: bool) -> None:
    assert selector_matches(selector, labels) is expected


def test_select_nodes_keeps_order_and_filters() -> None:
    nodes = [
        NodeTarget("worker-2", labels={WORKER: "", "rack": "b"}),
        NodeTarget("master-0", labels={"node-role.kubernetes.io/master": ""}),
        NodeTarget("worker-0", labels={WORKER: "", "rack": "a"}),
        NodeTarget("worker-1", labels={WORKER: "", "rack": "a"}),
        NodeTarget("bare"),
    ]
    assert [n.name for n in select_nodes({WORKER: ""}, nodes)] == [
        "worker-2",
        "worker-0",
        "worker-1",
    ]
    assert [n.name for n in select_nodes({WORKER: "", "rack": "a"}, nodes)] == [
        "worker-0",
        "worker-1",
    ]
    assert [n.name for n in select_nodes({}, nodes)] == [n.name for n in nodes]
    assert select_nodes({"rack": "c"}, nodes) == []


def test_select_nodes_accepts_any_iterable() -> None:
    nodes = (NodeTarget(f"n{i}", labels={"i": str(i % 2)}) for i in range(5))
    assert [n.name for n in select_nodes({"i": "1"}, nodes)] == ["n1", "n3"]
