"""What a bond port's LLDP neighbour says about the switch port at the other end of its cable.

Part of ``bondcheck.model``: import the names from there.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LldpNeighbor:
    """One neighbour heard on a local port (lldpd's ``lldpctl -f json`` or NNS TLVs).

    The chassis ID identifies the switch (two ports with the same chassis ID reach the same
    switch, whatever its name says); system name and port ID are what a person looks for on
    the switch. Every field is the neighbour's own words: untrusted, shown, never executed.
    """

    port: str  # the local interface that heard it
    chassis_id: str | None = None
    system_name: str | None = None
    port_id: str | None = None
    port_descr: str | None = None

    @property
    def switch(self) -> str:
        """The switch as a person names it: system name, else chassis ID."""
        return self.system_name or self.chassis_id or "?"

    @property
    def where(self) -> str:
        """``leaf-1 Ethernet1/7``: the switch and its port, for messages."""
        return f"{self.switch} {self.port_id or self.port_descr or '?'}"
