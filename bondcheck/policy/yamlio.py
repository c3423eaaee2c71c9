"""YAML reading for policy files, with the surprises of YAML 1.1 removed.

PyYAML implements YAML 1.1, where an unquoted ``52:54:00:12:34:56`` is a base-60 integer
and duplicate keys silently overwrite each other. Kubernetes reads manifests as YAML 1.2-ish
JSON and rejects duplicate keys in strict mode, so a policy that kubectl applies as intended
could mean something else here. This loader drops the base-60 forms and refuses duplicate
keys, and every error carries the line so the user can find it.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from bondcheck.errors import InputError

_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"


#: libyaml's parser when PyYAML has it (its wheels and Debian's python3-yaml do): linear and
#: ~10x faster on a large policy; the constructor and resolvers below stay PyYAML's.
_BASE: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: What one policy document may hold once its aliases are expanded, and how deep it may nest:
#: far beyond any real NNCP, far below what an alias bomb or a nesting bomb needs.
MAX_NODES = 1_000_000
MAX_DEPTH = 100


class _StrictLoader(_BASE):  # type: ignore[misc, valid-type]
    """SafeLoader without base-60 numbers and with duplicate keys as an error."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:  # unhashable key: SafeConstructor reports it
                continue
            if first is not None:
                raise ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first given on line {first})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(_INT_TAG, _INT, list("-+0123456789"))
_StrictLoader.add_implicit_resolver(_FLOAT_TAG, _FLOAT, list("-+0123456789."))


def _children(node: Node) -> list[Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _check_size(root: Node, source: str) -> None:
    """InputError when a document, with every alias expanded, holds more than MAX_NODES nodes
    or nests deeper than MAX_DEPTH. Linear in the composed graph and iterative (depth never
    reaches the interpreter's recursion limit); a document without aliases, the usual case,
    is one walk."""
    seen: set[int] = set()
    stack = [(root, 1)]
    shared = False
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(f"{source}: the YAML nests deeper than {MAX_DEPTH} levels, refused")
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        if len(seen) > MAX_NODES:
            raise InputError(f"{source}: the YAML holds more than {MAX_NODES} nodes, refused")
        stack.extend((child, depth + 1) for child in _children(node))
    if shared:
        _check_expanded(root, source)


def _check_expanded(root: Node, source: str) -> None:
    """Size and depth with aliases expanded, each node computed once (post-order)."""
    done: dict[int, tuple[int, int]] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if id(node) in done:
            continue
        children = _children(node)
        if not ready:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in done)
            continue
        size = 1 + sum(done[id(c)][0] for c in children)
        depth = 1 + max((done[id(c)][1] for c in children), default=0)
        if size > MAX_NODES:
            raise InputError(
                f"{source}: the YAML expands to more than {MAX_NODES} nodes (aliases), refused"
            )
        if depth > MAX_DEPTH:
            raise InputError(f"{source}: the YAML nests deeper than {MAX_DEPTH} levels, refused")
        done[id(node)] = (size, depth)


def load_yaml_documents(text: str, *, source: str) -> list[Any]:
    """Every document of a YAML stream (empty ones as None); InputError with the line.

    Each document is composed, sized (see _check_size) and only then constructed, so an
    alias bomb or a nesting bomb is refused before anything walks it."""
    loader = _StrictLoader(text)
    docs: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            _check_size(node, source)
            docs.append(loader.construct_document(node))
        return docs
    except RecursionError:
        raise InputError(f"{source}: the YAML nests too deeply, refused") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = exc.problem or exc.context or "syntax error"
        raise InputError(f"{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise InputError(f"{source}: invalid YAML: {message}") from None
    finally:
        loader.dispose()
