"""Offline tests of the systemd guest's pure parts (no QEMU): the rootfs tar as an initramfs,
and the stand-ins' model of a pod's cgroup and their mid-run switches."""

from __future__ import annotations

import io
import stat
import tarfile
from pathlib import Path

import pytest
from standins import debugcli
from standins.nodeexec import ENV_POD_CGROUPS, ENV_SSH_CONFIG, node_argv, pod_scope

from tests.lab.build_systemd import _add_tree
from tests.lab.cpio import CpioArchive


def _tar(path: Path) -> None:
    with tarfile.open(path, "w") as tar:

        def add(name: str, kind: bytes, mode: int, data: bytes = b"", link: str = "") -> None:
            info = tarfile.TarInfo(name)
            info.type, info.mode, info.size, info.linkname = kind, mode, len(data), link
            tar.addfile(info, io.BytesIO(data) if data else None)

        add("./", tarfile.DIRTYPE, 0o755)
        add("./usr/bin", tarfile.DIRTYPE, 0o755)
        add("./usr/bin/su", tarfile.REGTYPE, 0o4755, b"setuid")
        add("./usr/bin/cat", tarfile.REGTYPE, 0o755, b"cat-binary")
        add("./usr/bin/tac", tarfile.LNKTYPE, 0o755, link="./usr/bin/cat")
        add("./lib", tarfile.SYMTYPE, 0o777, link="usr/lib")
        add("./dev/null", tarfile.CHRTYPE, 0o666)


def test_rootfs_tar_becomes_initramfs_entries(tmp_path: Path) -> None:
    """Modes (setuid included) survive, hard links become copies, symlinks stay verbatim and
    device nodes are left to devtmpfs."""
    _tar(tmp_path / "root.tar")
    arc = CpioArchive()
    _add_tree(arc, tmp_path / "root.tar")
    e = arc.entries
    assert stat.S_IMODE(e["usr/bin/su"].mode) == 0o4755 and e["usr/bin/su"].data == b"setuid"
    assert stat.S_ISREG(e["usr/bin/tac"].mode) and e["usr/bin/tac"].data == b"cat-binary"
    assert stat.S_ISLNK(e["lib"].mode) and e["lib"].data == b"usr/lib"
    assert "dev/null" not in arc
    assert "" not in e and "." not in e


def test_pod_command_runs_in_its_own_scope_only_where_pods_have_cgroups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_SSH_CONFIG, "/lab/ssh_config")
    monkeypatch.delenv(ENV_POD_CGROUPS, raising=False)
    argv = ["chroot", "/host", "sh", "-c", "echo 'a b'"]
    plain = node_argv("worker-sd-0", argv, pod="worker-sd-0-debug-x1y2z")
    assert plain[-1] == "sh -c 'echo '\"'\"'a b'\"'\"''"
    monkeypatch.setenv(ENV_POD_CGROUPS, "1")
    scoped = node_argv("worker-sd-0", argv, pod="worker-sd-0-debug-x1y2z")
    assert scoped[:-1] == plain[:-1]
    assert scoped[-1] == (
        "exec systemd-run --quiet --scope --unit=standin-pod-worker-sd-0-debug-x1y2z.scope -- "
        + plain[-1]
    )
    assert node_argv("worker-sd-0", argv)[-1] == plain[-1]  # an exec into a pod: no scope
    with pytest.raises(ValueError):
        pod_scope("x; reboot")


def test_a_switch_file_overrides_the_environment_from_the_next_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BONDCHECK_STANDIN_STATE", str(tmp_path))
    monkeypatch.setenv("BONDCHECK_STANDIN_AUTH", "ok")
    assert debugcli._env("AUTH") == "ok"
    (tmp_path / "switches").mkdir()
    (tmp_path / "switches" / "AUTH").write_text("unauthorized\n")
    assert debugcli._env("AUTH") == "unauthorized"
    assert debugcli._env("LATENCY", "0") == "0"
