"""Turn what the /proc/net/bonding loop collected into model objects, and judge privilege.

Building the frozen model dataclasses through their ``__init__`` costs more than parsing the
text itself (every field goes through ``object.__setattr__``), so plain dataclasses are
filled through their ``__dict__`` instead: same fields, same defaults, same equality. A class
that validates in ``__post_init__``, uses ``__slots__`` or has factory defaults is built
through its ``__init__`` as usual; a test checks both ways give equal objects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from bondcheck.model import AdInfo, LacpPdu, ObservedBond, ObservedPort
from bondcheck.parse.procfs_tables import GATED_LABELS, POST_GATING_LABELS

T = TypeVar("T")


def fast_constructor(cls: type[T]) -> Callable[[dict[str, Any]], T]:
    """A builder ``fields -> cls`` that skips the frozen ``__init__`` when that is safe."""
    defaults: dict[str, Any] = {}
    safe = "__slots__" not in vars(cls) and not hasattr(cls, "__post_init__")
    for item in dataclasses.fields(cls):  # type: ignore[arg-type]
        if item.default is not dataclasses.MISSING:
            defaults[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            safe = False
    if not safe:
        return lambda fields: cls(**fields)
    new = object.__new__

    def construct(fields: dict[str, Any]) -> T:
        obj = new(cls)
        state = obj.__dict__
        state.update(defaults)
        state.update(fields)
        return obj

    return construct


_new_bond = fast_constructor(ObservedBond)
_new_port = fast_constructor(ObservedPort)
_new_pdu = fast_constructor(LacpPdu)
_new_ad = fast_constructor(AdInfo)

# The labels of the privilege rule and the bond fields they fill.
_FINGERPRINT = {
    "System priority": "system_priority",
    "System MAC address": "system_mac",
    "Peer Notification Delay (ms)": "peer_notif_delay_ms",
    "LACP active": "lacp_active",
}


def privileged_view(
    bond: dict[str, Any],
    extra: list[tuple[str, str]],
    seen_ad: bool,
    agg_shown: bool,
    details: bool,
) -> bool | None:
    """The rule of the ``bondcheck.parse.procfs`` docstring, step by step."""
    if bond["mode"] != "802.3ad":
        return None
    # A label counts as present even when its value was unreadable (then it is in extra).
    present = {label for label, field in _FINGERPRINT.items() if field in bond}
    present.update(key for key, _ in extra if key in _FINGERPRINT)
    if details or present & GATED_LABELS:
        return True
    if agg_shown:
        return True if present & POST_GATING_LABELS else None
    return False if seen_ad else None


def build_bond(
    bond: dict[str, Any],
    bond_extra: list[tuple[str, str]],
    agg: dict[str, Any] | None,
    ports: list[tuple[dict[str, Any], list[tuple[str, str]]]],
    seen_ad: bool,
    name: str | None,
) -> ObservedBond:
    """The ObservedBond for the collected fields (the dicts are consumed)."""
    built = []
    details = False
    for fields, extra in ports:
        for side in ("actor", "partner"):
            pdu = fields.get(side)
            if pdu is not None:
                details = True
                fields[side] = _new_pdu(pdu)
        fields["extra"] = tuple(extra)
        built.append(_new_port(fields))
    agg_shown = agg is not None or "no_active_aggregator" in bond
    bond["privileged_view"] = privileged_view(bond, bond_extra, seen_ad, agg_shown, details)
    bond["name"] = name
    bond["ad_info"] = None if agg is None else _new_ad(agg)
    bond["ports"] = tuple(built)
    bond["extra"] = tuple(bond_extra)
    return _new_bond(bond)
