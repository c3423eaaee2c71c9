"""Turn NNCP documents (nmstate.io/v1, v1beta1, v1alpha1) into Policy objects."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bondcheck.model import Policy


def load_policy_file(path: str, name: str | None = None) -> Policy:
    """Read a YAML file holding one or more NNCPs (documents or a List) and pick one.

    ``name`` selects by metadata.name; without it the file must hold exactly one NNCP.
    Raises PolicyError (naming the field) or InputError (unreadable file, bad YAML).
    """
    raise NotImplementedError


def policy_from_object(obj: Mapping[str, Any], *, source: str) -> Policy:
    """Build a Policy from one NNCP object (a dict as the API or YAML gives it)."""
    raise NotImplementedError
