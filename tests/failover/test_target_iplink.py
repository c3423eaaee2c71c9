"""Probe target selection and the iproute2 readers, on lab captures."""

from __future__ import annotations

import json

import pytest

from bondcheck.errors import ParseError
from bondcheck.failover.iplink import gateway_for, parse_link_stats, route_device, upper_devices
from bondcheck.failover.node import Section
from bondcheck.failover.target import parse_target
from tests.failover.samples import sample

BUSYBOX_NO_D = (
    "ping: invalid option -- 'D'\nBusyBox v1.35.0 (Debian) multi-call binary.\n\n"
    "Usage: ping [OPTIONS] HOST\n"
)
BUSYBOX_OK = (
    "PING 192.168.100.1 (192.168.100.1): 56 data bytes\n"
    "64 bytes from 192.168.100.1: seq=0 ttl=64 time=0.713 ms\n"
    "64 bytes from 192.168.100.1: seq=1 ttl=64 time=0.504 ms\n"
)


def test_link_stats_from_the_lab() -> None:
    stats = parse_link_stats(sample("lacp-healthy.ip-link-s-ens256.json"))["ens256"]
    assert stats.admin_up and stats.carrier and stats.master == "bond0"
    assert (stats.rx_packets, stats.tx_packets) == (4, 6)
    pulled = parse_link_stats(sample("lacp-ens224-pulled.ip-link-s-ens224.json"))["ens224"]
    assert not pulled.admin_up and not pulled.carrier


def test_link_stats_reject_non_json() -> None:
    with pytest.raises(ParseError):
        parse_link_stats("Device does not exist.")


def test_routes_from_the_lab() -> None:
    assert route_device(sample("lacp-healthy.ip-route-get.json")) == "bond0"
    # the lab's bond subnet has no gateway: the operator must name a target
    assert gateway_for(sample("lacp-healthy.ip-route.json"), ["bond0"]) is None
    assert upper_devices(sample("lacp-healthy.ip-link-d.json"), "bond0") == ["bond0"]


def test_gateway_prefers_the_default_route_of_the_bond_stack() -> None:
    routes = json.dumps([
        {"dst": "10.9.0.0/16", "gateway": "10.0.0.254", "dev": "bond0.102"},
        {"dst": "default", "gateway": "10.0.0.1", "dev": "bond0.102"},
        {"dst": "default", "gateway": "172.16.0.1", "dev": "eth0"},
    ])  # fmt: skip
    assert gateway_for(routes, ["bond0", "bond0.102"]) == "10.0.0.1"
    assert gateway_for(routes, ["bond0"]) is None


def test_upper_devices_follow_vlans_and_bridges() -> None:
    links = json.dumps([
        {"ifname": "ens224", "master": "bond0"},
        {"ifname": "bond0", "master": "br-ex"},
        {"ifname": "bond0.102", "link": "bond0"},
        {"ifname": "br-ex"},
        {"ifname": "eth9"},
    ])  # fmt: skip
    assert upper_devices(links, "bond0") == ["bond0", "br-ex", "bond0.102"]


def sec(text: str, rc: str = "0") -> Section:
    return Section(text=text, rc=rc)


def test_busybox_node_falls_back_to_sequence_gaps() -> None:
    found = parse_target(
        {"route": sec(sample("lacp-healthy.ip-route-get.json")),
         "ping:0": sec(BUSYBOX_NO_D, "1"), "ping:1": sec(BUSYBOX_OK)},
        "192.168.100.1",
    )  # fmt: skip
    assert found.problem is None and found.device == "bond0"
    assert found.ping is not None and not found.ping.timestamps and found.ping.interval_s == 0.01
    assert any("no -D timestamps" in n for n in found.notes)


def test_iputils_first_flavour_is_used() -> None:
    found = parse_target({"ping:0": sec(sample("iputils-D-sigint.txt"))}, "10.99.0.1")
    assert found.ping is not None and found.ping.timestamps and found.notes == ()


def test_interval_refused_falls_back_to_200_ms() -> None:
    refused = "ping: cannot flood; minimal interval allowed for user is 200ms\n"
    found = parse_target(
        {"ping:0": sec(refused, "2"), "ping:1": sec(refused, "2"),
         "ping:2": sec(sample("iputils-D-sigint.txt"))},
        "10.99.0.1",
    )  # fmt: skip
    assert found.ping is not None and found.ping.interval_s == 0.2
    assert any("200 ms" in n for n in found.notes)


def test_silent_target_is_a_problem_not_a_fallback() -> None:
    silent = (
        "PING 10.99.0.77 (10.99.0.77) 56(84) bytes of data.\n\n--- 10.99.0.77 ping statistics "
        "---\n12 packets transmitted, 0 received, 100% packet loss, time 2990ms\n"
    )
    found = parse_target({"ping:0": sec(silent, "1")}, "10.99.0.77")
    assert found.ping is None and found.problem is not None and "does not answer" in found.problem


def test_no_usable_ping() -> None:
    found = parse_target({f"ping:{i}": sec(BUSYBOX_NO_D, "1") for i in range(4)}, "10.0.0.1")
    assert found.ping is None and "ping cannot be used" in (found.problem or "")
