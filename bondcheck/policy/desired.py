"""An nmstate desired state (NNCP ``spec.desiredState`` or NNCE ``status.desiredState``)
reduced to the bonds bondcheck verifies, plus notes on what it holds that bondcheck does not.

Shared by the file path and the cluster path, so a policy read from disk and the rendered
state of a node's enactment give identical ExpectedBonds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bondcheck.errors import PolicyError
from bondcheck.ifname import ifname_problem
from bondcheck.model import ExpectedBond, Policy
from bondcheck.policy.bondconf import bond_conf
from bondcheck.policy.fields import Fields
from bondcheck.policy.ifaces import Iface, OvsBond, collect_interfaces, ovs_bonds
from bondcheck.policy.ipblock import expected_ip
from bondcheck.policy.upper import ip_home

UNTYPED_ABSENT_NOTE = "no 'type' given for this removal: taken to be the bond being removed"


def _ovs_label(bond: OvsBond) -> str:
    return f"{bond.name} of ovs-bridge {bond.bridge}"


def unverified_notes(desired: object) -> tuple[str, ...]:
    """What ``desired`` holds that bondcheck does not verify, one line each; never raises.

    Today that is Open vSwitch bonds: they live in OVS, so /proc/net/bonding never shows
    them, and a report that left them out silently would read as full coverage. Malformed
    input gives whatever can be read; the normal validation reports what is wrong with it.
    """
    notes = []
    for bond in ovs_bonds(desired):
        details = [f"mode {bond.mode}"] if bond.mode else []
        if bond.ports:
            details.append(f"ports {', '.join(bond.ports)}")
        shown = f" ({'; '.join(details)})" if details else ""
        notes.append(
            f"OVS bond {_ovs_label(bond)}{shown} is not verified: bondcheck reads kernel bonds "
            f"(/proc/net/bonding); {_show_hint(bond)}"
        )
    return tuple(dict.fromkeys(notes))


def _show_hint(bond: OvsBond) -> str:
    """The command to look at the bond with; only for a name that is safe to paste."""
    if ifname_problem(bond.name) is None:
        return f"check it with ovs-appctl bond/show {bond.name}"
    return "check it with ovs-appctl bond/list"


def _ovs_only(bonds: list[OvsBond]) -> str:
    """Why a state whose only bonds are OVS bonds has nothing for bondcheck to verify."""
    if len(bonds) == 1:
        what = f"OVS bond {_ovs_label(bonds[0])} is an Open vSwitch bond"
        hint = _show_hint(bonds[0])
    else:
        labels = [_ovs_label(b) for b in bonds]
        what = f"OVS bonds {', '.join(labels[:-1])} and {labels[-1]} are Open vSwitch bonds"
        hint = "check each with ovs-appctl bond/show PORT"
    return f"no kernel bond to verify: {what}, which bondcheck does not read ({hint})"


def has_template(value: object) -> bool:
    """True when any string inside ``value`` holds an nmpolicy template (``{{ ... }}``)."""
    if isinstance(value, str):
        return "{{" in value
    if isinstance(value, Mapping):
        return any(has_template(k) or has_template(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(has_template(item) for item in value)
    return False


def _link_aggregation(iface: Iface, fields: Fields) -> tuple[Mapping[str, object], str]:
    """The bond section and its path; nmstate also reads it under the alias ``bond``."""
    key = (
        "bond"
        if "bond" in iface.raw and "link-aggregation" not in iface.raw
        else "link-aggregation"
    )
    rel = f"{iface.rel}.{key}"
    return fields.mapping(iface.raw.get(key), rel), rel


def _is_bond(iface: Iface) -> bool:
    if iface.type == "bond":
        return True
    return iface.type is None and (
        "link-aggregation" in iface.raw or isinstance(iface.raw.get("bond"), Mapping)
    )


def _bond_entries(ifaces: list[Iface]) -> list[tuple[Iface, tuple[str, ...]]]:
    """The entries that are bonds, each with notes about how it was recognised.

    A removal entry often names only the interface (``- name: bond0`` / ``state: absent``,
    as in kubernetes-nmstate's own tutorial). When a policy declares no typed bond, such
    untyped removals are taken to be the bond removal the policy is about.
    """
    bonds: list[tuple[Iface, tuple[str, ...]]] = [(i, ()) for i in ifaces if _is_bond(i)]
    if bonds:
        return bonds
    return [
        (iface, (UNTYPED_ABSENT_NOTE,))
        for iface in ifaces
        if iface.type is None and iface.state == "absent"
    ]


def _port_notes(ports: tuple[str, ...], ifaces: list[Iface], fields: Fields) -> list[str]:
    """What the policy says about the bond's ports that a reader should know: a port declared
    in a state other than up, or with an address (a bond port should carry none). A routine
    declaration (ethernet, IP disabled) is not worth a line in every report."""
    notes = []
    by_name: dict[str, list[Iface]] = {}  # one pass over the interfaces: linear in both
    for iface in ifaces:
        by_name.setdefault(iface.name, []).append(iface)
    for port in ports:
        for iface in by_name.get(port, ()):
            ipv4 = expected_ip(iface.raw.get("ipv4"), f"{iface.rel}.ipv4", 4, fields)
            ipv6 = expected_ip(iface.raw.get("ipv6"), f"{iface.rel}.ipv6", 6, fields)
            kind = iface.type or "interface"
            if iface.state != "up":
                notes.append(f"port {port}: declared as {kind} with state {iface.state}")
            blocks = (("IPv4", ipv4), ("IPv6", ipv6))
            enabled = [label for label, block in blocks if block is not None and block.enabled]
            if enabled:
                notes.append(
                    f"port {port}: declared as {kind} with {' and '.join(enabled)} enabled; "
                    "a bond port should carry no address"
                )
    return notes


def _controlled_ports(
    bond: str, listed: tuple[str, ...], ifaces: list[Iface], notes: list[str], fields: Fields
) -> tuple[str, ...]:
    """Ports attached from their own entry (``controller: bond0``, nmstate 2.x) that the
    bond's port list does not name; nmstate attaches them as well."""
    extra: list[str] = []  # dict-ordered membership below: linear however many ports
    listed_set = set(listed)
    for iface in ifaces:
        if iface.raw.get("controller") != bond or iface.state == "absent":
            continue
        if iface.name not in listed_set and iface.name not in extra:
            extra.append(fields.ifname(iface.name, f"{iface.rel}.name"))
    if extra:
        notes.append(f"ports attached by their own 'controller: {bond}': {', '.join(extra)}")
    return tuple(extra)


def _expected_bond(
    iface: Iface, extra_notes: tuple[str, ...], ifaces: list[Iface], fields: Fields
) -> ExpectedBond:
    name = fields.ifname(iface.name, f"{iface.rel}.name")
    state = iface.state
    conf_map, conf_rel = _link_aggregation(iface, fields)
    conf = bond_conf(conf_map, conf_rel, state, fields)
    notes = [*extra_notes, *conf.notes]
    if state == "absent":
        return ExpectedBond(
            name=name,
            state="absent",
            mode=conf.mode,
            options=conf.options,
            ports=conf.ports,
            notes=tuple(notes),
        )
    ports = conf.ports + _controlled_ports(name, conf.ports, ifaces, notes, fields)
    if not ports:
        notes.append("the policy lists no ports: nmstate keeps whatever ports the bond has")
    home = ip_home(iface, ifaces, fields)
    notes.extend(home.notes)
    notes.extend(_port_notes(ports, ifaces, fields))
    return ExpectedBond(
        name=name,
        state=state,
        mode=conf.mode,
        options=conf.options,
        ports=ports,
        ip_device=home.device,
        ipv4=home.ipv4,
        ipv6=home.ipv6,
        notes=tuple(notes),
    )


def expected_bonds_from_desired_state(
    desired: Mapping[str, Any], *, where: str
) -> tuple[ExpectedBond, ...]:
    """Every bond of a desired state, in policy order, fully normalised.

    ``where`` prefixes error messages and names the location of ``desired``, e.g.
    ``"policy worker-bond: spec.desiredState"`` (field paths are joined with a dot) or
    ``"policy runbook:"`` (joined with a space). Raises PolicyError naming the offending
    field, including when the state holds no bond at all. Interfaces in state ``ignore``
    are not managed by nmstate and are not verified.
    """
    fields = Fields(where)
    if not isinstance(desired, Mapping):
        raise PolicyError(f"{where}: must be a map with an 'interfaces' list")
    ifaces = collect_interfaces(desired, fields)
    candidates = _bond_entries(ifaces)
    seen: dict[str, Iface] = {}
    bonds = []
    for iface, notes in candidates:
        if iface.state == "ignore":
            continue
        if iface.name in seen:
            raise fields.error(
                f"{iface.rel}.name",
                f"bond {iface.name!r} is also declared at {seen[iface.name].rel}",
            )
        seen[iface.name] = iface
        bonds.append(_expected_bond(iface, notes, ifaces, fields))
    if not bonds:
        ovs = ovs_bonds(desired)
        if ovs:
            raise fields.error("interfaces", _ovs_only(ovs))
        kinds = sorted({i.type or "untyped" for i in ifaces})
        found = f" (found: {', '.join(kinds)})" if kinds else " (the list is empty)"
        raise fields.error("interfaces", f"no bond interface to verify{found}")
    return tuple(bonds)


def node_policy(policy: Policy, desired: Mapping[str, Any], *, where: str) -> Policy:
    """``policy`` as one node must see it: the bonds of that node's rendered desired state.

    A templated NNCP (capture / ``{{ }}``) means nothing until kubernetes-nmstate renders it
    per node into the NNCE; the cluster path and a saved capture both hand that rendering in
    here, so a node is judged the same way live and offline. PolicyError when it is unusable.
    Its notes are those of the rendering too: the template may name what the node does not.
    """
    return replace(
        policy,
        bonds=expected_bonds_from_desired_state(desired, where=where),
        notes=unverified_notes(desired),
    )
