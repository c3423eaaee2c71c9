"""nmstate ``ipv4`` / ``ipv6`` blocks -> ExpectedIp.

BOND-IP compares these with ``ip -j addr``, so addresses are reduced to the form iproute2
prints (IPv6 compressed and lowercase) and prefix lengths to ints, whichever way the policy
spelled them (``prefix-length: 24`` or ``"24"``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from bondcheck.model import ExpectedAddress, ExpectedIp
from bondcheck.policy.fields import Fields, type_name
from bondcheck.policy.normalize import parse_bool
from bondcheck.vocabulary import as_int

_MAX_PREFIX = {4: 32, 6: 128}


def _flag(block: Mapping[str, object], key: str, rel: str, fields: Fields) -> bool | None:
    if key not in block or block[key] is None:
        return None
    try:
        return parse_bool(block[key])
    except ValueError as exc:
        raise fields.error(f"{rel}.{key}", str(exc)) from None


def _prefix(value: object, rel: str, version: int, fields: Fields) -> int:
    if value is None:
        raise fields.error(rel, "missing")
    number = as_int(value)
    if number is None:
        raise fields.error(rel, f"must be a whole number, got a {type_name(value)} ({value!r})")
    if not 0 <= number <= _MAX_PREFIX[version]:
        raise fields.error(rel, f"must be between 0 and {_MAX_PREFIX[version]}, got {number}")
    return number


def _address(item: object, rel: str, version: int, fields: Fields) -> ExpectedAddress:
    entry = fields.mapping(item, rel)
    raw_ip = fields.text(entry.get("ip"), f"{rel}.ip", required=True)
    assert raw_ip is not None
    try:
        ip = ipaddress.ip_address(raw_ip.strip())
    except ValueError:
        raise fields.error(f"{rel}.ip", f"{raw_ip!r} is not an IPv{version} address") from None
    if ip.version != version:
        raise fields.error(f"{rel}.ip", f"{raw_ip!r} is not an IPv{version} address")
    prefix = _prefix(entry.get("prefix-length"), f"{rel}.prefix-length", version, fields)
    return ExpectedAddress(ip=ip.compressed, prefix_length=prefix)


def expected_ip(block: object, rel: str, version: int, fields: Fields) -> ExpectedIp | None:
    """The normalised block at ``rel`` (e.g. ``interfaces[0].ipv4``), None when absent.

    ``enabled`` defaults the way nmstate treats a block without it: on when the block asks
    for DHCP, autoconf or static addresses. A disabled block carries no addresses.
    """
    if block is None:
        return None
    data = fields.mapping(block, rel)
    enabled = _flag(data, "enabled", rel, fields)
    dhcp = _flag(data, "dhcp", rel, fields) or False
    autoconf = _flag(data, "autoconf", rel, fields) or False
    raw_addresses = data.get("address")
    if raw_addresses is None:
        raw_addresses = []
    if not isinstance(raw_addresses, list):
        raise fields.error(f"{rel}.address", f"must be a list, got a {type_name(raw_addresses)}")
    addresses = tuple(
        _address(item, f"{rel}.address[{i}]", version, fields)
        for i, item in enumerate(raw_addresses)
    )
    if enabled is None:
        enabled = dhcp or autoconf or bool(addresses)
    if not enabled:
        return ExpectedIp(enabled=False)
    return ExpectedIp(enabled=True, dhcp=dhcp, autoconf=autoconf, addresses=addresses)
