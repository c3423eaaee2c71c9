"""The loader over every NNCP (and related object) copied from the shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bondcheck.errors import BondcheckError, PolicyError
from bondcheck.model import ExpectedBond, ExpectedIp
from bondcheck.policy.loader import (
    expected_bonds_from_desired_state,
    load_policy_file,
    policies_in_file,
)

from .conftest import CORPUS

DHCP4 = ExpectedIp(enabled=True, dhcp=True)
OFF = ExpectedIp(enabled=False)

LACP_BOND = ExpectedBond(
    name="bond0",
    mode="802.3ad",
    options={"lacp_rate": "fast", "miimon": 100, "xmit_hash_policy": "layer3+4"},
    ports=("ens1f0", "ens1f1"),
    ip_device="bond0",
    ipv4=DHCP4,
    ipv6=OFF,
)
WORKER = {"node-role.kubernetes.io/worker": ""}

# file -> (name, apiVersion, nodeSelector, generation, bonds)
BOND_POLICIES = {
    "nncp-v1-bond0-eth1-eth2-up.yaml": (
        "bond0-eth1-eth2",
        "nmstate.io/v1",
        {},
        None,
        (
            ExpectedBond(
                name="bond0",
                mode="balance-rr",
                ports=("eth1", "eth2"),
                ip_device="bond0",
                ipv4=DHCP4,
            ),
        ),
    ),
    "nncp-v1-bond-balance-rr-miimon-copy-mac.yaml": (
        "bond",
        "nmstate.io/v1",
        {},
        None,
        (
            ExpectedBond(
                name="bond0",
                mode="balance-rr",
                options={"miimon": 140},
                ports=("eth1", "eth2"),
                ip_device="bond0",
                ipv4=DHCP4,
            ),
        ),
    ),
    "nncp-v1-bond0-lacp-available-3of3-RECONSTRUCTED.yaml": (
        "bond0-lacp",
        "nmstate.io/v1",
        WORKER,
        1,
        (LACP_BOND,),
    ),
    "nncp-v1beta1-bond0-lacp-available-3of3-RECONSTRUCTED.yaml": (
        "bond0-lacp",
        "nmstate.io/v1beta1",
        WORKER,
        1,
        (LACP_BOND,),
    ),
    "nncp-v1-bond0-lacp-progressing-1of3-RECONSTRUCTED.yaml": (
        "bond0-lacp",
        "nmstate.io/v1",
        WORKER,
        1,
        (LACP_BOND,),
    ),
    "nncp-v1-bond0-lacp-degraded-1of3-failed-RECONSTRUCTED.yaml": (
        "bond0-lacp",
        "nmstate.io/v1",
        WORKER,
        1,
        (LACP_BOND,),
    ),
    "nncp-v1-bond0-lacp-ignored-no-matching-node-RECONSTRUCTED.yaml": (
        "bond0-lacp-storage",
        "nmstate.io/v1",
        {"node-role.kubernetes.io/storage": ""},
        1,
        (
            ExpectedBond(
                name="bond1", mode="802.3ad", ports=("ens2f0", "ens2f1"), ip_device="bond1"
            ),
        ),
    ),
}


@pytest.mark.parametrize("filename", sorted(BOND_POLICIES))
def test_bond_policies_from_the_corpus(filename: str) -> None:
    name, api_version, selector, generation, bonds = BOND_POLICIES[filename]
    path = str(CORPUS / filename)
    policy = load_policy_file(path)
    assert policy.name == name
    assert policy.document["apiVersion"] == api_version
    assert dict(policy.node_selector) == selector
    assert policy.generation == generation
    assert policy.templated is False
    assert policy.source == path
    assert policy.bonds == bonds
    # Selecting by name gives the same policy.
    assert load_policy_file(path, name) == policy


def test_absent_bond_without_type() -> None:
    policy = load_policy_file(str(CORPUS / "nncp-v1-bond0-eth1-eth2-absent.yaml"))
    (bond,) = policy.bonds
    assert bond.name == "bond0"
    assert bond.state == "absent"
    assert bond.ports == ()
    assert bond.mode is None
    assert bond.ip_device is None
    assert any("no 'type' given" in note for note in bond.notes)


def test_vlan_on_top_of_the_bond_holds_the_addresses() -> None:
    policy = load_policy_file(str(CORPUS / "nncp-v1-bond0-plus-vlan102.yaml"))
    (bond,) = policy.bonds
    assert bond.name == "bond0"
    assert bond.mode == "balance-rr"
    assert bond.options == {"miimon": 140}
    assert bond.ip_device == "bond0.102"
    assert bond.ipv4 == DHCP4
    assert bond.ipv6 is None
    # The corpus example also enables DHCP on bond0 itself: that is reported, not an error.
    assert any("bond0 also has IP enabled" in note for note in bond.notes)


def test_eth666_policy_has_no_bond() -> None:
    with pytest.raises(PolicyError) as info:
        load_policy_file(str(CORPUS / "nncp-v1-eth666-missing-nic.yaml"))
    message = str(info.value)
    assert message == (
        "policy eth666: spec.desiredState.interfaces: no bond interface to verify (found: ethernet)"
    )


def test_lldp_capture_policy_is_templated_without_bonds() -> None:
    policy = load_policy_file(str(CORPUS / "nncp-v1-enable-lldp-capture-nmpolicy.yaml"))
    assert policy.name == "enable-lldp-ethernets-up"
    assert policy.templated is True
    assert policy.bonds == ()


def test_reported_options_form_normalises_every_option() -> None:
    policy = load_policy_file(str(CORPUS / "nmstate-bond99-balance-rr-options-reported-form.yaml"))
    assert policy.name == "nmstate-bond99-balance-rr-options-reported-form"  # the file stem
    (bond,) = policy.bonds
    assert bond.options == {
        "all_slaves_active": "dropped",
        "arp_all_targets": "any",
        "arp_interval": 0,
        "arp_validate": "none",
        "downdelay": 0,
        "lp_interval": 1,
        "miimon": 100,
        "min_links": 0,
        "packets_per_slave": 1,
        "primary_reselect": "always",
        "resend_igmp": 1,
        "updelay": 0,
        "use_carrier": True,
    }


def test_enactment_rendered_state_gives_the_policy_bond() -> None:
    doc = yaml.safe_load(
        (CORPUS / "nnce-worker-0.bond0-lacp-available-RECONSTRUCTED.yaml").read_text()
    )
    bonds = expected_bonds_from_desired_state(
        doc["status"]["desiredState"], where="enactment worker-0.bond0-lacp: status.desiredState"
    )
    assert bonds == (LACP_BOND,)


def test_old_enactment_excerpt_rendered_state() -> None:
    doc = yaml.safe_load(
        (CORPUS / "nnce-status-excerpt-node01.bond0-eth1-eth2-available.yaml").read_text()
    )
    (bond,) = expected_bonds_from_desired_state(doc["status"]["desiredState"], where="nnce:")
    assert (bond.name, bond.mode, bond.ports) == ("bond0", "balance-rr", ("eth1", "eth2"))


def test_node_network_state_reported_bond() -> None:
    doc = yaml.safe_load(
        (CORPUS / "nns-v1beta1-worker-0-bond0-802.3ad-lldp-RECONSTRUCTED.yaml").read_text()
    )
    (bond,) = expected_bonds_from_desired_state(
        doc["status"]["currentState"], where="nns worker-0: status.currentState"
    )
    assert bond.mode == "802.3ad"
    assert bond.ports == ("ens1f0", "ens1f1")
    assert bond.options["ad_actor_system"] == "00:00:00:00:00:00"
    assert bond.options["use_carrier"] is True
    assert bond.options["xmit_hash_policy"] == "layer3+4"
    assert bond.ipv4 is not None and [str(a) for a in bond.ipv4.addresses] == ["192.168.100.21/24"]


def test_enactment_error_names_its_own_location() -> None:
    with pytest.raises(PolicyError) as info:
        expected_bonds_from_desired_state(
            {"interfaces": [{"name": "bond0", "type": "bond", "link-aggregation": {"mode": "x"}}]},
            where="enactment worker-1.bond0-lacp: status.desiredState",
        )
    assert str(info.value).startswith(
        "enactment worker-1.bond0-lacp: status.desiredState.interfaces[0].link-aggregation.mode: "
        "unknown bond mode 'x'"
    )


@pytest.mark.parametrize(
    "filename",
    [
        "nnce-worker-0.bond0-lacp-available-RECONSTRUCTED.yaml",
        "nnce-status-excerpt-node01.bond0-eth1-eth2-available.yaml",
        "nns-v1beta1-worker-0-bond0-802.3ad-lldp-RECONSTRUCTED.yaml",
    ],
)
def test_objects_that_are_not_policies(filename: str) -> None:
    with pytest.raises(PolicyError, match=r"not an NNCP: holds no NodeNetworkConfigurationPolicy"):
        load_policy_file(str(CORPUS / filename))


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_corpus_file_loads_or_fails_in_one_line(path: Path) -> None:
    try:
        policies = policies_in_file(str(path))
    except BondcheckError as exc:
        assert "\n" not in str(exc)
        assert str(exc)
    else:
        assert policies
        assert all(p.bonds or p.templated for p in policies)
