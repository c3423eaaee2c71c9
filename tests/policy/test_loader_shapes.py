"""The loader over the reference policies and the shape samples: every way people write bonds."""

from __future__ import annotations

import pytest

from bondcheck.errors import PolicyError
from bondcheck.model import ExpectedAddress, ExpectedBond, ExpectedIp
from bondcheck.policy.bondconf import SLAVES_NOTE
from bondcheck.policy.loader import load_policy_file, policies_in_file

from .conftest import FIXTURES, SHAPES

STATIC_LAB = ExpectedIp(
    enabled=True, addresses=(ExpectedAddress(ip="192.168.100.10", prefix_length=24),)
)
OFF = ExpectedIp(enabled=False)
# Ports declared as plain ethernet with IP disabled (the usual shape) are worth no note.
PORT_NOTES: tuple[str, ...] = ()


def test_reference_lacp_policy() -> None:
    policy = load_policy_file(str(FIXTURES / "worker-bond-lacp.yaml"))
    assert policy.name == "worker-bond-lacp"
    assert policy.document["apiVersion"] == "nmstate.io/v1"
    assert dict(policy.node_selector) == {"node-role.kubernetes.io/worker": ""}
    assert policy.templated is False
    assert policy.bonds == (
        ExpectedBond(
            name="bond0",
            mode="802.3ad",
            options={"miimon": 100, "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"},
            ports=("ens224", "ens256"),
            ip_device="bond0",
            ipv4=STATIC_LAB,
            ipv6=OFF,
            notes=PORT_NOTES,
        ),
    )


def test_reference_active_backup_policy() -> None:
    policy = load_policy_file(str(FIXTURES / "worker-bond-ab.yaml"), "worker-bond-ab")
    assert policy.bonds == (
        ExpectedBond(
            name="bond0",
            mode="active-backup",
            options={"primary": "ens224", "miimon": 100, "updelay": 200, "downdelay": 200},
            ports=("ens224", "ens256"),
            ip_device="bond0",
            ipv4=STATIC_LAB,
            ipv6=OFF,
            notes=PORT_NOTES,
        ),
    )


def test_v1alpha1_with_legacy_slaves_and_string_mode() -> None:
    policy = load_policy_file(str(SHAPES / "v1alpha1-slaves-mode-string.yaml"))
    assert policy.document["apiVersion"] == "nmstate.io/v1alpha1"
    (bond,) = policy.bonds
    assert (bond.name, bond.mode, bond.ports) == ("bond1", "active-backup", ("eth1", "eth2"))
    assert bond.options == {"miimon": 120, "primary": "eth1"}
    assert SLAVES_NOTE in bond.notes
    assert SLAVES_NOTE == "deprecated 'slaves' key: rejected by nmstate >= 2.0"


def test_ports_alias_and_enum_codes() -> None:
    policy = load_policy_file(str(SHAPES / "ports-alias-enum-codes.yaml"))
    assert policy.generation == 3
    assert dict(policy.node_selector) == {
        "kubernetes.io/hostname": "worker-2",
        "node-role.kubernetes.io/worker": "",
    }
    (bond,) = policy.bonds
    assert bond.mode == "802.3ad"
    assert bond.ports == ("ens1f0", "ens1f1")
    assert bond.options == {
        "lacp_rate": "fast",
        "xmit_hash_policy": "layer2+3",
        "ad_select": "count",
        "all_slaves_active": "delivered",
        "use_carrier": True,
        "tlb_dynamic_lb": False,
        "min_links": 1,
        "ad_actor_system": "02:ab:cd:00:00:01",
    }


def test_ports_config_without_port_and_lacp_alias() -> None:
    (bond,) = load_policy_file(str(SHAPES / "ports-config-lacp-alias.yaml")).bonds
    assert bond.mode == "802.3ad"
    assert bond.ports == ("ens2f0", "ens2f1")
    assert bond.ipv4 == OFF and bond.ipv6 == OFF


def test_static_addresses_on_a_vlan() -> None:
    (bond,) = load_policy_file(str(SHAPES / "bond-vlan-static.yaml")).bonds
    assert bond.ip_device == "bond0.210"
    assert bond.ipv4 == ExpectedIp(
        enabled=True, addresses=(ExpectedAddress(ip="10.210.0.21", prefix_length=24),)
    )
    assert bond.ipv6 == ExpectedIp(
        enabled=True, addresses=(ExpectedAddress(ip="2001:db8::21", prefix_length=64),)
    )
    assert not any("also has IP enabled" in note for note in bond.notes)


def test_linux_bridge_on_top_of_the_bond() -> None:
    (bond,) = load_policy_file(str(SHAPES / "bond-linux-bridge.yaml")).bonds
    assert bond.ip_device == "br1"
    assert bond.ipv4 == ExpectedIp(enabled=True, dhcp=True)
    assert bond.options == {"xmit_hash_policy": "vlan+srcmac", "balance_slb": True}


def test_ovs_bridge_address_lives_on_the_ovs_interface() -> None:
    (bond,) = load_policy_file(str(SHAPES / "bond-ovs-br-ex.yaml")).bonds
    assert bond.ip_device == "br-ex"
    assert bond.ipv4 == ExpectedIp(enabled=True, dhcp=True)
    assert bond.ipv6 == ExpectedIp(enabled=True, dhcp=True, autoconf=True)
    assert any("ovs-interface on top of bond0" in note for note in bond.notes)


def test_several_bonds_in_one_policy() -> None:
    bonds = load_policy_file(str(SHAPES / "two-bonds.yaml")).bonds
    assert [(b.name, b.state, b.mode) for b in bonds] == [
        ("bond-old", "absent", None),
        ("bond-data", "up", "balance-alb"),
        ("bond-stor", "up", "802.3ad"),
    ]
    assert bonds[1].options == {"miimon": 100, "updelay": 250}
    assert bonds[1].ipv4 == ExpectedIp(
        enabled=True, addresses=(ExpectedAddress(ip="172.16.5.10", prefix_length=22),)
    )
    assert bonds[2].ip_device == "bond-stor"


def test_multi_document_file_needs_a_name() -> None:
    path = str(SHAPES / "multi-doc.yaml")
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert str(info.value) == (
        f"{path}: holds 2 policies (rack-a-bond, rack-b-bond); choose one by name (--policy NAME)"
    )
    policy = load_policy_file(path, "rack-b-bond")
    assert policy.name == "rack-b-bond"
    assert dict(policy.node_selector) == {"topology.example.com/rack": "b"}
    assert policy.bonds[0].mode == "active-backup"
    assert [p.name for p in policies_in_file(path)] == ["rack-a-bond", "rack-b-bond"]


def test_multi_document_file_unknown_name() -> None:
    path = str(SHAPES / "multi-doc.yaml")
    with pytest.raises(PolicyError) as info:
        load_policy_file(path, "rack-c-bond")
    assert str(info.value) == (
        f"{path}: no policy named 'rack-c-bond' (the file holds: rack-a-bond, rack-b-bond)"
    )


def test_kubectl_list_output() -> None:
    path = str(SHAPES / "kubectl-get-list.yaml")
    policies = policies_in_file(path)
    assert [(p.name, p.generation) for p in policies] == [("list-bond-a", 2), ("list-bond-b", 5)]
    policy = load_policy_file(path, "list-bond-b")
    assert policy.bonds[0].mode == "broadcast"
    assert policy.bonds[0].ports == ("eth3",)


def test_bare_desired_state_is_named_after_the_file() -> None:
    path = str(SHAPES / "runbook-desired-state.yaml")
    policy = load_policy_file(path)
    assert policy.name == "runbook-desired-state"
    assert dict(policy.node_selector) == {}
    (bond,) = policy.bonds
    assert bond.ipv4 == STATIC_LAB
    assert bond.options == {"miimon": 100, "lacp_rate": "fast"}
    # A name given for a file holding only a bare desired state names the policy.
    assert load_policy_file(path, "lab-runbook").name == "lab-runbook"


def test_templated_bond_is_left_to_the_enactment() -> None:
    policy = load_policy_file(str(SHAPES / "templated-capture.yaml"))
    assert policy.templated is True
    assert policy.bonds == ()


def test_every_option_in_loose_form() -> None:
    (bond,) = load_policy_file(str(SHAPES / "all-options-loose-forms.yaml")).bonds
    assert bond.state == "down"
    assert bond.mode == "balance-xor"
    assert bond.options == {
        "ad_actor_sys_prio": 1000,
        "ad_actor_system": "02:00:00:aa:bb:0c",
        "ad_select": "bandwidth",
        "ad_user_port_key": 12,
        "all_slaves_active": "dropped",
        "arp_all_targets": "all",
        "arp_interval": 1000,
        "arp_ip_target": ("192.168.1.1", "192.168.1.2"),
        "arp_missed_max": 3,
        "arp_validate": "filter_active",
        "downdelay": 0,
        "fail_over_mac": "follow",
        "lacp_rate": "slow",
        "lacp_active": True,
        "lp_interval": 2,
        "miimon": 0,
        "min_links": 0,
        "num_grat_arp": 5,
        "num_unsol_na": 5,
        "packets_per_slave": 0,
        "peer_notif_delay": 200,
        "primary": "eth1",
        "primary_reselect": "failure",
        "resend_igmp": 3,
        "tlb_dynamic_lb": False,
        "updelay": 0,
        "use_carrier": False,
        "xmit_hash_policy": "encap3+4",
        "ns_ip6_target": ("2001:db8::1", "fe80::2"),
        "coupled_control": "true",
    }
