"""Table tests: every spelling nmstate accepts reduces to one canonical value."""

from __future__ import annotations

import pytest

from bondcheck.policy.normalize import (
    BOOL_OPTIONS,
    ENUM_OPTIONS,
    INT_OPTIONS,
    MODES,
    OPTION_NAMES,
    normalize_mode,
    normalize_option,
    parse_bool,
)


def test_modes_are_indexed_by_kernel_number() -> None:
    assert MODES.index("balance-rr") == 0
    assert MODES.index("active-backup") == 1
    assert MODES.index("802.3ad") == 4
    assert MODES.index("balance-alb") == 6
    assert len(MODES) == 7


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        *[(name, name) for name in MODES],
        *[(number, name) for number, name in enumerate(MODES)],
        *[(str(number), name) for number, name in enumerate(MODES)],
        ("lacp", "802.3ad"),
        ("LACP", "802.3ad"),
        ("Active-Backup", "active-backup"),
        ("BALANCE-RR", "balance-rr"),
        (" 802.3ad ", "802.3ad"),
        (" 4 ", "802.3ad"),
    ],
)
def test_normalize_mode_accepts(value: object, expected: str) -> None:
    assert normalize_mode(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("fast-lacp", "unknown bond mode 'fast-lacp'"),
        ("", "unknown bond mode ''"),
        (7, "numbers run from 0 to 6"),
        (-1, "numbers run from 0 to 6"),
        ("9", "numbers run from 0 to 6"),
        (True, "unknown bond mode true"),
        (None, "unknown bond mode null"),
        (4.0, "unknown bond mode 4.0"),
        (["802.3ad"], "unknown bond mode a list"),
        ("mode4", "expected one of balance-rr, active-backup"),
    ],
)
def test_normalize_mode_rejects(value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_mode(value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        *[(word, True) for word in ("true", "TRUE", "True", "yes", "Yes", "on", "ON", "y", "Y")],
        *[(word, False) for word in ("false", "FALSE", "no", "No", "off", "OFF", "n", "N")],
        ("1", True),
        ("0", False),
        (" yes ", True),
    ],
)
def test_parse_bool_accepts(value: object, expected: bool) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", "", "2", 2, -1, None, 1.0, [], {}, "enabled"])
def test_parse_bool_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="expected a boolean"):
        parse_bool(value)


# --- integer options: int or numeric string -> int ------------------------------------------

INT_CASES = [
    (name, value, expected)
    for name in sorted(INT_OPTIONS)
    for value, expected in ((5, 5), ("5", 5), (" 5 ", 5))
]


@pytest.mark.parametrize(("name", "value", "expected"), INT_CASES)
def test_int_options_from_int_and_string(name: str, value: object, expected: int) -> None:
    result = normalize_option(name, value)
    assert result == expected
    assert type(result) is int


def test_int_option_list_is_the_documented_one() -> None:
    assert set(INT_OPTIONS) == {
        "miimon",
        "updelay",
        "downdelay",
        "peer_notif_delay",
        "arp_interval",
        "arp_missed_max",
        "min_links",
        "ad_actor_sys_prio",
        "ad_user_port_key",
        "lp_interval",
        "num_grat_arp",
        "num_unsol_na",
        "packets_per_slave",
        "resend_igmp",
    }


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("miimon", "abc", "miimon must be a whole number, got 'abc'"),
        ("miimon", "100ms", "must be a whole number"),
        ("miimon", 1.5, "must be a whole number, got 1.5"),
        ("miimon", True, "must be a whole number, got true"),
        ("miimon", -1, "between 0 and 4294967295"),
        ("miimon", [100], "got a list"),
        ("updelay", {"ms": 1}, "got a dict"),
        ("num_grat_arp", 256, "between 0 and 255"),
        ("arp_missed_max", "300", "between 0 and 255"),
        ("ad_actor_sys_prio", 0, "between 1 and 65535"),
        ("ad_user_port_key", 1024, "between 0 and 1023"),
        ("packets_per_slave", 65536, "between 0 and 65535"),
    ],
)
def test_int_options_reject(name: str, value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_option(name, value)
    assert fragment in str(info.value)


# --- enum options: name (any case) or kernel code (int or string) -> lowercase name ---------

ENUM_TABLE = {
    "lacp_rate": ["slow", "fast"],
    "xmit_hash_policy": ["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4", "vlan+srcmac"],
    "ad_select": ["stable", "bandwidth", "count"],
    "fail_over_mac": ["none", "active", "follow"],
    "primary_reselect": ["always", "better", "failure"],
    "arp_validate": [
        "none",
        "active",
        "backup",
        "all",
        "filter",
        "filter_active",
        "filter_backup",
    ],
    "arp_all_targets": ["any", "all"],
    "all_slaves_active": ["dropped", "delivered"],
}

ENUM_CASES = [
    (name, value, expected)
    for name, names in ENUM_TABLE.items()
    for code, expected in enumerate(names)
    for value in (expected, expected.upper(), code, str(code))
]


def test_enum_table_matches_the_module() -> None:
    assert {k: list(v) for k, v in ENUM_OPTIONS.items()} == ENUM_TABLE


@pytest.mark.parametrize(("name", "value", "expected"), ENUM_CASES)
def test_enum_options(name: str, value: object, expected: str) -> None:
    assert normalize_option(name, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("filter-active", "filter_active"), ("Filter-Backup", "filter_backup")],
)
def test_arp_validate_accepts_dashed_spelling(value: str, expected: str) -> None:
    assert normalize_option("arp_validate", value) == expected


@pytest.mark.parametrize(
    ("name", "value", "fragment"),
    [
        ("lacp_rate", "medium", "unknown lacp_rate 'medium' (expected one of slow (0), fast (1))"),
        ("lacp_rate", 2, "unknown lacp_rate 2"),
        ("xmit_hash_policy", "layer34", "unknown xmit_hash_policy 'layer34'"),
        ("xmit_hash_policy", "6", "unknown xmit_hash_policy '6'"),
        ("ad_select", True, "unknown ad_select true"),
        ("fail_over_mac", -1, "unknown fail_over_mac -1"),
        ("primary_reselect", "sometimes", "expected one of always (0), better (1), failure (2)"),
        ("arp_all_targets", "some", "unknown arp_all_targets"),
        ("all_slaves_active", "yes", "unknown all_slaves_active 'yes'"),
    ],
)
def test_enum_options_reject(name: str, value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_option(name, value)
    assert fragment in str(info.value)


# --- booleans ------------------------------------------------------------------------------

BOOL_CASES = [
    (name, value, expected)
    for name in ("tlb_dynamic_lb", "use_carrier", "lacp_active", "balance_slb")
    for value, expected in (
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("yes", True),
        ("no", False),
        ("on", True),
        ("off", False),
        ("y", True),
        ("n", False),
        ("True", True),
        ("FALSE", False),
        ("1", True),
        ("0", False),
    )
]


@pytest.mark.parametrize(("name", "value", "expected"), BOOL_CASES)
def test_bool_options(name: str, value: object, expected: bool) -> None:
    assert normalize_option(name, value) is expected


def test_bool_option_list_and_alias() -> None:
    assert {"tlb_dynamic_lb", "use_carrier", "lacp_active", "balance_slb"} == BOOL_OPTIONS
    assert normalize_option("balance-slb", "on") is True


def test_bool_option_rejects_with_the_option_name() -> None:
    with pytest.raises(ValueError, match=r"use_carrier: expected a boolean .* got 'sometimes'"):
        normalize_option("use_carrier", "sometimes")


# --- primary, ad_actor_system, arp_ip_target, ns_ip6_target -----------------------------------


@pytest.mark.parametrize("name", ["ens224", "eth0", "bond0.100", "enp0s31f6", "p1p1"])
def test_primary_keeps_valid_names(name: str) -> None:
    assert normalize_option("primary", name) == name


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("eth 0", "contains characters not allowed"),
        ("a" * 16, "is 16 bytes long"),
        ("", "is empty"),
        ("eth0;reboot", "contains characters not allowed"),
        (5, "must be a string"),
    ],
)
def test_primary_rejects_invalid_names(value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_option("primary", value)
    assert "primary" in str(info.value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("02:AB:CD:00:00:01", "02:ab:cd:00:00:01"),
        ("2:0:0:aa:bb:C", "02:00:00:aa:bb:0c"),
        ("00:00:00:00:00:00", "00:00:00:00:00:00"),
        (" 52:54:00:12:34:56 ", "52:54:00:12:34:56"),
    ],
)
def test_ad_actor_system_is_a_lowercase_mac(value: str, expected: str) -> None:
    assert normalize_option("ad_actor_system", value) == expected


@pytest.mark.parametrize(
    "value", ["02:ab:cd:00:00", "02-ab-cd-00-00-01", "zz:ab:cd:00:00:01", 1234]
)
def test_ad_actor_system_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="expected a MAC address"):
        normalize_option("ad_actor_system", value)


def test_ad_actor_system_int_hints_at_yaml_quoting() -> None:
    # PyYAML without bondcheck's loader reads an unquoted 52:54:00:12:34:56 as an int.
    with pytest.raises(ValueError, match="quote it in YAML"):
        normalize_option("ad_actor_system", 11266012565976)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.168.1.1", ("192.168.1.1",)),
        ("192.168.1.1,192.168.1.2", ("192.168.1.1", "192.168.1.2")),
        ("192.168.1.1, 192.168.1.2 ,", ("192.168.1.1", "192.168.1.2")),
        (["10.0.0.1", "10.0.0.2"], ("10.0.0.1", "10.0.0.2")),
        (["10.0.0.1,10.0.0.2"], ("10.0.0.1", "10.0.0.2")),
        ("", ()),
    ],
)
def test_arp_ip_target(value: object, expected: tuple[str, ...]) -> None:
    assert normalize_option("arp_ip_target", value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("192.168.1.300", "'192.168.1.300' is not an IPv4 address"),
        ("2001:db8::1", "is not an IPv4 address"),
        (42, "comma-separated string or a list"),
        ([1], "entries must be strings"),
    ],
)
def test_arp_ip_target_rejects(value: object, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        normalize_option("arp_ip_target", value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["2001:DB8::1"], ("2001:db8::1",)),
        (["2001:0db8:0000:0000:0000:0000:0000:0001", "fe80::2"], ("2001:db8::1", "fe80::2")),
        ("2001:db8::1,2001:db8::2", ("2001:db8::1", "2001:db8::2")),
    ],
)
def test_ns_ip6_target(value: object, expected: tuple[str, ...]) -> None:
    assert normalize_option("ns_ip6_target", value) == expected


def test_ns_ip6_target_rejects_ipv4() -> None:
    with pytest.raises(ValueError, match=r"'10\.0\.0\.1' is not an IPv6 address"):
        normalize_option("ns_ip6_target", ["10.0.0.1"])


# --- unknown options, names, missing values --------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, "1"), ("on", "on"), (True, "true"), (False, "false"), (2.5, "2.5")],
)
def test_unknown_options_pass_through_as_text(value: object, expected: str) -> None:
    assert normalize_option("coupled_control", value) == expected


def test_unknown_option_rejects_structures() -> None:
    with pytest.raises(ValueError, match="must be a single value"):
        normalize_option("broadcast_neighbor", {"a": 1})


def test_none_is_not_a_value() -> None:
    with pytest.raises(ValueError, match="miimon has no value"):
        normalize_option("miimon", None)


def test_option_names_cover_every_family() -> None:
    families = set(INT_OPTIONS) | set(ENUM_OPTIONS) | BOOL_OPTIONS
    assert set(OPTION_NAMES) == families | {
        "primary",
        "ad_actor_system",
        "arp_ip_target",
        "ns_ip6_target",
    }
    assert "miimon" in OPTION_NAMES
    assert "coupled_control" not in OPTION_NAMES
