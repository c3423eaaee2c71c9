"""The expected cabling map (``--cabling FILE``): which switch port each node port should reach.

```yaml
require_distinct_switches: true    # optional: a bond's ports must reach >= 2 switches
nodes:
  worker-0:                        # a node name, or a pattern: "worker-*", "rack1-*"
    ens224: {switch: leaf-1, port: Ethernet1/7}
    ens256: {switch: leaf-2, port: Ethernet1/7}
```

``switch`` matches the neighbour's LLDP system name or chassis ID, ``port`` its port ID or
port description (``port`` may be left out to check the switch only). The first node entry
that matches a node applies. The file is read by the same guarded YAML loader as policies
(size, alias and nesting limits); every name is validated: ports by the kernel's interface
rules, patterns and switch names as plain printable text.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bondcheck.errors import InputError
from bondcheck.ifname import ifname_problem

_TEXT = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,254}")  # printable ASCII, no leading space


@dataclass(frozen=True)
class Cable:
    """Where one node port should be cabled."""

    switch: str
    port: str | None = None

    def __str__(self) -> str:
        return f"{self.switch} {self.port}" if self.port else self.switch


@dataclass(frozen=True)
class Cabling:
    """The map and the distinct-switch expectation, as the checks read them."""

    require_distinct_switches: bool = False
    nodes: tuple[tuple[str, Mapping[str, Cable]], ...] = field(default=())
    source: str = ""

    def for_node(self, node: str) -> Mapping[str, Cable] | None:
        for pattern, ports in self.nodes:
            if fnmatch.fnmatchcase(node, pattern):
                return ports
        return None


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _TEXT.fullmatch(value):
        raise InputError(f"{where}: expected printable text (at most 255 characters)")
    return value


def _ports(raw: Any, where: str) -> dict[str, Cable]:
    if not isinstance(raw, Mapping):
        raise InputError(f"{where}: expected a mapping of port -> {{switch, port}}")
    ports: dict[str, Cable] = {}
    for port, cable in raw.items():
        problem = ifname_problem(port)
        if problem:
            raise InputError(f"{where}: port {str(port)[:40]!r} {problem}")
        if not isinstance(cable, Mapping) or "switch" not in cable:
            raise InputError(f"{where}.{port}: expected {{switch: NAME, port: PORT}}")
        unknown = set(cable) - {"switch", "port"}
        if unknown:
            raise InputError(f"{where}.{port}: unknown key {sorted(unknown)[0]!r}")
        switch = _text(cable["switch"], f"{where}.{port}.switch")
        remote = cable.get("port")
        ports[port] = Cable(switch, None if remote is None else _text(remote, f"{where}.{port}"))
    return ports


def load_cabling(path: str, *, require_distinct_switches: bool = False) -> Cabling:
    """Read and validate a cabling file (InputError with one line for anything wrong)."""
    from bondcheck.policy.loader import read_text
    from bondcheck.policy.yamlio import load_yaml_documents

    text = read_text(path, "cabling file")
    docs = [d for d in load_yaml_documents(text, source=path) if d is not None]
    if len(docs) != 1 or not isinstance(docs[0], Mapping):
        raise InputError(f"{path}: expected one YAML mapping with 'nodes:'")
    doc = docs[0]
    unknown = set(doc) - {"nodes", "require_distinct_switches"}
    if unknown:
        raise InputError(f"{path}: unknown key {sorted(map(str, unknown))[0]!r}")
    required = doc.get("require_distinct_switches", False)
    if not isinstance(required, bool):
        raise InputError(f"{path}: require_distinct_switches must be true or false")
    raw_nodes = doc.get("nodes") or {}
    if not isinstance(raw_nodes, Mapping):
        raise InputError(f"{path}: 'nodes' must map node names (or patterns) to ports")
    nodes = tuple(
        (_text(name, f"{path}: node"), _ports(ports, f"{path}: nodes.{name}"))
        for name, ports in raw_nodes.items()
    )
    return Cabling(required or require_distinct_switches, nodes, path)
