"""Capture directories for CLI tests, built from real kernel text in fixtures/.

The healthy node is the Ubuntu 6.8 root view of a healthy 802.3ad bond (fixtures/procfs) with
its port names and hash policy set to the reference policy's (ens224/ens256, layer3+4), so
the reference policy (fixtures/policies/worker-bond-lacp.yaml) passes on it. Every other
scenario changes one thing, the way the matching fault changes the kernel's output.
"""

from __future__ import annotations

from pathlib import Path

from bondcheck.model import Evidence
from bondcheck.transport.capture import write_capture, write_failure

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
POLICY = FIXTURES / "policies" / "worker-bond-lacp.yaml"
DEMO = FIXTURES / "demo"
_PROCFS = FIXTURES / "procfs" / "corpus"
_IPROUTE = FIXTURES / "iproute"


def _ports(text: str, old: tuple[str, str]) -> str:
    for before, after in zip(old, ("ens224", "ens256"), strict=True):
        text = text.replace(f"Slave Interface: {before}\n", f"Slave Interface: {after}\n")
    return text


def healthy_text() -> str:
    """Root view of a healthy LACP bond0 over ens224 + ens256, layer3+4, lacp_rate fast."""
    text = (_PROCFS / "ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt").read_text()
    return _ports(text, ("e1", "e2")).replace("layer2+3 (2)", "layer3+4 (1)")


def no_partner_text() -> str:
    """The switch sends no LACPDU: the partner system MAC stays all zeros."""
    return healthy_text().replace(
        "system mac address: 02:fc:ce:91:32:14", "system mac address: 00:00:00:00:00:00"
    )


def nonroot_text() -> str:
    """A healthy bond read without CAP_NET_ADMIN: the LACP details are withheld (a warning)."""
    name = "ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1.txt"
    return _ports((_PROCFS / name).read_text(), ("eno3", "eno2"))


def ip_addr(kind: str = "healthy") -> str:
    """``ip -j addr``: ``healthy`` (address on bond0) or ``port-with-ip`` (one on ens256)."""
    name = "lab-8023ad-healthy" if kind == "healthy" else "lab-8023ad-port-with-ip"
    return (_IPROUTE / f"{name}.ip-addr.json").read_text()


def node(name: str, bond_text: str | None, addr: str = "healthy") -> Evidence:
    return Evidence(node=name, transport="ssh", bonds={"bond0": bond_text}, ip_addr=ip_addr(addr))


def build(root: Path, spec: dict[str, str]) -> Path:
    """Write a capture with one node per entry: healthy, no-partner, nonroot, port-ip,
    missing (no bond0), garbage (bond0 not bonding text), error (not collected)."""
    for name, kind in spec.items():
        if kind == "error":
            write_failure(name, "ssh: connection timed out after 10s", root)
            continue
        text = {
            "healthy": healthy_text,
            "no-partner": no_partner_text,
            "nonroot": nonroot_text,
            "port-ip": healthy_text,
            "missing": lambda: None,
            "garbage": lambda: "this is not\n/proc/net/bonding output\n",
        }[kind]()
        write_capture(node(name, text, "port-with-ip" if kind == "port-ip" else "healthy"), root)
    return root
