"""The fast model builder gives exactly what the dataclass constructors give."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bondcheck.model import LacpPdu, ObservedBond, ObservedPort
from bondcheck.parse.procfs import parse_bonding
from bondcheck.parse.procfs_build import fast_constructor, prefilled_constructor

from .conftest import SAMPLES, sample_key


def _same_as_init(obj: object) -> None:
    """Rebuilt through ``__init__`` it is equal, and it holds exactly the declared fields."""
    assert dataclasses.is_dataclass(obj) and not isinstance(obj, type)
    declared = {f.name for f in dataclasses.fields(obj)}
    assert set(vars(obj)) == declared
    assert dataclasses.replace(obj) == obj
    assert hash(dataclasses.replace(obj)) == hash(obj)  # usable as a dict key / in sets


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: sample_key(p))
def test_parsed_objects_equal_constructed_ones(path: Path) -> None:
    bond = parse_bonding(path.read_bytes().decode())
    _same_as_init(bond)
    if bond.ad_info is not None:
        _same_as_init(bond.ad_info)
    for port in bond.ports:
        _same_as_init(port)
        for pdu in (port.actor, port.partner):
            if pdu is not None:
                _same_as_init(pdu)


def test_frozen_objects_stay_frozen() -> None:
    bond = parse_bonding(SAMPLES[0].read_text())
    with pytest.raises(dataclasses.FrozenInstanceError):
        bond.mode = "balance-rr"  # type: ignore[misc]


def test_defaults_are_filled() -> None:
    pdu = fast_constructor(LacpPdu)({"port_state": 63})
    assert pdu == LacpPdu(port_state=63)
    port = fast_constructor(ObservedPort)({"name": "eth0"})
    assert port == ObservedPort(name="eth0") and port.mii_status == "unknown"
    assert fast_constructor(ObservedBond)({"name": None, "mode": "802.3ad"}).ports == ()


def test_classes_that_validate_or_use_factories_go_through_init() -> None:
    @dataclass(frozen=True)
    class Checked:
        value: int = 0

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    @dataclass(frozen=True)
    class Factory:
        items: dict[str, int] = field(default_factory=dict)

    with pytest.raises(ValueError, match="negative"):
        fast_constructor(Checked)({"value": -1})
    first, second = fast_constructor(Factory)({}), fast_constructor(Factory)({})
    assert first.items == {} and first.items is not second.items


def test_prefilled_dicts_become_the_same_objects() -> None:
    """A dict that began as the defaults gives what the merging builder gives, in order."""
    defaults, build = prefilled_constructor(ObservedPort)
    fields = defaults.copy()
    fields["name"] = "eth0"
    fields["speed_mbps"] = 1000
    port = build(fields)
    merged = fast_constructor(ObservedPort)({"name": "eth0", "speed_mbps": 1000})
    assert port == merged == ObservedPort(name="eth0", speed_mbps=1000)
    assert list(vars(port).items()) == list(vars(merged).items())
    assert pickle.dumps(port) == pickle.dumps(merged)
    _same_as_init(port)


def test_prefilled_builder_uses_init_for_classes_that_validate() -> None:
    @dataclass(frozen=True)
    class Checked:
        value: int = 0

        def __post_init__(self) -> None:
            if self.value < 0:
                raise ValueError("negative")

    defaults, build = prefilled_constructor(Checked)
    assert defaults == {"value": 0}
    with pytest.raises(ValueError, match="negative"):
        build({"value": -1})
    assert build({"value": 3}) == Checked(3)
