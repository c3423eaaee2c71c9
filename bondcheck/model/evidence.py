"""What a node gave us: the target and its raw evidence (transports and capture dirs).

Part of ``bondcheck.model``: import the names from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bondcheck.model.policy import Enactment


@dataclass(frozen=True)
class NodeTarget:
    """A node to collect from: its name, an address to reach it, and its labels."""

    name: str
    address: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Rendering:
    """A node's own rendering of a templated policy: its NNCE ``status.desiredState``.

    The policy's name travels with the state so a saved capture is never judged against
    another policy's rendering.
    """

    policy: str
    desired_state: Mapping[str, Any]


@dataclass(frozen=True)
class Evidence:
    """Raw output from one node, exactly as printed, so it can be saved and re-judged.

    ``bonds`` maps each bond name to the text of /proc/net/bonding/<bond>, or None when the
    file does not exist (the bond is absent). ``privileged`` records whether the reader had
    CAP_NET_ADMIN as far as the transport knows (uid 0 / sudo), None when unknown.
    ``rendering`` is the node's own rendering of a templated policy, kept with the evidence
    so a saved capture is judged against the bonds that node was asked for, not against
    unrendered ``{{ }}`` templates. ``collected_at`` (RFC 3339, UTC) is when a saved capture
    was taken (meta.json, or a sosreport's own date), so two snapshots can say how far apart
    they are; None for live evidence and for captures that do not say.
    """

    node: str
    transport: str
    bonds: Mapping[str, str | None] = field(default_factory=dict)
    ip_addr: str | None = None
    ip_link: str | None = None
    privileged: bool | None = None
    kernel: str | None = None
    enactment: Enactment | None = None
    nns_state: Mapping[str, Any] | None = None  # NodeNetworkState currentState (--via nns)
    notes: tuple[str, ...] = ()
    rendering: Rendering | None = None
    lldp: str | None = None  # ``lldpctl -f json`` when lldpd runs on the node
    collected_at: str | None = None


@dataclass(frozen=True)
class NodeFailure:
    """A node bondcheck could not judge, and why in one line; it becomes an ERROR node.

    One record for every stage that can lose a node, so the run, the fleet runner and the
    renderers never guess which field holds the reason. ``kind`` says which stage:

    * ``collect``: the transport (or a saved capture) yielded no usable evidence: the node is
      unreachable, refused authentication, timed out, or its capture holds an error;
    * ``unrendered``: a templated policy has no rendering for the node, so the bonds it
      should have are unknown (the node is not judged against ``{{ }}`` templates);
    * ``internal``: a transport raised something it should not have (a bondcheck bug).
    """

    node: str
    transport: str
    message: str
    kind: str = "collect"
