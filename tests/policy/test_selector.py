"""nodeSelector matching: equality on every pair, as kubernetes-nmstate does it."""

from __future__ import annotations

import pytest

from bondcheck.policy.selector import selector_matches

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
