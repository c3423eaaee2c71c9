"""``ip -j addr`` / ``ip -j -d link`` readers over the fixtures and over hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bondcheck.errors import ParseError
from bondcheck.model import Address, Link
from bondcheck.parse.iproute import (
    parse_ip_addr,
    parse_ip_link,
    parse_ip_state,
)

IPROUTE = Path(__file__).resolve().parents[2] / "fixtures" / "iproute"


def read(name: str) -> str:
    return (IPROUTE / name).read_text()


def strs(addresses: tuple[Address, ...]) -> list[str]:
    return [str(a) for a in addresses]


# --- fixtures ------------------------------------------------------------------------------


def test_healthy_lacp_link() -> None:
    links = parse_ip_link(read("lab-8023ad-healthy.ip-link.json"), source="worker-0")
    assert list(links) == ["lo", "eth0", "bond0", "ens224", "ens256"]
    bond = links["bond0"]
    assert bond.operstate == "UP"
    assert bond.info_data["mode"] == "802.3ad"
    assert bond.info_data["miimon"] == 100
    assert bond.info_data["ad_lacp_rate"] == "fast"
    assert bond.info_data["xmit_hash_policy"] == "layer3+4"
    assert bond.info_data["arp_validate"] is None  # iproute2 prints null for "none"
    ad = bond.info_data["ad_info"]
    assert (ad["aggregator"], ad["num_ports"], ad["actor_key"], ad["partner_key"]) == (1, 2, 15, 15)
    assert ad["partner_mac"] == "d6:51:0f:7e:a2:38"
    for name in ("ens224", "ens256"):
        port = links[name]
        assert port.master == "bond0"
        assert dict(port.info_data) == {}  # a port's linkinfo has no info_data
    assert links["eth0"].master is None
    assert "ad_info" not in links["eth0"].info_data


def test_no_partner_link() -> None:
    links = parse_ip_link(read("lab-8023ad-no-partner.ip-link.json"))
    info = links["bond0"].info_data["ad_info"]
    assert info["partner_mac"] == "00:00:00:00:00:00"
    assert (info["aggregator"], info["num_ports"], info["partner_key"]) == (1, 1, 1)


def test_active_backup_link_pretty_printed() -> None:
    links = parse_ip_link(read("lab-active-backup.ip-link.json"))
    data = links["bond0"].info_data
    assert (data["mode"], data["active_slave"], data["primary"]) == (
        "active-backup",
        "ens224",
        "ens224",
    )
    assert (data["miimon"], data["updelay"], data["downdelay"]) == (100, 200, 200)
    assert "ad_info" not in links["bond0"].info_data  # no aggregator outside 802.3ad


def test_healthy_addresses() -> None:
    addresses, links = parse_ip_addr(read("lab-8023ad-healthy.ip-addr.json"), source="worker-0")
    assert strs(addresses["bond0"]) == ["192.168.100.10/24", "fe80::1c8a:4cff:fe20:5d71/64"]
    assert addresses["ens224"] == ()
    assert addresses["ens256"] == ()
    assert strs(addresses["lo"]) == ["127.0.0.1/8", "::1/128"]
    v4, v6 = addresses["bond0"]
    assert (v4.family, v4.scope, v4.is_link_local) == ("inet", "global", False)
    assert (v6.family, v6.scope, v6.is_link_local) == ("inet6", "link", True)
    assert addresses["lo"][0].scope == "host"
    # ip -j addr also gives the link header (master, operstate) but no linkinfo.
    assert links["ens224"].master == "bond0"
    assert dict(links["bond0"].info_data) == {}


def test_port_with_address() -> None:
    addresses, _ = parse_ip_addr(read("lab-8023ad-port-with-ip.ip-addr.json"))
    assert strs(addresses["ens256"]) == ["192.168.100.11/24"]
    assert addresses["ens224"] == ()


def test_old_iproute2_empty_objects_are_skipped() -> None:
    addresses, links = parse_ip_addr(read("old-iproute2-empty-objects.ip-addr.json"))
    assert list(addresses) == ["lo", "bond0"]
    assert strs(addresses["lo"]) == ["127.0.0.1/8"]
    assert strs(addresses["bond0"]) == ["192.168.100.10/24"]
    assert set(links) == {"lo", "bond0"}


def test_oc_debug_chatter_around_the_json() -> None:
    text = read("oc-debug-chatter.ip-addr.txt")
    assert text.startswith("Temporary namespace")
    addresses, _ = parse_ip_addr(text)
    clean, _ = parse_ip_addr(read("lab-8023ad-healthy.ip-addr.json"))
    assert addresses == clean


def test_parse_ip_state_combines_both() -> None:
    state = parse_ip_state(
        read("lab-8023ad-healthy.ip-addr.json"),
        read("lab-8023ad-healthy.ip-link.json"),
        source="worker-0",
    )
    assert state.has_addresses and state.has_links
    assert strs(state.addresses["bond0"])[0] == "192.168.100.10/24"
    # The detailed link view wins over the header from ip addr.
    assert state.links["bond0"].info_data["mode"] == "802.3ad"


def test_parse_ip_state_with_only_addresses() -> None:
    state = parse_ip_state(read("lab-8023ad-healthy.ip-addr.json"))
    assert state.has_addresses and not state.has_links
    assert state.links["ens224"].master == "bond0"  # header view still available


def test_parse_ip_state_with_nothing() -> None:
    state = parse_ip_state(None, None)
    assert not state.has_addresses and not state.has_links
    assert dict(state.addresses) == {} and dict(state.links) == {}


def test_parse_ip_state_with_only_links() -> None:
    state = parse_ip_state(None, read("lab-8023ad-healthy.ip-link.json"))
    assert not state.has_addresses and state.has_links
    assert dict(state.addresses) == {}
    assert state.links["bond0"].info_data["mode"] == "802.3ad"


# --- tolerance ---------------------------------------------------------------------------------


def test_missing_keys_are_tolerated() -> None:
    text = json.dumps(
        [
            {"ifname": "bond0"},
            {"ifname": "ens224", "master": "bond0", "linkinfo": {"info_slave_kind": "bond"}},
            {"ifname": "eth9", "addr_info": [{"family": "inet", "local": "10.1.1.1"}]},
        ]
    )
    addresses, links = parse_ip_addr(text)
    assert links["bond0"] == Link(name="bond0")
    assert links["ens224"] == Link(name="ens224", master="bond0")
    assert addresses["eth9"] == ()  # an address without prefixlen cannot be judged


def test_address_scope_defaults_to_global_and_other_families_are_skipped() -> None:
    text = json.dumps(
        [
            {
                "ifname": "bond0",
                "addr_info": [
                    {"family": "inet", "local": "10.0.0.5", "prefixlen": 24},
                    {"family": "link", "local": "x", "prefixlen": 1},
                    {"family": "inet6", "local": "2001:db8::5", "prefixlen": "64"},
                    "junk",
                ],
            }
        ]
    )
    addresses, _ = parse_ip_addr(text)
    assert addresses["bond0"] == (
        Address("inet", "10.0.0.5", 24, "global"),
        Address("inet6", "2001:db8::5", 64, "global"),
    )


def test_wrong_value_types_become_none() -> None:
    text = json.dumps(
        [
            {
                "ifname": "ens224",
                "ifindex": "four",
                "flags": "UP",
                "master": 3,
                "linkinfo": {
                    "info_slave_data": {
                        "ad_aggregator_id": True,
                        "ad_actor_oper_port_state": "63",
                        "ad_partner_oper_port_state": None,
                    }
                },
            },
            {"ifname": "bond0", "linkinfo": {"info_kind": "bond", "info_data": {"ad_info": []}}},
        ]
    )
    links = parse_ip_link(text)
    port = links["ens224"]
    assert port == Link(name="ens224")  # master 3 is not a name


def test_veth_name_with_peer_suffix_is_cut() -> None:
    links = parse_ip_link('[{"ifname":"ens224@if2","ifindex":4}]')
    assert list(links) == ["ens224"]


def test_duplicate_entries_merge_addresses() -> None:
    text = json.dumps(
        [
            {
                "ifname": "bond0",
                "addr_info": [{"family": "inet", "local": "10.0.0.1", "prefixlen": 24}],
            },
            {
                "ifname": "bond0",
                "addr_info": [{"family": "inet", "local": "10.0.0.2", "prefixlen": 24}],
            },
        ]
    )
    addresses, _ = parse_ip_addr(text)
    assert strs(addresses["bond0"]) == ["10.0.0.1/24", "10.0.0.2/24"]


def test_empty_list_is_a_node_without_interfaces() -> None:
    addresses, links = parse_ip_addr("[]\n")
    assert addresses == {} and links == {}


def test_stray_bracket_lines_before_the_json() -> None:
    text = "[warn] cgroup v1 detected\n[ 12.345] kernel noise\n" + read(
        "lab-8023ad-healthy.ip-link.json"
    )
    assert "bond0" in parse_ip_link(text)


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty output"),
        ("   \n", "empty output"),
        ("Error: Device does not exist.", "not iproute2 JSON"),
        (
            "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN",
            "not iproute2 JSON",
        ),
        ('[{"ifname": "bond0",', "not iproute2 JSON"),
        ('{"ifname": "bond0"}', "expected a JSON list of interfaces, got a JSON dict"),
        ("42", "got a JSON int"),
        ("[1, 2]", "got a JSON list of non-objects"),
    ],
)
def test_non_json_is_a_parse_error(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_ip_link(text, source="worker-1/ip-link.json")
    message = str(info.value)
    assert fragment in message
    assert message.startswith("worker-1/ip-link.json: ip -j -d link: ")
    assert "\n" not in message
    assert info.value.source == "worker-1/ip-link.json"


def test_parse_error_quotes_the_start_of_the_text() -> None:
    with pytest.raises(ParseError) as info:
        parse_ip_addr("sh: ip: command not found\n")
    assert "text starts 'sh: ip: command not found'" in str(info.value)
    assert str(info.value).startswith("<input>: ip -j addr: not iproute2 JSON")


def test_parse_ip_state_names_the_bad_part() -> None:
    with pytest.raises(ParseError, match=r"ip -j -d link: not iproute2 JSON"):
        parse_ip_state(read("lab-8023ad-healthy.ip-addr.json"), "garbage", source="n1")
