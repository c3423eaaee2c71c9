"""Readers for ``ip -j addr show`` and ``ip -j -d link show`` (iproute2 JSON)."""

from __future__ import annotations

from bondcheck.model import IpState


def parse_ip_state(
    addr_text: str | None, link_text: str | None = None, *, source: str | None = None
) -> IpState:
    """Combine ``ip -j addr`` and ``ip -j -d link`` output into one IpState.

    Either may be None (not collected). Raises ParseError for text that is not iproute2 JSON.
    """
    raise NotImplementedError
