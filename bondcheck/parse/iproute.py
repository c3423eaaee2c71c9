"""Readers for ``ip -j addr show`` and ``ip -j -d link show`` (iproute2 JSON).

Key names are iproute2's (``ip/ipaddress.c``, ``ip/iplink_bond.c``): ``ifname``,
``master``, ``operstate``, ``addr_info[{family, local, prefixlen, scope}]`` and the bond's
``linkinfo.info_data``; what no check reads is left out.

The text comes from real nodes through debug pods and SSH, so the reader is tolerant where
tolerance is safe: every key is optional, the empty ``{}`` objects that old iproute2 (4.x)
printed for filtered-out links and addresses are skipped, and chatter around the JSON (the
"Starting pod/..." lines of ``oc debug``) is ignored. Text that holds no JSON list at all is
a ParseError, because judging a node on it would be guessing.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping
from typing import Any, TypeGuard

from bondcheck.errors import ParseError
from bondcheck.model import Address, IpState, Link

_FAMILIES = ("inet", "inet6")
_LIST_START = re.compile(r"^[ \t]*\[", re.M)
_MAX_TRIES = 32


def _first_line(text: str, limit: int = 60) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _is_interface_list(value: object) -> TypeGuard[list[dict[str, Any]]]:
    """A JSON list of objects: what every ``ip -j`` command prints (``[ 12.3]`` is not)."""
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _load(text: str, what: str, source: str | None) -> list[Any]:
    """The JSON list in ``text``: the whole text, or the first list of objects that starts a
    line (debug pods and shells print chatter before and after the command's output)."""
    if not isinstance(text, str):
        raise ParseError(f"{what}: expected text, got {type(text).__name__}", source=source)
    if not text.strip():
        raise ParseError(f"{what}: empty output (expected the JSON list of {what})", source=source)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        first_error = exc
    except (ValueError, RecursionError) as exc:  # a 5000-digit number, [[[[... nesting
        raise ParseError(f"{what}: unreadable JSON ({_why(exc)})", source=source) from None
    else:
        if not _is_interface_list(data):
            shape = "list of non-objects" if isinstance(data, list) else type(data).__name__
            raise ParseError(
                f"{what}: expected a JSON list of interfaces, got a JSON {shape}",
                source=source,
            )
        return data
    decoder = json.JSONDecoder()
    # Chatter is a few lines around one list: a bounded number of tries keeps hostile text
    # (a list start on every line) linear, since each failed try reads up to the end.
    for match in itertools.islice(_LIST_START.finditer(text), _MAX_TRIES):
        try:
            value, _end = decoder.raw_decode(text, match.end() - 1)
        except (ValueError, RecursionError):
            continue
        if _is_interface_list(value):
            return value
    raise ParseError(
        f"{what}: not iproute2 JSON ({first_error.msg} at line {first_error.lineno}; "
        f"text starts {_first_line(text)!r})",
        source=source,
    )


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return " ".join(str(exc).split())[:120]


def _int(value: object) -> int | None:
    """A non-negative count as iproute2 prints it: a JSON int, or ASCII digits (``'²'`` and
    ``'١٠٠'`` are not numbers here, and 64 digits is far beyond any kernel counter)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 64:
            return int(text)
    return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value != "" else None


def _ifname(entry: Mapping[str, Any]) -> str | None:
    """The interface name; old iproute2 could print ``veth0@if5`` here, so cut at '@'."""
    name = _str(entry.get("ifname"))
    if name is None:
        return None
    if "@" in name and not name.startswith("@"):
        name = name.split("@", 1)[0]
    return name


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _link(entry: Mapping[str, Any], name: str) -> Link:
    return Link(
        name=name,
        master=_str(entry.get("master")),
        operstate=_str(entry.get("operstate")),
        info_data=dict(_mapping(_mapping(entry.get("linkinfo")).get("info_data"))),
    )


def _addresses(entry: Mapping[str, Any]) -> tuple[Address, ...]:
    raw = entry.get("addr_info")
    if not isinstance(raw, list):
        return ()
    result = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        family, local, prefix = item.get("family"), _str(item.get("local")), item.get("prefixlen")
        prefixlen = _int(prefix)
        if family not in _FAMILIES or local is None or prefixlen is None:
            continue  # {} placeholders of old iproute2, or a family bondcheck does not judge
        scope = _str(item.get("scope")) or "global"
        result.append(Address(family=family, local=local, prefixlen=prefixlen, scope=scope))
    return tuple(result)


def _entries(data: list[Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """(name, object) for every interface object that has a name; placeholders skipped."""
    result = []
    for entry in data:
        if not isinstance(entry, Mapping):
            continue
        name = _ifname(entry)
        if name is not None:
            result.append((name, entry))
    return result


def parse_ip_addr(
    text: str, *, source: str | None = None
) -> tuple[dict[str, tuple[Address, ...]], dict[str, Link]]:
    """Addresses per interface (every listed interface, possibly with none) and its links."""
    addresses: dict[str, tuple[Address, ...]] = {}
    links: dict[str, Link] = {}
    for name, entry in _entries(_load(text, "ip -j addr", source)):
        addresses[name] = addresses.get(name, ()) + _addresses(entry)
        links.setdefault(name, _link(entry, name))
    return addresses, links


def parse_ip_link(text: str, *, source: str | None = None) -> dict[str, Link]:
    """Links by name from ``ip -j -d link show`` (``-d`` is what adds linkinfo)."""
    links: dict[str, Link] = {}
    for name, entry in _entries(_load(text, "ip -j -d link", source)):
        links.setdefault(name, _link(entry, name))
    return links


def parse_ip_state(
    addr_text: str | None, link_text: str | None = None, *, source: str | None = None
) -> IpState:
    """Combine ``ip -j addr`` and ``ip -j -d link`` output into one IpState.

    Either may be None (not collected). Links from ``ip -j -d link`` win over the shorter
    link view that ``ip -j addr`` gives. Raises ParseError for text that is not iproute2 JSON.
    """
    addresses: dict[str, tuple[Address, ...]] = {}
    links: dict[str, Link] = {}
    if addr_text is not None:
        addresses, links = parse_ip_addr(addr_text, source=source)
    if link_text is not None:
        links.update(parse_ip_link(link_text, source=source))
    return IpState(
        addresses=addresses,
        links=links,
        has_addresses=addr_text is not None,
        has_links=link_text is not None,
    )
