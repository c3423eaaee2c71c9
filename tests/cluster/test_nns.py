"""--via nns: the transport against the stand-in, and NNS currentState -> model (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest
from standins.apiserver import ApiServerStandIn
from standins.store import load_documents

from bondcheck.checks.base import NNS_SKIP
from bondcheck.checks.catalog import BY_ID, CATALOG
from bondcheck.errors import CollectError
from bondcheck.judge import judge_node
from bondcheck.model import Evidence, NodeTarget, Status
from bondcheck.parse.nns import ip_state_from_nns, observed_from_nns
from bondcheck.policy.loader import load_policy_file
from bondcheck.transport.nns import NnsTransport
from bondcheck.transport.options import TransportOptions


def current_state(fixture: str) -> dict:
    (obj,) = load_documents(fixture)
    return obj["status"]["currentState"]


WORKER0 = "nns/worker-0.yaml"
NODE01 = "nns/node01-bond0-balance-rr.yaml"


def test_transport_returns_nns_state_and_no_bond_text(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    transport = NnsTransport(TransportOptions(kubeconfig=str(kubeconfig)))
    ev = transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=10)
    assert ev.transport == "nns" and ev.bonds == {}
    assert ev.nns_state == current_state(WORKER0)
    assert ev.notes == (
        "NodeNetworkState last updated 2024-06-20T11:56:02Z",
        "reported by nmstatectl 2.2.27",
    )
    assert apiserver.paths() == ["/apis/nmstate.io/v1beta1/nodenetworkstates/worker-0"]
    transport.close()


def test_transport_errors(apiserver: ApiServerStandIn, kubeconfig: Path) -> None:
    transport = NnsTransport(TransportOptions(kubeconfig=str(kubeconfig)))
    with pytest.raises(CollectError, match=r"^worker-1: no NodeNetworkState"):
        transport.collect(NodeTarget("worker-1"), ["bond0"], timeout=10)
    apiserver.fail("nodenetworkstates/worker-0", 403, "status-403-forbidden-get-nns-by-name")
    with pytest.raises(CollectError) as err:
        transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=10)
    assert str(err.value) == (
        "forbidden: developer cannot get nodenetworkstates.nmstate.io at the cluster scope"
    )


def test_8023ad_bond_from_nns() -> None:
    bond = observed_from_nns(current_state(WORKER0), "bond0")
    ip = ip_state_from_nns(current_state(WORKER0))
    assert bond is not None
    assert (bond.name, bond.mode, bond.miimon_ms, bond.updelay_ms, bond.downdelay_ms) == (
        "bond0",
        "802.3ad",
        100,
        0,
        0,
    )
    assert (bond.lacp_rate, bond.xmit_hash_policy, bond.ad_select, bond.min_links) == (
        "fast",
        "layer3+4",
        "stable",
        0,
    )
    assert (bond.arp_interval_ms, bond.system_priority) == (0, 65535)
    assert bond.mii_status == "unknown" and bond.privileged_view is None
    assert bond.active_port is None and bond.ad_info is None
    assert [p.name for p in bond.ports] == ["ens1f0", "ens1f1"]
    assert [(p.mii_status, p.speed_mbps, p.duplex) for p in bond.ports] == [
        ("unknown", 25000, "full"),
        ("unknown", 25000, "full"),
    ]
    assert [str(a) for a in ip.addresses["bond0"]] == ["192.168.100.21/24"]
    assert ip.addresses["ens1f0"] == ()
    assert [(str(a), a.scope) for a in ip.addresses["eno1"]] == [
        ("10.0.8.21/24", "global"),
        ("fe80::3efd:feff:fe12:3456/64", "link"),
    ]
    assert ip.addresses["lo"][0].scope == "host"
    assert ip.links["ens1f1"].master == "bond0"
    assert ip.links["bond0"].operstate == "UP"
    assert ip.has_addresses is True and ip.has_links is False


def test_balance_rr_with_empty_options_and_port_order() -> None:
    bond = observed_from_nns(current_state(NODE01), "bond0")
    ip = ip_state_from_nns(current_state(NODE01))
    assert bond is not None
    assert bond.mode == "balance-rr"
    assert bond.miimon_ms is None and bond.lacp_rate is None
    assert [p.name for p in bond.ports] == ["eth2", "eth1"]  # as NNS lists them
    assert all(p.speed_mbps is None for p in bond.ports)
    assert ip.links["eth1"].master == "bond0"  # derived from the bond's port list
    assert [str(a) for a in ip.addresses["bond0"]] == ["192.168.66.127/24"]


def test_absent_bond_and_numeric_option_forms() -> None:
    state = current_state(WORKER0)
    assert observed_from_nns(state, "bond7") is None
    state["interfaces"][0]["link-aggregation"]["options"].update(
        {
            "xmit_hash_policy": 2,
            "lacp_rate": 0,
            "ad_select": "1",
            "miimon": "150",
            "arp_ip_target": "192.0.2.1,192.0.2.2",
            "lacp_active": "off",
        }
    )
    bond = observed_from_nns(state, "bond0")
    assert bond is not None
    assert (bond.xmit_hash_policy, bond.lacp_rate, bond.ad_select, bond.miimon_ms) == (
        "layer2+3",
        "slow",
        "bandwidth",
        150,
    )
    assert bond.arp_ip_targets == ("192.0.2.1", "192.0.2.2") and bond.lacp_active is False


def test_skip_reasons_come_from_the_check_definitions() -> None:
    answered = {c.id for c in CATALOG if c.nns_skip() is None}
    assert answered == {
        "BOND-PRESENT",
        "BOND-MODE",
        "BOND-OPTIONS",
        "PORT-ENSLAVED",
        "PORT-UNEXPECTED",
        "PORT-NO-IP",
        "BOND-IP",
        "POLICY-ENACTMENT",
        "LLDP-NEIGHBOR",  # NNS lists LLDP neighbours when the NNCP enables LLDP
        "LLDP-DISTINCT-SWITCH",
        "LLDP-CABLING",
    }
    partner = BY_ID["LACP-PARTNER"].nns_skip()
    assert partner is not None and partner.startswith(NNS_SKIP) and "partner" in partner
    assert BY_ID["PORT-MII"].nns_skip() == f"{NNS_SKIP} (NNS has no per-port MII/carrier status)"
    assert BY_ID["PORT-FLAPPING"].nns_skip() == NNS_SKIP  # blind unless a check says otherwise


def test_every_blind_check_is_skipped_with_its_reason() -> None:
    fixtures = Path(__file__).resolve().parents[2] / "fixtures" / "k8s"
    lacp = load_policy_file(str(fixtures / "nncp" / "bond0-lacp-v1.yaml"))
    for fixture in (WORKER0, NODE01):
        evidence = Evidence(node="n", transport="nns", nns_state=current_state(fixture))
        for result in judge_node(lacp, evidence).results:
            why = BY_ID[result.check].nns_skip()
            if why is not None:
                assert (result.status, result.message) == (Status.SKIP, why)


def test_verify_via_nns_judges_lldp_from_the_api(
    apiserver: ApiServerStandIn, kubeconfig: Path
) -> None:
    """The stand-in's NodeNetworkState lists each port's LLDP neighbour (Juniper TLVs): the
    LLDP checks answer under --via nns, through the real kubernetes client."""
    from bondcheck.run import VerifyRequest, verify
    from bondcheck.transport.options import TransportOptions

    request = VerifyRequest(policy_name="bond0-lacp", via="nns", nodes=("worker-0",),
                            options=TransportOptions(kubeconfig=str(kubeconfig)))  # fmt: skip
    (node,) = verify(request).nodes
    got = {r.check: r for r in node.results if r.check.startswith("LLDP-")}
    assert got["LLDP-NEIGHBOR"].message == (
        "ens1f0 -> leaf-a.example.lab et-0/0/12; ens1f1 -> leaf-b.example.lab et-0/0/12"
    )
    assert got["LLDP-DISTINCT-SWITCH"].status.value == "pass"
    assert got["LLDP-CABLING"].message == "no --cabling map"
