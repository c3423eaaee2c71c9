"""Invalid policies end in one line that names the file or the field, with exit code 2."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bondcheck.errors import EXIT_USAGE, InputError, PolicyError
from bondcheck.policy.loader import load_policy_file, policies_in_file, policy_from_object

from .nncp_text import HEAD, bond, nncp

Writer = Callable[..., str]

P = "policy worker-bond: spec.desiredState.interfaces[0]"

ERROR_CASES = {
    "unknown-mode": (
        bond("mode: fast-lacp\nport: [ens224, ens256]"),
        f"{P}.link-aggregation.mode: unknown bond mode 'fast-lacp' (expected one of "
        "balance-rr, active-backup, balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb, "
        "a number 0-6, or lacp)",
    ),
    "mode-number-out-of-range": (
        bond("mode: 9\nport: [ens224]"),
        f"{P}.link-aggregation.mode: unknown bond mode 9 (numbers run from 0 to 6)",
    ),
    "missing-mode": (
        bond("port: [ens224, ens256]"),
        f"{P}.link-aggregation.mode: missing: nmstate needs a mode to create a bond in state up",
    ),
    "no-link-aggregation": (
        HEAD + "  desiredState:\n    interfaces:\n    - name: bond0\n      type: bond\n",
        f"{P}.link-aggregation.mode: missing: nmstate needs a mode to create a bond in state up",
    ),
    "invalid-port-name": (
        bond("mode: 802.3ad\nport: [ens224, ens 256]"),
        f"{P}.link-aggregation.port[1]: 'ens 256' is not a valid interface name: it contains "
        "characters not allowed in an interface name: ' '",
    ),
    "port-name-too-long": (
        bond("mode: 802.3ad\nport: [ens224, enp0s31f6-uplink-a]"),
        f"{P}.link-aggregation.port[1]: 'enp0s31f6-uplink-a' is not a valid interface name: it "
        "is 18 bytes long; Linux allows at most 15",
    ),
    "port-not-a-string": (
        bond("mode: 802.3ad\nport: [ens224, 5]"),
        f"{P}.link-aggregation.port[1]: a number is not a valid interface name: it must be a "
        "string, not int",
    ),
    "ports-not-a-list": (
        bond("mode: 802.3ad\nport: ens224"),
        f"{P}.link-aggregation.port: must be a list of interface names, got a string",
    ),
    "slaves-not-a-list": (
        bond("mode: 802.3ad\nslaves: {a: b}"),
        f"{P}.link-aggregation.slaves: must be a list of interface names, got a map",
    ),
    "port-list-twice": (
        bond("mode: 802.3ad\nport: [ens224]\nslaves: [ens224]"),
        f"{P}.link-aggregation: the port list is given twice ('port' and 'slaves'); use 'port'",
    ),
    "duplicate-port": (
        bond("mode: 802.3ad\nports: [ens224, ens224]"),
        f"{P}.link-aggregation: port 'ens224' is listed twice",
    ),
    "ports-config-conflict": (
        bond(
            "mode: 802.3ad\nport: [ens224, ens256]\nports-config:\n- name: ens224\n- name: ens192"
        ),
        f"{P}.link-aggregation.ports-config: names conflict with the port list (in the port list "
        "only: ens256; in ports-config only: ens192)",
    ),
    "ports-config-without-name": (
        bond("mode: 802.3ad\nports-config:\n- priority: 3"),
        f"{P}.link-aggregation.ports-config[0].name: missing",
    ),
    "options-not-a-map": (
        bond("mode: 802.3ad\noptions: [miimon, 100]\nport: [ens224]"),
        f"{P}.link-aggregation.options: must be a map of option: value, got a list",
    ),
    "miimon-abc": (
        bond('mode: 802.3ad\noptions:\n  miimon: "abc"\nport: [ens224]'),
        f"{P}.link-aggregation.options.miimon: miimon must be a whole number, got 'abc'",
    ),
    "lacp-rate-unknown": (
        bond("mode: 802.3ad\noptions:\n  lacp_rate: quick\nport: [ens224]"),
        f"{P}.link-aggregation.options.lacp_rate: unknown lacp_rate 'quick' (expected one of "
        "slow (0), fast (1))",
    ),
    "invalid-primary": (
        bond('mode: active-backup\noptions:\n  primary: "ens 224"\nport: [ens224]'),
        f"{P}.link-aggregation.options.primary: primary 'ens 224' is not an interface name: it "
        "contains characters not allowed in an interface name: ' '",
    ),
    "use-carrier-word": (
        bond("mode: 802.3ad\noptions:\n  use_carrier: sometimes\nport: [ens224]"),
        f"{P}.link-aggregation.options.use_carrier: use_carrier: expected a boolean "
        "(true/false, yes/no, on/off, 1/0), got 'sometimes'",
    ),
    "link-aggregation-not-a-map": (
        bond("- mode: 802.3ad"),
        f"{P}.link-aggregation: must be a map, got a list",
    ),
    "invalid-bond-name": (
        bond("mode: 802.3ad\nport: [ens224]").replace("name: bond0", "name: bond0;reboot"),
        f"{P}.name: 'bond0;reboot' is not a valid interface name: it contains characters not "
        "allowed in an interface name: ';'",
    ),
    "unknown-state": (
        bond("mode: 802.3ad\nport: [ens224]").replace("state: up", "state: running"),
        f"{P}.state: unknown state 'running' (expected one of up, down, absent, ignore)",
    ),
    "bad-ipv4-address": (
        bond(
            "mode: 802.3ad\nport: [ens224]",
            "ipv4:\n  enabled: true\n  address:\n  - ip: 10.0.0.300\n    prefix-length: 24",
        ),
        f"{P}.ipv4.address[0].ip: '10.0.0.300' is not an IPv4 address",
    ),
    "ipv6-address-in-ipv4": (
        bond(
            "mode: 802.3ad\nport: [ens224]",
            "ipv4:\n  address:\n  - ip: 2001:db8::1\n    prefix-length: 64",
        ),
        f"{P}.ipv4.address[0].ip: '2001:db8::1' is not an IPv4 address",
    ),
    "prefix-length-abc": (
        bond(
            "mode: 802.3ad\nport: [ens224]",
            "ipv4:\n  address:\n  - ip: 10.0.0.1\n    prefix-length: abc",
        ),
        f"{P}.ipv4.address[0].prefix-length: must be a whole number, got a string ('abc')",
    ),
    "prefix-length-too-long": (
        bond(
            "mode: 802.3ad\nport: [ens224]",
            "ipv4:\n  address:\n  - ip: 10.0.0.1\n    prefix-length: 33",
        ),
        f"{P}.ipv4.address[0].prefix-length: must be between 0 and 32, got 33",
    ),
    "prefix-length-missing": (
        bond("mode: 802.3ad\nport: [ens224]", "ipv6:\n  address:\n  - ip: 2001:db8::1"),
        f"{P}.ipv6.address[0].prefix-length: missing",
    ),
    "address-not-a-list": (
        bond("mode: 802.3ad\nport: [ens224]", "ipv4:\n  address: 10.0.0.1/24"),
        f"{P}.ipv4.address: must be a list, got a string",
    ),
    "ip-enabled-not-bool": (
        bond("mode: 802.3ad\nport: [ens224]", "ipv4:\n  enabled: maybe"),
        f"{P}.ipv4.enabled: expected a boolean (true/false, yes/no, on/off, 1/0), got 'maybe'",
    ),
    "ipv4-not-a-map": (
        bond("mode: 802.3ad\nport: [ens224]", "ipv4: true"),
        f"{P}.ipv4: must be a map, got a boolean",
    ),
    "no-bond": (
        nncp("desiredState:\n  interfaces:\n  - name: eth1\n    type: ethernet\n    state: up"),
        "policy worker-bond: spec.desiredState.interfaces: no bond interface to verify "
        "(found: ethernet)",
    ),
    "empty-interfaces": (
        nncp("desiredState:\n  interfaces: []"),
        "policy worker-bond: spec.desiredState.interfaces: no bond interface to verify "
        "(the list is empty)",
    ),
    "interfaces-not-a-list": (
        nncp("desiredState:\n  interfaces: bond0"),
        "policy worker-bond: spec.desiredState.interfaces: must be a list, got a string",
    ),
    "interfaces-missing": (
        nncp("desiredState:\n  routes: {}"),
        "policy worker-bond: spec.desiredState.interfaces: missing: the desired state lists no "
        "interfaces",
    ),
    "interface-without-name": (
        nncp("desiredState:\n  interfaces:\n  - type: bond"),
        "policy worker-bond: spec.desiredState.interfaces[0].name: missing",
    ),
    "interface-not-a-map": (
        nncp("desiredState:\n  interfaces:\n  - bond0"),
        "policy worker-bond: spec.desiredState.interfaces[0]: must be a map, got a string",
    ),
    "bond-twice": (
        nncp(
            "desiredState:\n  interfaces:\n"
            "  - {name: bond0, type: bond, link-aggregation: {mode: 1}}\n"
            "  - {name: bond0, type: bond, link-aggregation: {mode: 1}}"
        ),
        "policy worker-bond: spec.desiredState.interfaces[1].name: bond 'bond0' is also "
        "declared at interfaces[0]",
    ),
    "desired-state-missing": (
        nncp("nodeSelector: {}"),
        "policy worker-bond: spec.desiredState: missing",
    ),
    "desired-state-not-a-map": (
        nncp("desiredState: [a]"),
        "policy worker-bond: spec.desiredState: must be a map, got a list",
    ),
    "spec-missing": (
        HEAD.replace("spec:\n", ""),
        "policy worker-bond: spec: missing",
    ),
    "node-selector-int-value": (
        nncp("nodeSelector:\n  rack: 3\ndesiredState: {interfaces: []}"),
        "policy worker-bond: spec.nodeSelector.rack: label values must be strings, got a number "
        "(3); quote it",
    ),
    "node-selector-not-a-map": (
        nncp("nodeSelector: [worker]\ndesiredState: {interfaces: []}"),
        "policy worker-bond: spec.nodeSelector: must be a map, got a list",
    ),
    "capture-not-a-map": (
        nncp("capture: [x]\ndesiredState: {interfaces: []}"),
        "policy worker-bond: spec.capture: must be a map, got a list",
    ),
    "generation-not-a-number": (
        HEAD.replace("  name: worker-bond\n", "  name: worker-bond\n  generation: two\n")
        + "  desiredState: {interfaces: []}\n",
        "policy worker-bond: metadata.generation: must be a number, got a string",
    ),
    "api-version-unsupported": (
        HEAD.replace("nmstate.io/v1", "nmstate.io/v2") + "  desiredState: {interfaces: []}\n",
        "policy worker-bond: apiVersion: unsupported 'nmstate.io/v2' (expected one of "
        "nmstate.io/v1, nmstate.io/v1beta1, nmstate.io/v1alpha1)",
    ),
    "upper-device-bad-name": (
        nncp(
            "desiredState:\n  interfaces:\n"
            "  - {name: bond0, type: bond, link-aggregation: {mode: 1, port: [eth1]}}\n"
            "  - name: bond0.1000000000\n    type: vlan\n    vlan: {base-iface: bond0, id: 1}\n"
            "    ipv4: {enabled: true, dhcp: true}"
        ),
        "policy worker-bond: spec.desiredState.interfaces[1].name: 'bond0.1000000000' is not a "
        "valid interface name: it is 16 bytes long; Linux allows at most 15",
    ),
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_invalid_policy_names_the_field(case: str, write_yaml: Writer) -> None:
    text, expected = ERROR_CASES[case]
    path = write_yaml(text)
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert str(info.value) == expected
    assert info.value.exit_code == EXIT_USAGE


def test_metadata_name_missing_names_the_file(write_yaml: Writer) -> None:
    path = write_yaml(
        HEAD.replace("  name: worker-bond\n", "  labels: {}\n") + "  desiredState: {}\n"
    )
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert str(info.value) == f"policy in {path}: metadata.name: missing"


def test_bad_yaml_reports_the_line(write_yaml: Writer) -> None:
    path = write_yaml(nncp("desiredState:\n  interfaces:\n  - name: bond0\n    type: [bond"))
    with pytest.raises(InputError) as info:
        load_policy_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}:10: invalid YAML: ")
    assert "\n" not in message
    assert info.value.exit_code == EXIT_USAGE


def test_duplicate_key_is_an_error(write_yaml: Writer) -> None:
    path = write_yaml(bond("mode: 802.3ad\nport: [ens224]\nmode: active-backup"))
    with pytest.raises(InputError) as info:
        load_policy_file(path)
    assert str(info.value) == (
        f"{path}:14: invalid YAML: duplicate key 'mode' (first given on line 12)"
    )


def test_missing_file() -> None:
    with pytest.raises(InputError) as info:
        load_policy_file("/nonexistent/dir/policy.yaml")
    assert str(info.value) == "cannot read policy file /nonexistent/dir/policy.yaml: no such file"
    assert not isinstance(info.value, PolicyError)


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"it is a directory$"):
        load_policy_file(str(tmp_path))


def test_path_through_a_file(write_yaml: Writer) -> None:
    path = write_yaml(bond("mode: 1\nport: [a]"))
    with pytest.raises(InputError) as info:
        load_policy_file(f"{path}/policy.yaml")
    assert str(info.value) == f"cannot read policy file {path}/policy.yaml: Not a directory"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"metadata:\n  name: caf\xe9\n")
    with pytest.raises(InputError, match=r"not UTF-8 text$"):
        load_policy_file(str(path))


def test_not_an_nncp(write_yaml: Writer) -> None:
    path = write_yaml("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    with pytest.raises(PolicyError) as info:
        load_policy_file(path)
    assert str(info.value) == (
        f"{path}: not an NNCP: holds no NodeNetworkConfigurationPolicy (found ConfigMap)"
    )


def test_empty_file(write_yaml: Writer) -> None:
    path = write_yaml("# nothing here\n")
    with pytest.raises(
        PolicyError, match=r"holds no NodeNetworkConfigurationPolicy \(the file is empty\)"
    ):
        policies_in_file(path)


def test_scalar_document(write_yaml: Writer) -> None:
    path = write_yaml("just text\n")
    with pytest.raises(PolicyError, match=r"\(found a string\)"):
        load_policy_file(path)


def test_two_policies_with_the_same_name(write_yaml: Writer) -> None:
    one = bond("mode: 1\nport: [eth1]")
    path = write_yaml(one + "---\n" + one)
    with pytest.raises(PolicyError) as info:
        load_policy_file(path, "worker-bond")
    assert str(info.value) == f"{path}: holds 2 policies named 'worker-bond'"


def test_only_the_chosen_policy_is_validated(write_yaml: Writer) -> None:
    good = bond("mode: 1\nport: [eth1]")
    broken = good.replace("worker-bond", "broken").replace("mode: 1", "mode: nine")
    path = write_yaml(broken + "---\n" + good)
    assert load_policy_file(path, "worker-bond").bonds[0].mode == "active-backup"
    with pytest.raises(PolicyError, match=r"^policy broken: .*mode: unknown bond mode 'nine'"):
        load_policy_file(path, "broken")
    with pytest.raises(PolicyError, match=r"^policy broken: "):
        policies_in_file(path)


def test_policy_from_object_rejects_other_kinds() -> None:
    obj = {
        "apiVersion": "nmstate.io/v1beta1",
        "kind": "NodeNetworkState",
        "metadata": {"name": "w0"},
    }
    with pytest.raises(PolicyError) as info:
        policy_from_object(obj, source="cluster")
    assert str(info.value) == (
        "policy w0: kind: expected NodeNetworkConfigurationPolicy, got 'NodeNetworkState'"
    )


def test_policy_from_object_rejects_non_maps() -> None:
    with pytest.raises(PolicyError, match=r"^cluster: not an NNCP: expected a map, got a list$"):
        policy_from_object(["x"], source="cluster")  # type: ignore[arg-type]
