"""Real lldpd on veth links between network namespaces: what a node's ``lldpctl -f json`` prints.

Debian's lldpd (with the libraries it links: libsnmp40, libpci3, libsensors5) is unpacked with
tests/debpkg.py, never installed. Each switch is a network namespace running lldpd with its
own system name (and so its own chassis ID: the MAC of one of its ports); the node is another
namespace whose ports are veth peers of switch ports; the node's lldpd hears real LLDP frames
and ``lldpctl -f json`` prints what bondcheck's collection script would save as lldp.json.
Needs root (network namespaces). ``python -m tests.lldp.realnet OUT_DIR`` writes the fixtures
in fixtures/lldp/.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.debpkg import unpacked

PACKAGES = ("lldpd", "libsnmp40", "libpci3", "libsensors5")


def _root() -> Path:
    """One tree holding lldpd and its libraries (each package unpacked, then merged)."""
    merged = Path(unpacked("lldpd", "usr/sbin/lldpd")).parent / "merged"
    if not (merged / "usr" / "sbin" / "lldpd").exists():
        for package in PACKAGES:
            probe = "usr/sbin/lldpd" if package == "lldpd" else "usr/lib"
            shutil.copytree(unpacked(package, probe), merged, dirs_exist_ok=True, symlinks=True)
    return merged


def _run(*argv: str) -> None:
    subprocess.run(list(argv), check=True, capture_output=True, timeout=30)


def _ensure_user() -> None:
    """lldpd drops privileges to _lldpd and chroots to /run/lldpd."""
    if subprocess.run(["getent", "passwd", "_lldpd"], capture_output=True).returncode != 0:
        _run("useradd", "--system", "--no-create-home", "--home-dir", "/run/lldpd",
             "--shell", "/usr/sbin/nologin", "_lldpd")  # fmt: skip
    Path("/run/lldpd").mkdir(exist_ok=True)


@contextlib.contextmanager
def lldp_net(
    cabling: Mapping[str, tuple[str, str]], *, node: str = "worker-0", wait_s: float = 8.0
) -> Iterator[str]:
    """Yield the node's ``lldpctl -f json`` once every port heard its neighbour.

    ``cabling`` maps a node port to (switch system name, switch port label); switch ports get
    ``portidsubtype local LABEL`` so the port ID reads like a switch's (``Ethernet1/7``).
    """
    root = _root()
    env = {**os.environ, "LD_LIBRARY_PATH": str(root / "usr" / "lib" / "x86_64-linux-gnu")}
    lldpd, lldpcli = str(root / "usr/sbin/lldpd"), str(root / "usr/sbin/lldpcli")
    _ensure_user()
    tag = f"{os.getpid() % 10000}"
    work = Path(tempfile.mkdtemp(prefix="lldpnet-"))
    switches = sorted({sw for sw, _ in cabling.values()})
    names = {sw: f"sw{i}-{tag}" for i, sw in enumerate(switches)}
    node_ns = f"node-{tag}"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for ns in [node_ns, *names.values()]:
            _run("ip", "netns", "add", ns)
            _run("ip", "-n", ns, "link", "set", "lo", "up")
        config: dict[str, list[str]] = {sw: [] for sw in switches}
        for index, (port, (switch, label)) in enumerate(sorted(cabling.items())):
            peer = f"p{index}"
            _run("ip", "link", "add", port, "netns", node_ns, "type", "veth", "peer", "name",
                 peer, "netns", names[switch])  # fmt: skip
            _run("ip", "-n", node_ns, "link", "set", port, "up")
            _run("ip", "-n", names[switch], "link", "set", peer, "up")
            config[switch].append(f"configure ports {peer} lldp portidsubtype local {label}")
        for switch in switches:
            conf = work / f"{switch}.conf"
            lines = [f"configure system hostname {switch}", "configure lldp tx-interval 1"]
            conf.write_text("\n".join([*lines, *config[switch]]) + "\n")
            sock = str(work / f"{switch}.sock")
            argv = ["ip", "netns", "exec", names[switch], lldpd, "-d", "-u", sock,
                    "-O", str(conf), "-L", lldpcli]  # fmt: skip
            procs.append(subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                          stderr=subprocess.DEVNULL))  # fmt: skip
        node_conf = work / "node.conf"
        node_conf.write_text(f"configure system hostname {node}\nconfigure lldp tx-interval 1\n")
        sock = str(work / "node.sock")
        procs.append(subprocess.Popen(
            ["ip", "netns", "exec", node_ns, lldpd, "-d", "-u", sock, "-O", str(node_conf),
             "-L", lldpcli, "-I", ",".join(sorted(cabling))], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        deadline = time.monotonic() + wait_s
        text = ""
        while time.monotonic() < deadline:
            time.sleep(0.5)
            out = subprocess.run(["ip", "netns", "exec", node_ns, lldpcli, "-u", sock, "-f",
                                  "json", "show", "neighbors"], env=env, capture_output=True,
                                 text=True, timeout=10)  # fmt: skip
            text = out.stdout
            if (
                out.returncode == 0
                and all(f'"{p}"' in text for p in cabling)
                and all(f'"{label}"' in text for _, label in cabling.values())
            ):
                break
        yield text
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        for ns in [node_ns, *names.values()]:
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        shutil.rmtree(work, ignore_errors=True)


ONE_SWITCH = {"ens224": ("leaf-1", "Ethernet1/7"), "ens256": ("leaf-1", "Ethernet1/8")}
TWO_SWITCHES = {"ens224": ("leaf-1", "Ethernet1/7"), "ens256": ("leaf-2", "Ethernet1/7")}
FIXTURES = {
    "two-ports-one-switch": ONE_SWITCH,
    "two-ports-two-switches": TWO_SWITCHES,
    "one-port": {"ens224": ("leaf-1", "Ethernet1/7")},
}


def main(out: str) -> int:
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    for name, cabling in FIXTURES.items():
        with lldp_net(cabling) as text:
            json.loads(text)
            (target / f"lldpctl-{name}.json").write_text(text)
            print(f"{name}: {len(text)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "fixtures/lldp"))
