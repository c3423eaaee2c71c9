"""Which nodes an NNCP's nodeSelector targets.

kubernetes-nmstate matches ``spec.nodeSelector`` by plain equality on every key/value pair
(no matchLabels or matchExpressions), and an empty selector targets every node. bondcheck
must pick the same nodes, or it would verify nodes the policy never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping


def selector_matches(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """True when every selector pair is present, with the same value, in ``labels``.

    A key that is missing from the labels never matches, even when the selector's value is
    "" (``node-role.kubernetes.io/worker: ""`` requires the label to exist).
    """
    return all(key in labels and labels[key] == value for key, value in selector.items())


#: One requirement of a kubectl label selector: (key, operator, values).
Requirement = tuple[str, str, frozenset[str]]
_LABEL = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?")
_SET = re.compile(r"(\S+)\s+(in|notin)\s*\((.*)\)")


def parse_label_selector(text: str) -> tuple[Requirement, ...]:
    """kubectl's ``-l`` syntax: ``k=v``, ``k==v``, ``k!=v``, ``k in (a,b)``, ``k notin (a,b)``,
    ``k`` (exists) and ``!k`` (does not exist), joined by commas. ValueError names the part
    that is not one of them."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(text[start:at])
            start = at + 1
    parts.append(text[start:])
    requirements: list[Requirement] = []
    for raw in parts:
        part = raw.strip()
        if (match := _SET.fullmatch(part)) is not None:
            key, op = match[1], match[2]
            values = frozenset(v.strip() for v in match[3].split(","))
        elif part.startswith("!"):
            key, op, values = part[1:].strip(), "!", frozenset()
        else:
            for op in ("!=", "==", "="):
                if op in part:
                    key, value = (s.strip() for s in part.split(op, 1))
                    values = frozenset({value})
                    op = "!=" if op == "!=" else "="
                    break
            else:
                key, op, values = part, "exists", frozenset()
        bad_value = next((v for v in values if not _VALUE.fullmatch(v) or len(v) > 63), None)
        if not _LABEL.fullmatch(key) or bad_value is not None:
            raise ValueError(f"{part!r} is not a label selector requirement")
        requirements.append((key, op, values))
    return tuple(requirements)


def labels_match(requirements: Iterable[Requirement], labels: Mapping[str, str]) -> bool:
    """True when ``labels`` meet every requirement, as the API server decides it."""
    for key, op, values in requirements:
        present = key in labels
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
        if op in ("=", "in") and (not present or labels[key] not in values):
            return False
        if op in ("!=", "notin") and present and labels[key] in values:
            return False
    return True
