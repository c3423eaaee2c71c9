"""The lab harness: boot N real-kernel guests, drive scenarios over SSH, capture evidence.

    lab = Lab()
    lab.start(3)                      # worker-0..2, each in healthy-802.3ad
    lab.scenario("worker-1", "fault-no-lacp-partner")
    rc, out, err = lab.run("worker-1", "cat /proc/net/bonding/bond0")
    lab.stop()

Nodes can be named by Node, name or index. Guests are stopped only through the pids this
harness recorded. A lab started by `python -m tests.lab up` leaves a state file behind that
Lab.attach() reads, so tests can reuse running guests.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tests.lab import qemu
from tests.lab import scenarios as sc
from tests.lab.build import build, node_overlay
from tests.lab.build_systemd import MEMORY_MB as SYSTEMD_MEMORY_MB
from tests.lab.build_systemd import build_systemd
from tests.lab.errors import LabError, LabUnavailable
from tests.lab.guests import Guest, GuestOps, Node, NodeRef
from tests.lab.sshconn import Connection, keygen, known_hosts_line, wait_banner, write_ssh_config

__all__ = ["BOOT_SCENARIO", "Lab", "LabError", "LabUnavailable", "Node"]

HOST = "127.0.0.1"
BOOT_SCENARIO = "healthy-802.3ad"  # what rcS builds at boot
STATE_SCHEMA = 1
#: Guest flavors: node name prefix and memory (MB) of each.
FLAVORS: dict[str, tuple[str, int]] = {
    "busybox": ("worker-", qemu.MEMORY_MB),
    "systemd": ("worker-sd-", SYSTEMD_MEMORY_MB),
}


def boot_timeout() -> float:
    """Seconds a node may take from QEMU start to authenticated ssh (loaded CI: generous)."""
    return float(os.environ.get("BONDCHECK_LAB_BOOT_TIMEOUT", "300"))


class Lab(GuestOps):
    """A set of running guests plus everything needed to reach and drive them."""

    def __init__(
        self, run_dir: Path | None = None, *, persistent: bool = False, flavor: str = "busybox"
    ) -> None:
        """run_dir: where keys, configs and logs go (default: a fresh temp dir, removed on
        stop). persistent: guests outlive this process (used by `lab up`). flavor: what runs
        as PID 1 in the guests, "busybox" (init and rcS) or "systemd" (Debian's systemd;
        tests/lab/build_systemd.py); nodes are named worker-N and worker-sd-N."""
        if flavor not in FLAVORS:
            raise LabError(f"unknown lab flavor {flavor!r}; known: {', '.join(FLAVORS)}")
        self.flavor = flavor
        self._own_dir = run_dir is None
        self.run_dir = (
            Path(run_dir).resolve() if run_dir else Path(tempfile.mkdtemp(prefix="bondcheck-lab-"))
        )
        self.persistent = persistent
        self.owns_guests = True
        self.kernel_version = ""
        self.boot_seconds = 0.0  # set by whoever started or attached the lab, for reports
        self._guests: list[Guest] = []

    # ---- paths and inventory -------------------------------------------------------
    @property
    def key_path(self) -> Path:
        return self.run_dir / "id_ed25519"

    @property
    def known_hosts_path(self) -> Path:
        return self.run_dir / "known_hosts"

    @property
    def ssh_config_path(self) -> Path:
        return self.run_dir / "ssh_config"

    @property
    def state_path(self) -> Path:
        return self.run_dir / "state.json"

    @property
    def nodes(self) -> list[Node]:
        return [g.node for g in self._guests]

    def inventory(self) -> list[dict[str, Any]]:
        """One dict per node: name, host, port, user, index, key_path, known_hosts_path."""
        return [n.as_dict() for n in self.nodes]

    def _guest(self, ref: NodeRef) -> Guest:
        for g in self._guests:
            if ref in (g.node, g.node.name, g.node.index):
                return g
        raise LabError(f"no lab node {ref!r}; nodes: {', '.join(n.name for n in self.nodes)}")

    # ---- lifecycle -------------------------------------------------------------------
    def start(self, n: int = 3) -> list[Node]:
        """Build (cached), boot worker-0..n-1 in parallel, wait for ssh and the boot bond."""
        if self._guests:
            raise LabError("lab already started")
        if n < 1:
            raise LabError("a lab needs at least one node")
        artifacts = build_systemd() if self.flavor == "systemd" else build()
        self.kernel_version = artifacts.kernel_version
        self.run_dir.mkdir(parents=True, exist_ok=True)
        client_pub = keygen(self.key_path, "bondcheck-lab")
        pending: list[tuple[Guest, str]] = []
        try:
            for i in range(n):
                name = f"{FLAVORS[self.flavor][0]}{i}"
                node_dir = self.run_dir / "nodes" / name
                node_dir.mkdir(parents=True, exist_ok=True)
                host_pub = keygen(node_dir / "ssh_host_ed25519_key", name)
                overlay = node_overlay(
                    name,
                    i,
                    (node_dir / "ssh_host_ed25519_key").read_bytes(),
                    host_pub.encode() + b"\n",
                    client_pub.encode() + b"\n",
                )
                (node_dir / "initrd.gz").write_bytes(artifacts.initrd.read_bytes() + overlay)
                (node_dir / "vmlinuz").unlink(missing_ok=True)
                (node_dir / "vmlinuz").symlink_to(artifacts.vmlinuz)
                guest = self._spawn(name, i, node_dir, qemu.free_port())
                self._guests.append(guest)
                pending.append((guest, host_pub))
            self._boot_wait(pending)
        except BaseException:
            self.stop()
            raise
        if self.persistent:
            self.write_state()
        return self.nodes

    def _spawn(self, name: str, index: int, node_dir: Path, port: int) -> Guest:
        memory = FLAVORS[self.flavor][1]
        cmd = qemu.qemu_command(
            name, index, node_dir / "vmlinuz", node_dir / "initrd.gz", port, node_dir, memory
        )
        proc = qemu.spawn(cmd, node_dir, die_with_parent=not self.persistent)
        node = Node(name, HOST, port, "root", index, self.key_path, self.known_hosts_path)
        return Guest(
            node,
            node_dir,
            proc.pid,
            Connection(HOST, port, self.key_path, self.known_hosts_path),
            proc,
        )

    def _write_ssh_files(self, host_pubs: dict[str, str]) -> None:
        lines = [
            known_hosts_line(g.node.host, g.node.port, host_pubs[g.node.name])
            for g in self._guests
            if g.node.name in host_pubs
        ]
        self.known_hosts_path.write_text("\n".join(lines) + "\n")
        write_ssh_config(
            self.ssh_config_path,
            [(g.node.name, g.node.host, g.node.port) for g in self._guests],
            self.key_path,
            self.known_hosts_path,
        )

    def _boot_wait(self, pending: list[tuple[Guest, str]]) -> None:
        """Banner first (QEMU accepts TCP before sshd listens), then auth + boot bond."""
        deadline = time.monotonic() + boot_timeout()
        host_pubs = {g.node.name: pub for g, pub in pending}
        for guest, _ in pending:
            self._await_banner(guest, deadline, respawns=2)
        self._write_ssh_files(host_pubs)
        with ThreadPoolExecutor(max_workers=len(pending)) as pool:
            list(pool.map(lambda g: self._await_ready(g, deadline), [g for g, _ in pending]))

    def _await_banner(self, guest: Guest, deadline: float, respawns: int = 0) -> None:
        """Wait for sshd's banner; a lost race for the forwarded port gets a new port."""
        for attempt in range(respawns + 1):

            def alive() -> bool:
                return qemu.is_our_qemu(guest.pid, guest.node_dir)

            try:
                wait_banner(guest.node.host, guest.node.port, deadline, alive)
                return
            except LabUnavailable as exc:
                log = guest.node_dir / "qemu.log"
                lost_port = log.is_file() and "host forwarding" in log.read_text(errors="replace")
                if not lost_port or attempt == respawns:
                    raise LabUnavailable(
                        f"{guest.node.name}: {exc}{self._console_tail(guest)}"
                    ) from None
            fresh = self._spawn(guest.node.name, guest.node.index, guest.node_dir, qemu.free_port())
            guest.node, guest.conn, guest.pid, guest.proc = (
                fresh.node,
                fresh.conn,
                fresh.pid,
                fresh.proc,
            )

    def _await_ready(self, guest: Guest, deadline: float) -> None:
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                rc, _, err = guest.conn.run("true", timeout=60)
                if rc == 0:
                    break
                last = LabError(f"`true` exited {rc}: {err.strip()}")
            except LabError as exc:
                last = exc
            time.sleep(0.5)
        else:
            raise LabUnavailable(
                f"{guest.node.name}: no authenticated ssh: {last}{self._console_tail(guest)}"
            )
        self._wait(
            guest,
            sc.scenario(BOOT_SCENARIO).ready,
            max(90.0, deadline - time.monotonic()),
            "boot bond negotiated",
        )
        guest.scenario, guest.dirty = BOOT_SCENARIO, False

    @staticmethod
    def _console_tail(guest: Guest) -> str:
        texts = []
        for log in ("qemu.log", "console.log"):
            with contextlib.suppress(OSError):
                text = (guest.node_dir / log).read_text(errors="replace").strip()
                if text:
                    texts.append(f"{log}: " + " | ".join(text.splitlines()[-5:]))
        return ("; " + "; ".join(texts)) if texts else ""

    def stop(self) -> None:
        """Stop every guest this lab owns (recorded pids only) and drop its run dir."""
        for guest in self._guests:
            guest.conn.close()
            if self.owns_guests and guest.running:
                qemu.stop(guest.pid, guest.node_dir, guest.proc)
                guest.running = False
        if self.owns_guests:
            self.state_path.unlink(missing_ok=True)
            if self._own_dir and not os.environ.get("BONDCHECK_LAB_KEEP"):
                shutil.rmtree(self.run_dir, ignore_errors=True)
        self._guests = []

    def close(self) -> None:
        """Close SSH connections but leave the guests running (for attached labs)."""
        for guest in self._guests:
            guest.conn.close()

    def stop_node(self, ref: NodeRef) -> None:
        """Kill one guest (an "unreachable node"); start_node() boots it again."""
        guest = self._guest(ref)
        guest.conn.close()
        qemu.stop(guest.pid, guest.node_dir, guest.proc)
        guest.running, guest.scenario, guest.dirty = False, None, True

    def start_node(self, ref: NodeRef) -> None:
        """Boot a stopped node again on the same port with the same host key."""
        guest = self._guest(ref)
        if guest.running and qemu.is_our_qemu(guest.pid, guest.node_dir):
            return
        free_by = time.monotonic() + 10
        while not qemu.port_free(guest.node.port) and time.monotonic() < free_by:
            time.sleep(0.1)
        if not qemu.port_free(guest.node.port):
            raise LabError(
                f"{guest.node.name}: port {guest.node.port} is taken by another "
                "process; cannot restart the node on it"
            )
        fresh = self._spawn(guest.node.name, guest.node.index, guest.node_dir, guest.node.port)
        guest.pid, guest.proc, guest.running = fresh.pid, fresh.proc, True
        deadline = time.monotonic() + boot_timeout()
        self._await_banner(guest, deadline)
        self._await_ready(guest, deadline)
        if self.persistent:
            self.write_state()

    # ---- state file ------------------------------------------------------------------
    def write_state(self) -> Path:
        """Write state.json (inventory + pids) for `lab down`/`status` and Lab.attach()."""
        state = {
            "schema": STATE_SCHEMA,
            "flavor": self.flavor,
            "kernel": self.kernel_version,
            "run_dir": str(self.run_dir),
            "key_path": str(self.key_path),
            "known_hosts_path": str(self.known_hosts_path),
            "ssh_config_path": str(self.ssh_config_path),
            "nodes": [
                dict(g.node.as_dict(), pid=g.pid, node_dir=str(g.node_dir)) for g in self._guests
            ],
        }
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.rename(self.state_path)
        return self.state_path

    @classmethod
    def attach(cls, state_path: Path | str, *, take_ownership: bool = False) -> Lab:
        """A Lab for guests someone else started; stop() kills them only with ownership."""
        path = Path(state_path)
        try:
            state = json.loads(path.read_text())
            if state.get("schema") != STATE_SCHEMA:
                raise ValueError(f"schema {state.get('schema')!r}")
            lab = cls(
                Path(state["run_dir"]), persistent=True, flavor=state.get("flavor", "busybox")
            )
            lab.owns_guests = take_ownership
            lab.kernel_version = state["kernel"]
            for nd in state["nodes"]:
                node = Node(
                    nd["name"],
                    nd["host"],
                    int(nd["port"]),
                    nd["user"],
                    int(nd["index"]),
                    Path(nd["key_path"]),
                    Path(nd["known_hosts_path"]),
                )
                lab._guests.append(
                    Guest(
                        node,
                        Path(nd["node_dir"]),
                        int(nd["pid"]),
                        Connection(node.host, node.port, node.key_path, node.known_hosts_path),
                    )
                )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise LabUnavailable(f"cannot use lab state {path}: {exc}") from None
        return lab

    def alive(self, ref: NodeRef) -> bool:
        """True when the node's recorded QEMU process is still running."""
        guest = self._guest(ref)
        return qemu.is_our_qemu(guest.pid, guest.node_dir)

    def rss_mb(self, ref: NodeRef) -> float | None:
        """Host memory of the node's QEMU process in MB."""
        return qemu.rss_mb(self._guest(ref).pid)
