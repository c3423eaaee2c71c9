"""Builders of small NNCP texts for the loader tests (one policy named worker-bond)."""

from __future__ import annotations

HEAD = """\
apiVersion: nmstate.io/v1
kind: NodeNetworkConfigurationPolicy
metadata:
  name: worker-bond
spec:
"""


def nncp(body: str) -> str:
    """An NNCP named worker-bond whose spec is ``body`` (indented by two spaces)."""
    return HEAD + "".join(f"  {line}\n" for line in body.strip("\n").splitlines())


def bond(link_aggregation: str, extra: str = "") -> str:
    """A one-bond NNCP with the given link-aggregation body and extra bond keys."""
    la = "".join(f"        {line}\n" for line in link_aggregation.strip("\n").splitlines())
    more = "".join(f"      {line}\n" for line in extra.strip("\n").splitlines()) if extra else ""
    return (
        HEAD
        + "  desiredState:\n    interfaces:\n    - name: bond0\n      type: bond\n      state: up\n"
        + more
        + "      link-aggregation:\n"
        + la
    )
