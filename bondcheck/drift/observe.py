"""One node's Evidence as the parsed model: the same parsers verify's judge uses.

Pure: text in, NodeState out. Text that does not parse raises ParseError (the caller reports
the node as unreadable on that side, never as a change).
"""

from __future__ import annotations

from collections.abc import Iterable

from bondcheck.drift.model import NodeState
from bondcheck.errors import ParseError
from bondcheck.model import Evidence, IpState, LldpNeighbor, ObservedBond
from bondcheck.parse.iproute import parse_ip_state
from bondcheck.parse.lldp import parse_lldpctl
from bondcheck.parse.procfs import parse_bonding


def observe(evidence: Evidence, bonds: Iterable[str] | None = None) -> NodeState:
    """The node's bonds (all it holds, or only ``bonds``), addresses, links and kernel.

    NodeNetworkState evidence (``--via nns``) has no /proc text to compare; its bonds are read
    as absent and a caller should not use it as a baseline.
    """
    names = list(evidence.bonds) if bonds is None else list(bonds)
    parsed: dict[str, ObservedBond | None] = {}
    for name in names:
        text = evidence.bonds.get(name)
        source = f"{evidence.node}:/proc/net/bonding/{name}"
        parsed[name] = None if text is None else parse_bonding(text, name=name, source=source)
    ip = (
        parse_ip_state(evidence.ip_addr, evidence.ip_link, source=f"{evidence.node}:ip -j")
        if evidence.ip_addr is not None or evidence.ip_link is not None
        else IpState()
    )
    kernel = evidence.kernel.strip() if evidence.kernel and evidence.kernel.strip() else None
    return NodeState(
        node=evidence.node,
        bonds=parsed,
        ip=ip,
        kernel=kernel,
        collected_at=evidence.collected_at,
        lldp=_lldp(evidence),
    )


def _lldp(evidence: Evidence) -> dict[str, tuple[LldpNeighbor, ...]] | None:
    """LLDP neighbours when the snapshot has them; unreadable LLDP data is "no source" here
    (verify reports it as EVIDENCE-PARSE), so the bonds are still compared."""
    if evidence.lldp is None:
        return None
    try:
        return parse_lldpctl(evidence.lldp)
    except ParseError:
        return None
