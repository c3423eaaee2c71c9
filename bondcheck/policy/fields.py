"""One-line policy errors that name the field, e.g.
``policy worker-bond: spec.desiredState.interfaces[0].link-aggregation.mode: unknown ...``.

A user fixing a policy needs the exact path into the YAML, not a traceback; every check in
the loader goes through ``Fields`` so the messages all look the same.
"""

from __future__ import annotations

from collections.abc import Mapping

from bondcheck.errors import PolicyError
from bondcheck.ifname import ifname_problem


def join_path(where: str, rel: str) -> str:
    """``where`` followed by the relative field path ``rel``.

    ``where`` is either a label plus a path ("policy x: spec.desiredState"), joined with a
    dot, or a bare label ending in ":" ("policy x:"), joined with a space.
    """
    if not rel:
        return where
    if not where:
        return rel
    if where.endswith(":"):
        return f"{where} {rel}"
    if rel.startswith("["):
        return f"{where}{rel}"
    return f"{where}.{rel}"


def type_name(value: object) -> str:
    """How a YAML value's type is called in messages (map, list, string, number, ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "map"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


class Fields:
    """Builds PolicyErrors for fields below one location of a policy."""

    def __init__(self, where: str) -> None:
        self.where = where

    def path(self, rel: str) -> str:
        return join_path(self.where, rel)

    def error(self, rel: str, message: str) -> PolicyError:
        return PolicyError(f"{self.path(rel)}: {message}")

    def mapping(self, value: object, rel: str, *, required: bool = False) -> Mapping[str, object]:
        """``value`` as a map; {} when absent (unless required); PolicyError otherwise."""
        if value is None:
            if required:
                raise self.error(rel, "missing")
            return {}
        if not isinstance(value, Mapping):
            raise self.error(rel, f"must be a map, got a {type_name(value)}")
        return value

    def ifname(self, value: object, rel: str) -> str:
        """``value`` if it is a valid interface name; PolicyError naming the problem."""
        problem = ifname_problem(value)
        if problem:
            shown = repr(value) if isinstance(value, str) else f"a {type_name(value)}"
            raise self.error(rel, f"{shown} is not a valid interface name: it {problem}")
        assert isinstance(value, str)
        return value

    def text(self, value: object, rel: str, *, required: bool = False) -> str | None:
        """``value`` as a non-empty string, None when absent (unless required)."""
        if value is None:
            if required:
                raise self.error(rel, "missing")
            return None
        if not isinstance(value, str):
            raise self.error(rel, f"must be a string, got a {type_name(value)}")
        if not value.strip():
            raise self.error(rel, "is empty")
        return value
