"""PORT-NO-IP and BOND-IP in both directions; missing ip evidence skips, never passes."""

from __future__ import annotations

import pytest

from bondcheck.model import IpState, Status

from .builders import by_status, context, expected, ip_state, ipv4, ipv6, only, run

# -- PORT-NO-IP ----------------------------------------------------------------------------


def test_ports_without_addresses_pass_and_link_local_is_ignored() -> None:
    ip = ip_state({"bond0": ["10.0.0.5/24"], "eth1": ["fe80::1/64"], "eth2": []})
    result = only(run("PORT-NO-IP", context(ip=ip)), Status.PASS)
    assert result.observed == {"eth1": [], "eth2": []}


@pytest.mark.parametrize("address", ["192.168.1.7/24", "2001:db8::7/64"])
def test_port_with_ipv4_or_global_ipv6_fails(address: str) -> None:
    ip = ip_state({"bond0": ["10.0.0.5/24"], "eth1": [], "eth2": ["fe80::2/64", address]})
    result = only(run("PORT-NO-IP", context(ip=ip)), Status.FAIL)
    assert result.port == "eth2"
    assert result.message == f"port eth2 carries {address}; addresses belong on bond0"
    family = "inet6" if ":" in address else "inet"
    assert result.evidence == f"{family} {address} scope global eth2"
    assert result.observed == [address]


def test_address_on_a_policy_port_that_is_not_enslaved_fails_too() -> None:
    ip = ip_state({"eth3": ["10.3.3.3/24"]})
    exp = expected(ports=("eth1", "eth2", "eth3"))
    result = only(run("PORT-NO-IP", context(exp=exp, ip=ip)), Status.FAIL)
    assert result.port == "eth3"


def test_port_no_ip_without_ip_addr_is_an_error_never_a_pass() -> None:
    """Missing evidence for a check every policy requires: the node must not go green."""
    result = only(run("PORT-NO-IP", context(ip=IpState())), Status.ERROR)
    assert "ip -j addr was not collected (ip-addr.json missing" in result.message
    assert result.remediation is not None and "bondcheck collect" in result.remediation


# -- BOND-IP -------------------------------------------------------------------------------


def test_static_address_present_passes() -> None:
    exp = expected(ipv4=ipv4("10.0.0.5/24"))
    result = only(
        run("BOND-IP", context(exp=exp, ip=ip_state({"bond0": ["10.0.0.5/24"]}))), Status.PASS
    )
    assert result.message == "bond0 has 10.0.0.5/24"


def test_static_address_missing_fails_and_says_where_it_is() -> None:
    exp = expected(ipv4=ipv4("10.0.0.5/24"))
    ip = ip_state({"bond0": [], "eth1": ["10.0.0.5/24"]})
    result = only(run("BOND-IP", context(exp=exp, ip=ip)), Status.FAIL)
    assert result.message == (
        "static IPv4 address 10.0.0.5/24 is missing from bond0: it is on eth1 instead"
    )
    assert result.evidence == "ip addr: no inet address on bond0"


def test_static_address_with_other_prefix_fails() -> None:
    exp = expected(ipv6=ipv6("2001:db8::5/64"))
    ip = ip_state({"bond0": ["2001:db8:0::5/48"]})
    result = only(run("BOND-IP", context(exp=exp, ip=ip)), Status.FAIL)
    assert result.message.startswith("static IPv6 address 2001:db8::5/64 is missing from bond0")
    assert result.message.endswith("/48 instead (prefix differs)")


def test_addresses_live_on_the_vlan_when_the_policy_says_so() -> None:
    exp = expected(ip_device="bond0.102", ipv4=ipv4("10.2.0.5/24"), ipv6=ipv6(enabled=False))
    ip = ip_state({"bond0": [], "bond0.102": ["10.2.0.5/24", "fe80::5/64"]})
    only(run("BOND-IP", context(exp=exp, ip=ip)), Status.PASS)
    ip = ip_state({"bond0": ["10.2.0.5/24"], "bond0.102": []})
    result = only(run("BOND-IP", context(exp=exp, ip=ip)), Status.FAIL)
    assert "missing from bond0.102: it is on bond0 instead" in result.message


def test_missing_ip_device_fails() -> None:
    exp = expected(ip_device="br-ex", ipv4=ipv4(dhcp=True))
    result = only(run("BOND-IP", context(exp=exp, ip=ip_state({"bond0": []}))), Status.FAIL)
    assert result.message == "br-ex does not exist on worker-0; the policy puts the addresses there"


def test_dhcp_needs_an_ipv4_address() -> None:
    exp = expected(ipv4=ipv4(dhcp=True))
    only(run("BOND-IP", context(exp=exp, ip=ip_state({"bond0": ["10.1.2.3/24"]}))), Status.PASS)
    result = only(
        run("BOND-IP", context(exp=exp, ip=ip_state({"bond0": ["fe80::1/64"]}))), Status.FAIL
    )
    assert result.message == "DHCP is on for IPv4 but bond0 has no IPv4 address"


def test_ipv6_autoconf_without_global_address_warns() -> None:
    exp = expected(ipv6=ipv6(autoconf=True))
    result = only(
        run("BOND-IP", context(exp=exp, ip=ip_state({"bond0": ["fe80::1/64"]}))), Status.WARN
    )
    assert "no global IPv6 address" in result.message


def test_disabled_family_must_have_no_address() -> None:
    exp = expected(ipv4=ipv4(enabled=False), ipv6=ipv6(enabled=False))
    only(run("BOND-IP", context(exp=exp, ip=ip_state({"bond0": ["fe80::1/64"]}))), Status.PASS)
    ip = ip_state({"bond0": ["10.0.0.9/24", "2001:db8::9/64"]})
    results = run("BOND-IP", context(exp=exp, ip=ip))
    assert [r.message for r in by_status(results, Status.FAIL)] == [
        "IPv4 is disabled in the policy but bond0 has 10.0.0.9/24",
        "IPv6 is disabled in the policy but bond0 has 2001:db8::9/64",
    ]


def test_silent_policy_skips_and_missing_ip_addr_is_an_error() -> None:
    only(run("BOND-IP", context(ip=ip_state({"bond0": []}))), Status.SKIP)
    only(run("BOND-IP", context(ip=IpState())), Status.SKIP)  # nothing asked: nothing missing
    exp = expected(ipv4=ipv4("10.0.0.5/24"))
    result = only(run("BOND-IP", context(exp=exp, ip=IpState())), Status.ERROR)
    assert "not collected" in result.message
