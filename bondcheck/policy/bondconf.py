"""The ``link-aggregation`` section of a bond: mode, options and the port list.

nmstate has accepted the port list under four spellings over the years (``slaves`` until
1.x, ``port``, the ``ports`` alias since 2.1.4, and ``ports-config`` since 2.2.17); policies
of every era are still applied in the field, so all of them are read and reduced to one
tuple of names, with a note where the spelling will stop working.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bondcheck.policy.fields import Fields, type_name
from bondcheck.policy.normalize import OPTION_ALIASES, normalize_mode, normalize_option

SLAVES_NOTE = "deprecated 'slaves' key: rejected by nmstate >= 2.0"

_PORT_KEYS = ("port", "ports", "slaves")


@dataclass(frozen=True)
class BondConf:
    """What a link-aggregation section says, normalised."""

    mode: str | None
    options: Mapping[str, Any]
    ports: tuple[str, ...]
    notes: tuple[str, ...]


def _port_list(
    conf: Mapping[str, object], rel: str, fields: Fields
) -> tuple[list[str] | None, list[str]]:
    """Names from port / ports / slaves (None when none is given) and notes."""
    given = [key for key in _PORT_KEYS if conf.get(key) is not None]
    if len(given) > 1:
        raise fields.error(
            rel,
            f"the port list is given twice ({' and '.join(repr(k) for k in given)}); use 'port'",
        )
    if not given:
        return None, []
    key = given[0]
    raw = conf[key]
    if not isinstance(raw, list):
        raise fields.error(
            f"{rel}.{key}", f"must be a list of interface names, got a {type_name(raw)}"
        )
    names = [fields.ifname(item, f"{rel}.{key}[{i}]") for i, item in enumerate(raw)]
    notes = [SLAVES_NOTE] if key == "slaves" else []
    return names, notes


def _ports_config(conf: Mapping[str, object], rel: str, fields: Fields) -> list[str] | None:
    raw = conf.get("ports-config")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise fields.error(f"{rel}.ports-config", f"must be a list, got a {type_name(raw)}")
    names = []
    for i, item in enumerate(raw):
        entry = fields.mapping(item, f"{rel}.ports-config[{i}]")
        if entry.get("name") is None:
            raise fields.error(f"{rel}.ports-config[{i}].name", "missing")
        names.append(fields.ifname(entry["name"], f"{rel}.ports-config[{i}].name"))
    return names


def _merged_ports(
    conf: Mapping[str, object], rel: str, fields: Fields
) -> tuple[tuple[str, ...], list[str]]:
    listed, notes = _port_list(conf, rel, fields)
    configured = _ports_config(conf, rel, fields)
    if listed is not None and configured is not None and set(listed) != set(configured):
        # nmstate refuses this at apply time ("The port names specified in `port` conflict
        # with the port names specified in `ports-config`"), so the policy cannot be Available.
        only_list = sorted(set(listed) - set(configured))
        only_conf = sorted(set(configured) - set(listed))
        details = []
        if only_list:
            details.append(f"in the port list only: {', '.join(only_list)}")
        if only_conf:
            details.append(f"in ports-config only: {', '.join(only_conf)}")
        raise fields.error(
            f"{rel}.ports-config",
            "names conflict with the port list (" + "; ".join(details) + ")",
        )
    names = listed if listed is not None else (configured or [])
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise fields.error(rel, f"port {name!r} is listed twice")
        seen.add(name)
    return tuple(names), notes


def _options(raw: object, rel: str, fields: Fields) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise fields.error(rel, f"must be a map of option: value, got a {type_name(raw)}")
    options: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise fields.error(rel, f"option names must be strings, got {key!r}")
        if value is None:  # nmstate treats an option set to null as not set
            continue
        name = OPTION_ALIASES.get(key, key)
        if name in options:
            raise fields.error(f"{rel}.{key}", f"{name} is given twice")
        try:
            options[name] = normalize_option(name, value)
        except ValueError as exc:
            raise fields.error(f"{rel}.{key}", str(exc)) from None
    return options


def bond_conf(conf: Mapping[str, object], rel: str, state: str, fields: Fields) -> BondConf:
    """Read one link-aggregation section at ``rel`` of a bond in ``state``."""
    raw_mode = conf.get("mode")
    mode: str | None = None
    if raw_mode is None:
        if state == "up":
            raise fields.error(
                f"{rel}.mode", "missing: nmstate needs a mode to create a bond in state up"
            )
    else:
        try:
            mode = normalize_mode(raw_mode)
        except ValueError as exc:
            raise fields.error(f"{rel}.mode", str(exc)) from None
    options = _options(conf.get("options"), f"{rel}.options", fields)
    ports, notes = _merged_ports(conf, rel, fields)
    primary = options.get("primary")
    if primary is not None and ports and primary not in ports:
        notes.append(f"primary {primary} is not one of the listed ports ({', '.join(ports)})")
    return BondConf(mode=mode, options=options, ports=ports, notes=tuple(notes))
