"""Where a bond's addresses live: on the bond, or on a VLAN or bridge stacked on it.

A bond under ``br-ex`` (OpenShift), a linux-bridge, or a VLAN carries no address itself;
checking the bond for the policy's IP would be a false failure. The device that must hold
the addresses is found by walking up from the bond through the policy's own interfaces:
VLANs whose ``vlan.base-iface`` is the device, linux-bridges and ovs-bridges that list it as
a port (for an ovs-bridge, the ovs-interface ports of that bridge hold the address).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bondcheck.model import ExpectedIp
from bondcheck.policy.fields import Fields
from bondcheck.policy.ifaces import Iface, bridge_port_names, vlan_base
from bondcheck.policy.ipblock import expected_ip

_MAX_DEPTH = 3  # bond -> bridge -> vlan is the deepest stack seen in practice


@dataclass(frozen=True)
class IpHome:
    device: str
    ipv4: ExpectedIp | None
    ipv6: ExpectedIp | None
    notes: tuple[str, ...] = ()


def _blocks(iface: Iface, fields: Fields) -> tuple[ExpectedIp | None, ExpectedIp | None]:
    return (
        expected_ip(iface.raw.get("ipv4"), f"{iface.rel}.ipv4", 4, fields),
        expected_ip(iface.raw.get("ipv6"), f"{iface.rel}.ipv6", 6, fields),
    )


def _carries_ip(blocks: tuple[ExpectedIp | None, ExpectedIp | None]) -> bool:
    return any(block is not None and block.enabled for block in blocks)


def _uppers(device: str, ifaces: list[Iface]) -> Iterator[Iface]:
    """Entries stacked directly on ``device`` (absent ones are being removed: skipped)."""
    for iface in ifaces:
        if iface.state == "absent":
            continue
        is_vlan = iface.type == "vlan" and vlan_base(iface) == device
        if is_vlan or (iface.type == "linux-bridge" and device in bridge_port_names(iface)):
            yield iface
        elif iface.type == "ovs-bridge" and device in bridge_port_names(iface):
            internal = [
                other
                for other in ifaces
                if other.type == "ovs-interface"
                and other.name != device
                and other.name in bridge_port_names(iface)
            ]
            yield from internal or [iface]


def _stack(bond: Iface, ifaces: list[Iface]) -> list[Iface]:
    """Devices above the bond, nearest first, at most _MAX_DEPTH levels up."""
    found: list[Iface] = []
    seen = {(bond.name, bond.type)}
    level = [bond.name]
    for _ in range(_MAX_DEPTH):
        following = []
        for device in level:
            for upper in _uppers(device, ifaces):
                if (upper.name, upper.type) not in seen:
                    seen.add((upper.name, upper.type))
                    found.append(upper)
                    following.append(upper.name)
        level = following
    return found


def ip_home(bond: Iface, ifaces: list[Iface], fields: Fields) -> IpHome:
    """The device that must carry the bond's addresses and its ipv4/ipv6 expectations."""
    own = _blocks(bond, fields)
    stack = _stack(bond, ifaces)
    chosen: Iface | None = None
    chosen_blocks = own
    for upper in stack:
        blocks = _blocks(upper, fields)
        if _carries_ip(blocks):
            chosen, chosen_blocks = upper, blocks
            break
    if chosen is None and stack and own == (None, None):
        # Nothing asks for an address anywhere and the bond itself says nothing, so
        # the nearest device above it is where an address would belong.
        chosen, chosen_blocks = stack[0], _blocks(stack[0], fields)
    if chosen is None:
        return IpHome(device=bond.name, ipv4=own[0], ipv6=own[1])
    fields.ifname(chosen.name, f"{chosen.rel}.name")
    notes = [f"addresses are expected on {chosen.name} ({chosen.type} on top of {bond.name})"]
    if _carries_ip(own):
        notes.append(
            f"{bond.name} also has IP enabled itself; bondcheck verifies the addresses on "
            f"{chosen.name}"
        )
    return IpHome(
        device=chosen.name, ipv4=chosen_blocks[0], ipv6=chosen_blocks[1], notes=tuple(notes)
    )
