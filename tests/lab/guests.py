"""What the lab does on running guests: commands, scenarios, faults, captures.

GuestOps is mixed into Lab (tests/lab/harness.py), which owns the guests' lifecycle. Node
is the inventory entry other tools consume (name, host, port, user, key, known_hosts).
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tests.lab import bondproc as bp
from tests.lab import scenarios as sc
from tests.lab.errors import LabError, LabTimeout
from tests.lab.sshconn import Connection

BONDING = "/proc/net/bonding/bond0"


@dataclass(frozen=True)
class Node:
    """How to reach one lab node (the inventory entry other tools consume)."""

    name: str
    host: str
    port: int
    user: str
    index: int
    key_path: Path
    known_hosts_path: Path

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["key_path"] = str(self.key_path)
        d["known_hosts_path"] = str(self.known_hosts_path)
        return d


@dataclass
class Guest:
    """The lab's bookkeeping for one node: its process, connection and scenario."""

    node: Node
    node_dir: Path
    pid: int
    conn: Connection
    proc: subprocess.Popen[bytes] | None = None
    scenario: str | None = None
    dirty: bool = True
    running: bool = True


NodeRef = Node | str | int  # a node by object, name ("worker-1") or index


class GuestOps:
    """Commands, scenarios, faults and captures on the nodes of a lab."""

    def _guest(self, ref: NodeRef) -> Guest:
        raise NotImplementedError

    def node(self, ref: NodeRef) -> Node:
        """The inventory entry of a node named by Node, name ("worker-1") or index."""
        return self._guest(ref).node

    # ---- commands ----------------------------------------------------------------------
    def run(
        self, ref: NodeRef, cmd: str, timeout: float = 60.0, *, mutates: bool = True
    ) -> tuple[int, str, str]:
        """Run cmd as root on the node: (exit code, stdout, stderr).

        mutates=True (the default) makes the next scenario() rebuild even if the node is
        already in that scenario, since the harness cannot know what cmd changed.
        """
        guest = self._guest(ref)
        if mutates:
            guest.dirty = True
        return guest.conn.run(cmd, timeout)

    def check(self, ref: NodeRef, cmd: str, timeout: float = 60.0, *, mutates: bool = True) -> str:
        """run() that raises LabError on a non-zero exit; returns stdout."""
        rc, out, err = self.run(ref, cmd, timeout, mutates=mutates)
        if rc != 0:
            raise LabError(f"{self.node(ref).name}: {cmd!r} exited {rc}: {err.strip()[-300:]}")
        return out

    def bonding_text(self, ref: NodeRef) -> str | None:
        """Raw /proc/net/bonding/bond0 as root sees it; None when there is no bond0."""
        rc, out, err = self._guest(ref).conn.run(
            f"if [ -e {BONDING} ]; then cat {BONDING}; else exit 3; fi", 30
        )
        if rc == 3:
            return None
        if rc != 0:
            raise LabError(f"reading {BONDING} failed: {err.strip()}")
        return out

    def bond(self, ref: NodeRef) -> bp.Bond | None:
        """The parsed bond (lab's minimal parser); None when there is no bond0."""
        text = self.bonding_text(ref)
        return None if text is None else bp.parse(text)

    def wait_for(
        self, ref: NodeRef, predicate: bp.Predicate, timeout: float = 60.0, what: str = "condition"
    ) -> bp.Bond | None:
        """Poll /proc until predicate(bond) holds; LabTimeout with the last state if not."""
        return self._wait(self._guest(ref), predicate, timeout, what)

    def _wait(
        self, guest: Guest, predicate: bp.Predicate, timeout: float, what: str
    ) -> bp.Bond | None:
        deadline = time.monotonic() + timeout
        while True:
            text = self.bonding_text(guest.node)
            bond = None if text is None else bp.parse(text)
            if predicate(bond):
                return bond
            if time.monotonic() >= deadline:
                summary = "no bond0" if bond is None else _summary(bond)
                raise LabTimeout(
                    f"{guest.node.name}: {what} not reached within {timeout:.0f} s ({summary})"
                )
            time.sleep(0.2)

    # ---- scenarios and faults -----------------------------------------------------------
    def scenario(self, ref: NodeRef, name: str, *, force: bool = False) -> bp.Bond | None:
        """Rebuild the node as scenario `name` in place and wait until it has converged.

        A node already in that scenario, untouched since, and still converged is kept as is
        (force=True rebuilds anyway). Returns the parsed final bond (None: no bond0).
        """
        spec = sc.scenario(name)
        guest = self._guest(ref)
        final = spec.settled or spec.ready
        if not force and guest.scenario == name and not guest.dirty:
            bond = self.bond(guest.node)
            if final(bond):
                return bond
        guest.scenario, guest.dirty = None, True
        rc, _, err = guest.conn.run(f"labnet scenario {spec.build}", 120)
        if rc != 0:
            raise LabError(f"{guest.node.name}: building {name} failed: {err.strip()[-300:]}")
        bond = self._wait(guest, spec.ready, spec.timeout, f"{name} converged")
        for step in spec.steps:
            bond = self._fault(guest, step.fault, step.kwargs, spec, 60.0)
        if spec.settled is not None:
            bond = self._wait(guest, spec.settled, spec.timeout, f"{name} settled")
        guest.scenario, guest.dirty = name, False
        return bond

    def fault(
        self, ref: NodeRef, name: str, *, wait: bool = True, timeout: float = 60.0, **kwargs: str
    ) -> bp.Bond | None:
        """Apply a fault (see scenarios.FAULTS) to the running scenario; with wait=True
        block until /proc shows its effect (a replugged LACP port must rejoin)."""
        guest = self._guest(ref)
        spec = sc.SCENARIOS.get(guest.scenario or "")
        guest.dirty = True
        return self._fault(guest, name, kwargs, spec if wait else None, timeout, wait)

    def _fault(
        self,
        guest: Guest,
        name: str,
        kwargs: dict[str, str],
        spec: sc.Scenario | None,
        timeout: float,
        wait: bool = True,
    ) -> bp.Bond | None:
        args = " ".join(_quote(a) for a in sc.fault_args(name, kwargs))
        rc, _, err = guest.conn.run(f"labnet fault {name} {args}", 60)
        if rc != 0:
            raise LabError(f"{guest.node.name}: fault {name} failed: {err.strip()[-300:]}")
        effect = sc.fault_effect(name, kwargs, spec)
        if not wait or effect is None:
            return None
        return self._wait(guest, effect, timeout, f"fault {name} {args}")

    def current_scenario(self, ref: NodeRef) -> str | None:
        """The scenario the node was last built as, None if unknown or changed since."""
        guest = self._guest(ref)
        return None if guest.dirty else guest.scenario

    # ---- captures ----------------------------------------------------------------------
    def capture(self, ref: NodeRef, user: str | None = None) -> dict[str, str | None]:
        """Raw evidence: bonding (text or None), ip_addr, ip_link (JSON text), kernel.

        user=None reads as root (the privileged view); user="nobody" reads through busybox
        su, which shows /proc/net/bonding without the CAP_NET_ADMIN-only LACP details.
        """

        def as_user(cmd: str) -> str:
            return cmd if user is None else f"su -s /bin/sh {_quote(user)} -c {_quote(cmd)}"

        conn = self._guest(ref).conn
        result: dict[str, str | None] = {}
        for key, cmd in (
            ("bonding", f"cat {BONDING}"),
            ("ip_addr", "ip -j addr show"),
            ("ip_link", "ip -j -d link show"),
            ("kernel", "uname -r"),
        ):
            rc, out, err = conn.run(as_user(cmd), 60)
            if key == "bonding" and rc != 0 and "No such file" in err:
                result[key] = None
            elif rc != 0:
                raise LabError(f"{self.node(ref).name}: {cmd!r} exited {rc}: {err.strip()}")
            else:
                result[key] = out
        return result


def _quote(arg: str) -> str:
    return "'" + arg.replace("'", "'\\''") + "'"


def _summary(bond: bp.Bond) -> str:
    ports = ", ".join(
        f"{p.name} mii={p.mii} agg={p.aggregator} actor={p.actor_state} partner={p.partner_state}"
        for p in bond.ports.values()
    )
    return f"bond mii={bond.mii} active_agg={bond.active_aggregator} ports: {ports or 'none'}"
