"""kubectl's label selector syntax (-l/--selector), parsed and matched as the API server does."""

from __future__ import annotations

import pytest

from bondcheck.policy.selector import labels_match, parse_label_selector

LABELS = {"zone": "a", "gpu": "1", "env": "prod", "node-role.kubernetes.io/worker": ""}


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ("zone=a", True),
        ("zone==a", True),
        ("zone!=a", False),
        ("zone!=b", True),
        ("missing!=b", True),
        ("zone in (a, b)", True),
        ("zone notin (a,b)", False),
        ("missing notin (a)", True),
        ("gpu", True),
        ("!gpu", False),
        ("!spot", True),
        ("node-role.kubernetes.io/worker=", True),
        ("zone in (a,b),env=prod,!spot", True),
        ("zone in (a,b),env=dev", False),
    ],
)
def test_requirements_match_like_the_api_server(selector: str, matches: bool) -> None:
    assert labels_match(parse_label_selector(selector), LABELS) is matches


@pytest.mark.parametrize("selector", ["", "a b", "=x", "k=v=w", "k in a", "k in (a b)", "-k=v"])
def test_malformed_selectors_are_refused(selector: str) -> None:
    with pytest.raises(ValueError, match="is not a label selector requirement"):
        parse_label_selector(selector)
