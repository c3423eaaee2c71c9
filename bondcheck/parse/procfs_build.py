"""Turn what the /proc/net/bonding loop collected into model objects, and judge privilege.

Building the frozen model dataclasses through their ``__init__`` costs more than parsing the
text itself (every field goes through ``object.__setattr__``), so plain dataclasses are
filled through their ``__dict__`` instead: same fields, same defaults, same equality. A class
that validates in ``__post_init__``, uses ``__slots__`` or has factory defaults is built
through its ``__init__`` as usual; a test checks both ways give equal objects.

Ports, LACPDU details and the aggregator block are collected in dicts that start as a copy
of their class's defaults (``PORT_FIELDS`` ...), so the finished dict *is* the instance's
``__dict__``: no merge, no copy (half the cost of a merge per object). The bond itself is
merged as before, because the privilege rule asks which of its labels the text printed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from bondcheck.model import AdInfo, LacpPdu, ObservedBond, ObservedPort
from bondcheck.parse.procfs_tables import GATED_LABELS, POST_GATING_LABELS

T = TypeVar("T")


def _defaults(cls: type) -> tuple[dict[str, Any], bool]:
    """(defaults of the fields that have one, whether the ``__dict__`` shortcut is safe)."""
    defaults: dict[str, Any] = {}
    safe = "__slots__" not in vars(cls) and not hasattr(cls, "__post_init__")
    for item in dataclasses.fields(cls):
        if item.default is not dataclasses.MISSING:
            defaults[item.name] = item.default
        elif item.default_factory is not dataclasses.MISSING:
            safe = False
    return defaults, safe


def fast_constructor(cls: type[T]) -> Callable[[dict[str, Any]], T]:
    """A builder ``fields -> cls`` that skips the frozen ``__init__`` when that is safe."""
    defaults, safe = _defaults(cls)
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


def prefilled_constructor(cls: type[T]) -> tuple[dict[str, Any], Callable[[dict[str, Any]], T]]:
    """(defaults, build): ``build(fields)`` for a dict that began as ``defaults.copy()``.

    The dict becomes the instance's ``__dict__`` as it is (the caller must not keep it), in
    the order ``fast_constructor`` gives: fields with defaults in declaration order, then the
    others as they were added. Unsafe classes (see ``fast_constructor``) go through
    ``__init__`` with the same values.
    """
    defaults, safe = _defaults(cls)
    if not safe:
        return defaults, lambda fields: cls(**fields)
    new = object.__new__
    set_dict = object.__setattr__

    def construct(fields: dict[str, Any]) -> T:
        obj = new(cls)
        set_dict(obj, "__dict__", fields)
        return obj

    return defaults, construct


_new_bond = fast_constructor(ObservedBond)
PORT_FIELDS, _new_port = prefilled_constructor(ObservedPort)
PDU_FIELDS, _new_pdu = prefilled_constructor(LacpPdu)
AGG_FIELDS, _new_ad = prefilled_constructor(AdInfo)


_NO_LABELS: frozenset[str] = frozenset()


def privileged_view(
    bond: dict[str, Any],
    extra: list[tuple[str, str]],
    seen_ad: bool,
    agg_shown: bool,
    details: bool,
) -> bool | None:
    """The rule of the ``bondcheck.parse.procfs`` docstring, step by step.

    A label counts as printed when it set its field, and also when its value was unreadable
    (then it is in ``extra``).
    """
    if bond["mode"] != "802.3ad":
        return None
    if details or "system_priority" in bond or "system_mac" in bond:
        return True
    labels = {key for key, _ in extra} if extra else _NO_LABELS
    if labels & GATED_LABELS:
        return True
    if agg_shown:
        late = "peer_notif_delay_ms" in bond or "lacp_active" in bond
        return True if late or labels & POST_GATING_LABELS else None
    return False if seen_ad else None


def build_bond(
    bond: dict[str, Any],
    bond_extra: list[tuple[str, str]],
    agg: dict[str, Any] | None,
    ports: list[tuple[dict[str, Any], list[tuple[str, str]]]],
    seen_ad: bool,
    name: str | None,
) -> ObservedBond:
    """The ObservedBond for the collected fields (the dicts are consumed).

    ``bond`` holds only what the text set; ``agg``, each port and each of its ``actor`` /
    ``partner`` dicts began as copies of AGG_FIELDS, PORT_FIELDS and PDU_FIELDS.
    """
    built = []
    details = False
    for fields, extra in ports:
        pdu = fields["actor"]
        if pdu is not None:
            details = True
            fields["actor"] = _new_pdu(pdu)
        pdu = fields["partner"]
        if pdu is not None:
            details = True
            fields["partner"] = _new_pdu(pdu)
        if extra:
            fields["extra"] = tuple(extra)
        built.append(_new_port(fields))
    agg_shown = agg is not None or "no_active_aggregator" in bond
    bond["privileged_view"] = privileged_view(bond, bond_extra, seen_ad, agg_shown, details)
    bond["name"] = name
    bond["ad_info"] = None if agg is None else _new_ad(agg)
    bond["ports"] = tuple(built)
    bond["extra"] = tuple(bond_extra)
    return _new_bond(bond)
