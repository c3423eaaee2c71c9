"""Generated worst cases for every reader of untrusted evidence, at a given size in bytes.

Each generator builds text of about ``size`` bytes shaped to hit a reader where a careless
loop goes quadratic: runs of blanks inside a value, a prefix repeated on one line, a list
start on every line, deep nesting, thousands of ports or interfaces. The suite runs each at
the largest size bondcheck accepts and holds it to a time budget (test_linear_time.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable

MiB = 1024 * 1024


def _fill(unit: str, size: int) -> str:
    return unit * max(1, size // len(unit))


def procfs_cases(size: int) -> dict[str, str]:
    mode = "Bonding Mode: IEEE 802.3ad Dynamic link aggregation\n"
    ports = "".join(
        f"Slave Interface: p{i}\nMII Status: up\nSpeed: 1000 Mbps\nAggregator ID: {i}\n"
        for i in range(size // 70)
    )
    return {
        "blanks-in-mode": "Bonding Mode: a" + " " * size + "b\n",
        "literal-tabs": mode + _fill("\\t", size) + "x: y\n",
        "fail-over-mac": "Bonding Mode: fault-tolerance (active-backup)"
        + _fill(" (fail_over_mac", size)
        + "\n",
        "primary-blanks": mode + "Primary Slave: eth0 (primary_reselect" + " " * size + "x\n",
        "many-ports": mode + ports,
        "unknown-lines": mode + _fill("Some Unknown Label: value\n", size),
    }


def ip_json_cases(size: int) -> dict[str, str]:
    link = {"ifindex": 1, "ifname": "eth0", "addr_info": [{"family": "inet", "local": "10.0.0.1"}]}
    many = json.dumps([{**link, "ifname": f"e{i}"} for i in range(size // 90)])
    return {
        "list-start-per-line": _fill("[x\n", size),
        "object-start-per-line": _fill("[{\n", size),
        "deep": "[" * size,
        "many-interfaces": many,
    }


def nns_state(size: int) -> dict[str, object]:
    ports = [f"p{i}" for i in range(size // 60)]
    ifaces: list[dict[str, object]] = [
        {"name": "bond0", "type": "bond", "state": "up",
         "link-aggregation": {"mode": "802.3ad", "port": ports}},
    ]  # fmt: skip
    ifaces += [{"name": p, "type": "ethernet", "state": "up"} for p in ports]
    return {"interfaces": ifaces}


def sos_oneline_addr(size: int) -> str:
    line = "2: ens224    inet 192.168.100.10/24 brd 192.168.100.255 scope global ens224\\ x\n"
    return _fill(line, size)


def policy_text(size: int) -> str:
    head = (
        "apiVersion: nmstate.io/v1\nkind: NodeNetworkConfigurationPolicy\n"
        "metadata: {name: big}\nspec:\n  desiredState:\n    interfaces:\n"
        "    - name: bond0\n      type: bond\n      state: up\n      link-aggregation:\n"
        "        mode: 802.3ad\n        port:\n"
    )
    count = (size - len(head)) // 120
    ports = "".join(f"        - p{i}\n" for i in range(count))
    ifaces = "".join(
        f"    - name: p{i}\n      type: ethernet\n      state: up\n      ipv4: {{enabled: true}}\n"
        for i in range(count)
    )
    return head + ports + ifaces


def alias_bomb() -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


READERS: dict[str, Callable[[int], object]] = {
    "procfs": procfs_cases,
    "ip-json": ip_json_cases,
}
