"""Policies valid in ways that are easy to get wrong: each loads as nmstate reads it."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from bondcheck.policy.loader import load_policy_file, policy_from_object

from .nncp_text import bond, nncp

Writer = Callable[..., str]


def test_policy_from_object_keeps_source_and_generation() -> None:
    obj = {
        "apiVersion": "nmstate.io/v1",
        "kind": "NodeNetworkConfigurationPolicy",
        "metadata": {"name": "p", "generation": 7},
        "spec": {
            "nodeSelector": {"role": None},
            "desiredState": {
                "interfaces": [{"name": "bond0", "type": "bond", "link-aggregation": {"mode": 0}}]
            },
        },
    }
    policy = policy_from_object(obj, source="cluster")
    assert (policy.source, policy.generation, policy.name) == ("cluster", 7, "p")
    assert dict(policy.node_selector) == {"role": ""}
    assert policy.bonds[0].mode == "balance-rr"
    assert any("lists no ports" in note for note in policy.bonds[0].notes)


def test_absent_bond_needs_no_mode_and_no_ports(write_yaml: Writer) -> None:
    path = write_yaml(
        nncp("desiredState:\n  interfaces:\n  - {name: bond7, type: bond, state: absent}")
    )
    (bond_,) = load_policy_file(path).bonds
    assert (bond_.name, bond_.state, bond_.mode, bond_.ports) == ("bond7", "absent", None, ())


def test_ports_config_equal_to_the_port_list(write_yaml: Writer) -> None:
    path = write_yaml(
        bond("mode: 802.3ad\nport: [ens256, ens224]\nports-config:\n- name: ens224\n- name: ens256")
    )
    assert load_policy_file(path).bonds[0].ports == ("ens256", "ens224")


def test_bond_alias_key_and_untyped_link_aggregation(write_yaml: Writer) -> None:
    path = write_yaml(
        nncp(
            "desiredState:\n  interfaces:\n"
            "  - name: bond4\n    bond: {mode: balance-tlb, port: [eth4]}"
        )
    )
    (bond_,) = load_policy_file(path).bonds
    assert (bond_.name, bond_.mode, bond_.ports) == ("bond4", "balance-tlb", ("eth4",))


def test_unquoted_mac_stays_a_mac(write_yaml: Writer) -> None:
    # YAML 1.1 would read 52:54:00:12:34:56 as the base-60 number 11266012565976.
    path = write_yaml(
        bond("mode: 802.3ad\noptions:\n  ad_actor_system: 52:54:00:12:34:56\nport: [ens224]")
    )
    assert load_policy_file(path).bonds[0].options["ad_actor_system"] == "52:54:00:12:34:56"


def test_null_option_is_not_set(write_yaml: Writer) -> None:
    path = write_yaml(bond("mode: 802.3ad\noptions:\n  miimon:\n  lacp_rate: 1\nport: [ens224]"))
    assert load_policy_file(path).bonds[0].options == {"lacp_rate": "fast"}


def test_port_with_ip_and_primary_outside_the_ports_are_noted(write_yaml: Writer) -> None:
    path = write_yaml(
        nncp(
            "desiredState:\n  interfaces:\n"
            "  - name: bond0\n    type: bond\n"
            "    link-aggregation: {mode: 1, options: {primary: eth9}, port: [eth1, eth2]}\n"
            "  - {name: eth1, type: ethernet, ipv4: {enabled: true, dhcp: true}}\n"
            "  - {name: eth2, type: ethernet, state: down}"
        )
    )
    notes = load_policy_file(path).bonds[0].notes
    assert "primary eth9 is not one of the listed ports (eth1, eth2)" in notes
    assert (
        "port eth1: declared as ethernet with IPv4 enabled; a bond port should carry no address"
        in notes
    )
    assert "port eth2: declared as ethernet with state down" in notes


def test_ignored_bonds_are_not_verified(write_yaml: Writer) -> None:
    path = write_yaml(
        nncp(
            "desiredState:\n  interfaces:\n"
            "  - {name: bond0, type: bond, state: ignore}\n"
            "  - {name: bond1, type: bond, link-aggregation: {mode: 4, port: [eth3]}}"
        )
    )
    assert [b.name for b in load_policy_file(path).bonds] == ["bond1"]


def test_templated_string_interfaces_give_no_bonds(write_yaml: Writer) -> None:
    path = write_yaml(nncp('desiredState:\n  interfaces: "{{ capture.x.interfaces }}"'))
    policy = load_policy_file(path)
    assert policy.templated is True
    assert policy.bonds == ()


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(bond("mode: lacp\nport: [ens224]")))
    policy = load_policy_file("-")
    assert (policy.name, policy.source, policy.bonds[0].mode) == ("worker-bond", "-", "802.3ad")


def test_ports_named_by_their_controller(write_yaml: Writer) -> None:
    path = write_yaml(
        nncp(
            "desiredState:\n  interfaces:\n"
            "  - {name: bond0, type: bond, link-aggregation: {mode: 4, port: [eth1]}}\n"
            "  - {name: eth1, type: ethernet, controller: bond0}\n"
            "  - {name: eth2, type: ethernet, controller: bond0}\n"
            "  - {name: eth3, type: ethernet, controller: bond1}\n"
            "  - {name: eth4, type: ethernet, controller: bond0, state: absent}"
        )
    )
    (bond_,) = load_policy_file(path).bonds
    assert bond_.ports == ("eth1", "eth2")
    assert "ports attached by their own 'controller: bond0': eth2" in bond_.notes
    assert not any("lists no ports" in note for note in bond_.notes)
