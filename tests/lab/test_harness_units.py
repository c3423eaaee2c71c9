"""Offline tests of the lab's pure parts (no QEMU): archive writer, module order, the
convergence predicates against the real captures, and catalog/guest-script agreement."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.lab import bondproc as bp
from tests.lab import scenarios as sc
from tests.lab.build import GUEST_DIR, module_order
from tests.lab.cpio import CpioArchive
from tests.lab.errors import LabError, LabUnavailable
from tests.lab.sshconn import known_hosts_line, write_ssh_config

CAPTURES = Path(__file__).resolve().parents[2] / "fixtures" / "captures" / "lab"


def _read_newc(data: bytes) -> dict[str, tuple[int, bytes, tuple[int, int]]]:
    """A reader written from the format spec, independent of the writer under test."""
    entries: dict[str, tuple[int, bytes, tuple[int, int]]] = {}
    pos = 0
    while True:
        assert data[pos : pos + 6] == b"070701"
        fields = [int(data[pos + 6 + 8 * i : pos + 14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        name = data[pos + 110 : pos + 110 + namesize - 1].decode()
        pos += 110 + namesize
        pos += -pos % 4
        body = data[pos : pos + filesize]
        pos += filesize
        pos += -pos % 4
        if name == "TRAILER!!!":
            assert pos == len(data)
            return entries
        entries[name] = (fields[1], body, (fields[9], fields[10]))


def test_cpio_archive_round_trips_and_is_deterministic() -> None:
    arc = CpioArchive()
    arc.add_file("etc/ssh/sshd_config", b"Port 22\n", 0o644)
    arc.add_symlink("bin/sh", "dash")
    arc.add_chardev("dev/console", 5, 1)
    arc.add_dir("tmp", 0o1777)
    entries = _read_newc(arc.to_bytes())
    assert list(entries) == sorted(entries)  # parents before children
    assert entries["etc"][0] == 0o040755
    assert entries["etc/ssh/sshd_config"] == (0o100644, b"Port 22\n", (0, 0))
    assert entries["bin/sh"][:2] == (0o120777, b"dash")
    assert entries["dev/console"][2] == (5, 1)
    assert entries["tmp"][0] == 0o041777
    assert gzip.decompress(arc.to_gzip()) == arc.to_bytes()
    assert arc.to_gzip() == arc.to_gzip()


def test_cpio_rejects_escaping_paths() -> None:
    with pytest.raises(ValueError):
        CpioArchive().add_file("../etc/passwd", b"")


MODULES_DEP = """\
kernel/drivers/net/bonding/bonding.ko: kernel/net/tls/tls.ko
kernel/net/tls/tls.ko:
kernel/net/8021q/8021q.ko: kernel/net/802/garp.ko kernel/net/802/stp.ko kernel/net/802/mrp.ko \
kernel/net/llc/llc.ko
kernel/net/802/garp.ko: kernel/net/802/stp.ko kernel/net/llc/llc.ko
kernel/net/802/mrp.ko:
kernel/net/802/stp.ko: kernel/net/llc/llc.ko
kernel/net/llc/llc.ko:
kernel/drivers/char/hw_random/virtio-rng.ko:
"""


def test_module_order_loads_dependencies_first() -> None:
    order = module_order(MODULES_DEP, ["bonding", "8021q", "virtio_rng"])
    names = [p.rsplit("/", 1)[-1] for p in order]
    assert names.index("tls.ko") < names.index("bonding.ko")
    assert names.index("llc.ko") < names.index("stp.ko") < names.index("garp.ko")
    assert names.index("garp.ko") < names.index("8021q.ko")
    assert names.count("stp.ko") == 1
    assert "virtio-rng.ko" in names  # "-" and "_" name the same module


def test_module_order_reports_a_missing_module() -> None:
    with pytest.raises(LabUnavailable, match="no module veth"):
        module_order(MODULES_DEP, ["veth"])


def _capture(name: str) -> bp.Bond | None:
    path = CAPTURES / name / "proc" / "net" / "bonding" / "bond0"
    if not (CAPTURES / name).is_dir():
        pytest.skip(f"capture {name} not generated")
    return bp.parse(path.read_text()) if path.is_file() else None


@pytest.mark.parametrize("name", list(sc.SCENARIOS))
def test_every_real_capture_satisfies_its_scenario_predicate(name: str) -> None:
    spec = sc.SCENARIOS[name]
    assert (spec.settled or spec.ready)(_capture(name))


def test_predicates_tell_the_real_captures_apart() -> None:
    healthy = _capture("healthy-802.3ad")
    assert bp.lacp_converged()(healthy)
    assert not bp.no_partner(healthy)
    assert not bp.split_aggregators(healthy)
    assert not bp.lacp_converged()(_capture("fault-no-lacp-partner"))
    assert not bp.lacp_converged()(_capture("fault-split-aggregators"))
    slow = _capture("fault-slow-rate-layer2")
    assert not bp.lacp_converged()(slow)
    assert bp.lacp_converged(exact=False)(slow)
    assert not bp.lacp_converged()(_capture("fault-switch-cable-pull"))
    nonroot = _capture("healthy-802.3ad-nonroot")
    assert nonroot is not None and nonroot.active_aggregator is None
    assert not bp.lacp_converged()(nonroot)  # no LACP details without CAP_NET_ADMIN


def test_guest_script_builds_every_catalog_scenario_and_fault() -> None:
    script = (GUEST_DIR / "labnet").read_text()
    labels = set(re.findall(r"^\s+([a-z0-9.|-]+)\)", script, re.M))
    cases = {part for label in labels for part in label.split("|")}
    assert {s.build for s in sc.SCENARIOS.values()} <= cases
    assert set(sc.FAULTS) <= cases


@pytest.mark.skipif(shutil.which("dash") is None, reason="dash not installed")
@pytest.mark.parametrize("script", ["labnet", "rcS"])
def test_guest_scripts_parse_with_dash(script: str) -> None:
    proc = subprocess.run(
        ["dash", "-n", str(GUEST_DIR / script)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_fault_arguments_are_validated() -> None:
    assert sc.fault_args("add-address", {"cidr": "10.0.0.1/24", "dev": "ens256"}) == [
        "ens256",
        "10.0.0.1/24",
    ]
    with pytest.raises(LabError, match="takes port"):
        sc.fault_args("cable-pull", {"dev": "ens224"})
    with pytest.raises(LabError, match="unknown fault"):
        sc.fault_args("unplug-everything", {})
    with pytest.raises(LabError, match="unknown scenario"):
        sc.scenario("healthy-802.3ax")


def test_ssh_config_is_strict(tmp_path: Path) -> None:
    cfg = tmp_path / "ssh_config"
    write_ssh_config(
        cfg, [("worker-0", "127.0.0.1", 2222)], tmp_path / "key", tmp_path / "known_hosts"
    )
    text = cfg.read_text()
    assert "Host worker-0\n" in text
    for line in (
        "Port 2222",
        "User root",
        "StrictHostKeyChecking yes",
        f"UserKnownHostsFile {tmp_path / 'known_hosts'}",
    ):
        assert line in text
    assert (
        known_hosts_line("127.0.0.1", 2222, "ssh-ed25519 AAAAkey worker-0")
        == "[127.0.0.1]:2222 ssh-ed25519 AAAAkey"
    )
