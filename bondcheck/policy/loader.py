"""Turn NNCP documents (nmstate.io/v1, v1beta1, v1alpha1) into Policy objects.

Policies reach bondcheck in every shape people keep them in: one NNCP per file, several
YAML documents, ``kubectl get nncp -o yaml`` output (a ``kind: List``), and plain nmstate
desired-state files kept next to runbooks. All of them end up in the same Policy, and every
problem is reported as one line naming the file or the field.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bondcheck.errors import InputError, PolicyError
from bondcheck.model import ExpectedBond, Policy
from bondcheck.policy.desired import (
    expected_bonds_from_desired_state,
    has_template,
    unverified_notes,
)
from bondcheck.policy.fields import Fields, type_name
from bondcheck.policy.yamlio import load_yaml_documents

__all__ = [
    "API_VERSIONS",
    "NNCP_KIND",
    "expected_bonds_from_desired_state",
    "load_policy_file",
    "policies_in_file",
    "policy_from_object",
]

NNCP_KIND = "NodeNetworkConfigurationPolicy"
API_VERSIONS = ("nmstate.io/v1", "nmstate.io/v1beta1", "nmstate.io/v1alpha1")


# --------------------------------------------------------------------------------------------
# One NNCP object


def _label(obj: Mapping[str, Any], source: str) -> str:
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, Mapping) else None
    if isinstance(name, str) and name.strip():
        return f"policy {name}"
    return f"policy in {source}"


def _node_selector(raw: object, fields: Fields) -> dict[str, str]:
    selector = fields.mapping(raw, "spec.nodeSelector")
    result = {}
    for key, value in selector.items():
        if not isinstance(key, str) or not key:
            raise fields.error("spec.nodeSelector", f"label keys must be strings, got {key!r}")
        if value is None:  # `role:` with no value: the API stores an empty string
            value = ""
        if not isinstance(value, str):
            raise fields.error(
                f"spec.nodeSelector.{key}",
                f"label values must be strings, got a {type_name(value)} ({value!r}); quote it",
            )
        result[key] = value
    return result


def _generation(raw: object, fields: Fields) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise fields.error("metadata.generation", f"must be a number, got a {type_name(raw)}")
    return raw


def _bonds(desired: Mapping[str, Any], where: str, templated: bool) -> tuple[ExpectedBond, ...]:
    """Bonds of the desired state; for templated state, none when it cannot be read.

    A templated policy's real state is rendered per node into its NNCE, which the cluster
    path reads instead, so a desired state full of ``{{ ... }}`` is not an error there.
    """
    try:
        return expected_bonds_from_desired_state(desired, where=where)
    except PolicyError:
        if templated:
            return ()
        raise


def policy_from_object(obj: Mapping[str, Any], *, source: str) -> Policy:
    """Build a Policy from one NNCP object (a dict as the API or YAML gives it).

    ``source`` is recorded in Policy.source ("cluster" or the file path) and names the
    policy in errors when it has no usable metadata.name.
    """
    if not isinstance(obj, Mapping):
        raise PolicyError(f"{source}: not an NNCP: expected a map, got a {type_name(obj)}")
    label = _label(obj, source)
    fields = Fields(f"{label}:")
    kind = obj.get("kind")
    if kind != NNCP_KIND:
        shown = repr(kind) if kind is not None else "nothing"
        raise fields.error("kind", f"expected {NNCP_KIND}, got {shown}")
    api_version = obj.get("apiVersion")
    if api_version not in API_VERSIONS:
        raise fields.error(
            "apiVersion",
            f"unsupported {api_version!r} (expected one of {', '.join(API_VERSIONS)})",
        )
    metadata = fields.mapping(obj.get("metadata"), "metadata", required=True)
    name = fields.text(metadata.get("name"), "metadata.name", required=True)
    assert name is not None
    generation = _generation(metadata.get("generation"), fields)
    spec = fields.mapping(obj.get("spec"), "spec", required=True)
    selector = _node_selector(spec.get("nodeSelector"), fields)
    capture = fields.mapping(spec.get("capture"), "spec.capture")
    desired = fields.mapping(spec.get("desiredState"), "spec.desiredState", required=True)
    templated = bool(capture) or has_template(desired)
    bonds = _bonds(desired, f"{label}: spec.desiredState", templated)
    return Policy(
        name=name,
        bonds=bonds,
        node_selector=selector,
        generation=generation,
        templated=templated,
        source=source,
        notes=unverified_notes(desired),
        document=obj,
    )


def _policy_from_desired_state(doc: Mapping[str, Any], *, name: str, source: str) -> Policy:
    """A plain nmstate document (top-level ``interfaces:``) as a policy for every node."""
    templated = has_template(doc)
    bonds = _bonds(doc, f"policy {name}:", templated)
    return Policy(
        name=name,
        bonds=bonds,
        templated=templated,
        source=source,
        notes=unverified_notes(doc),
    )


# --------------------------------------------------------------------------------------------
# Files


@dataclass(frozen=True)
class _Candidate:
    """A document of a file that may be a policy; built into a Policy only when chosen."""

    name: str | None
    obj: Mapping[str, Any]
    bare: bool  # a plain nmstate desired state, not an NNCP


#: A real NNCP is a few KiB; a megabyte is hundreds of bonds. Larger is refused before
#: parsing, so no policy file can make a run slow (YAML construction runs at ~1 MB/s).
MAX_POLICY_BYTES = 1024 * 1024


def read_text(path: str, what: str = "policy file") -> str:
    """A policy-sized UTF-8 file (``-`` = stdin), or InputError naming ``what`` in one line."""
    try:
        if path == "-":
            stream = getattr(sys.stdin, "buffer", None)  # a text-only stdin: count characters
            data = (
                stream.read(MAX_POLICY_BYTES + 1)
                if stream is not None
                else sys.stdin.read(MAX_POLICY_BYTES + 1).encode("utf-8")
            )
        else:
            with open(path, "rb") as handle:
                data = handle.read(MAX_POLICY_BYTES + 1)
        if len(data) > MAX_POLICY_BYTES:
            raise InputError(
                f"cannot read {what} {path}: larger than {MAX_POLICY_BYTES // 1024} KiB "
                "(such a file is a few KiB), refused"
            )
        return data.decode("utf-8")
    except FileNotFoundError:
        raise InputError(f"cannot read {what} {path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"cannot read {what} {path}: it is a directory") from None
    except PermissionError:
        raise InputError(f"cannot read {what} {path}: permission denied") from None
    except UnicodeDecodeError:
        raise InputError(f"cannot read {what} {path}: not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None


def _stem(path: str) -> str:
    return "stdin" if path == "-" else Path(path).stem


def _candidates(docs: list[Any], path: str) -> tuple[list[_Candidate], list[str]]:
    """NNCPs and bare desired states of a file, plus the kinds of everything else."""
    found: list[_Candidate] = []
    others: list[str] = []

    def visit(doc: object) -> None:
        if doc is None:
            return
        if isinstance(doc, list):  # a YAML list of objects, like the items of a List
            for item in doc:
                visit(item)
            return
        if not isinstance(doc, Mapping):
            others.append(f"a {type_name(doc)}")
            return
        kind = doc.get("kind")
        if isinstance(kind, str) and kind.endswith("List") and isinstance(doc.get("items"), list):
            for item in doc["items"]:
                visit(item)
        elif kind == NNCP_KIND:
            metadata = doc.get("metadata")
            name = metadata.get("name") if isinstance(metadata, Mapping) else None
            found.append(_Candidate(name if isinstance(name, str) else None, doc, bare=False))
        elif kind is None and "apiVersion" not in doc and "interfaces" in doc:
            found.append(_Candidate(_stem(path), doc, bare=True))
        else:
            others.append(str(kind) if kind is not None else "a map without 'kind'")

    for doc in docs:
        visit(doc)
    return found, others


def _build(candidate: _Candidate, path: str, name: str | None = None) -> Policy:
    if candidate.bare:
        return _policy_from_desired_state(
            candidate.obj, name=name or candidate.name or _stem(path), source=path
        )
    return policy_from_object(candidate.obj, source=path)


def _file_candidates(path: str) -> list[_Candidate]:
    docs = load_yaml_documents(read_text(path), source=path)
    found, others = _candidates(docs, path)
    if not found:
        what = f"found {', '.join(dict.fromkeys(others))}" if others else "the file is empty"
        raise PolicyError(f"{path}: not an NNCP: holds no {NNCP_KIND} ({what})")
    return found


def _names(candidates: list[_Candidate]) -> str:
    return ", ".join(c.name or "<unnamed>" for c in candidates)


def load_policy_file(path: str, name: str | None = None) -> Policy:
    """Read a YAML file holding one or more NNCPs (documents or a List) and pick one.

    ``name`` selects by metadata.name; without it the file must hold exactly one NNCP.
    A plain nmstate desired state (top-level ``interfaces:``) is a policy named after the
    file stem (or after ``name`` when it is the file's only document). Only the chosen
    policy is validated, so one broken policy does not block its neighbours in a file.
    Raises PolicyError (naming the field) or InputError (unreadable file, bad YAML).
    """
    candidates = _file_candidates(path)
    if name is None:
        if len(candidates) > 1:
            raise PolicyError(
                f"{path}: holds {len(candidates)} policies ({_names(candidates)}); "
                "choose one by name (--policy NAME)"
            )
        return _build(candidates[0], path)
    chosen = [c for c in candidates if c.name == name]
    if not chosen and len(candidates) == 1 and candidates[0].bare:
        return _build(candidates[0], path, name=name)
    if not chosen:
        raise PolicyError(
            f"{path}: no policy named {name!r} (the file holds: {_names(candidates)})"
        )
    if len(chosen) > 1:
        raise PolicyError(f"{path}: holds {len(chosen)} policies named {name!r}")
    return _build(chosen[0], path)


def policies_in_file(path: str) -> list[Policy]:
    """Every policy of a file, in file order (all validated; the first problem is raised)."""
    return [_build(candidate, path) for candidate in _file_candidates(path)]
