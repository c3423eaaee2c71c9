"""Build step of the systemd lab guest: a Debian userland that boots systemd as PID 1.

The busybox guests (tests/lab/build.py) cannot prove what a debug-pod transport's failover
needs: a restore armed with ``systemd-run`` on the host, which outlives the pod. This guest
boots the same Debian cloud kernel into a real Debian bookworm userland made by
``mmdebstrap --variant=minbase`` (systemd, openssh-server, iproute2, kmod, iputils-ping):
Debian's own ``systemd`` as PID 1, ``ssh.service`` as the package ships it, and the lab's
``labboot`` (modules, management NIC, default bond scenario) as a oneshot unit.

The whole tree is the initramfs (no disk image, no switch_root): systemd runs from rootfs
as on any initramfs-only system. It is trimmed of documentation, locales, Perl modules and
apt's lists, and the guest gets more memory than a busybox guest (MEMORY_MB here). The
rootfs tar is cached by its recipe; the initramfs by the digest of everything in it.
"""

from __future__ import annotations

import hashlib
import subprocess
import tarfile
from pathlib import Path

from tests.lab.build import (
    BUILD_FORMAT,
    GUEST_DIR,
    Artifacts,
    cache_dir,
    candidates,
    kernel,
    resolve_kernel_package,
)
from tests.lab.cpio import CpioArchive
from tests.lab.errors import LabUnavailable

#: Guest memory: the unpacked tree (~85 MB) lives in RAM next to systemd and the bonds.
MEMORY_MB = 512
SUITE = "bookworm"
PACKAGES = ("systemd", "openssh-server", "iproute2", "kmod", "iputils-ping", "procps")
#: Units a test node has no use for; each costs boot time under TCG.
MASKED = (
    "apt-daily.timer",
    "apt-daily-upgrade.timer",
    "dpkg-db-backup.timer",
    "e2scrub_all.timer",
    "fstrim.timer",
    "serial-getty@ttyS0.service",
    "getty@tty1.service",
    "systemd-timesyncd.service",
    "systemd-networkd.service",
    "systemd-resolved.service",
    "systemd-update-utmp.service",
    "systemd-journal-flush.service",
)
#: Removed after installation: nothing the lab or bondcheck runs needs them.
TRIM = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
    "usr/share/i18n",
    "usr/share/zoneinfo",
    "usr/share/perl",
    "usr/lib/x86_64-linux-gnu/perl",
    "usr/lib/x86_64-linux-gnu/gconv",
    "var/lib/apt/lists",
    "var/cache",
    "etc/ssh/ssh_host_rsa_key",
    "etc/ssh/ssh_host_ecdsa_key",
    "etc/ssh/ssh_host_ed25519_key",
)
LAYOUT = "2"  # bump when the initramfs layout made from the tree changes
RECIPE = f"{SUITE} {' '.join(PACKAGES)} masked={','.join(MASKED)} trim={','.join(TRIM)}"


def rootfs() -> Path:
    """The Debian tree as a tar (mmdebstrap, cached by recipe)."""
    key = hashlib.sha256(RECIPE.encode()).hexdigest()[:16]
    tar = cache_dir() / f"systemd-rootfs-{key}.tar"
    if tar.is_file():
        return tar
    hook = "; ".join(
        [f'rm -rf "$1"/{p} "$1"/{p}.pub' for p in TRIM]
        + [f'ln -sf /dev/null "$1"/etc/systemd/system/{u}' for u in MASKED]
    )
    tmp = tar.with_suffix(".part.tar")  # mmdebstrap picks its output format by the suffix
    cmd = [
        "mmdebstrap",
        "--quiet",
        "--variant=minbase",
        f"--include={','.join(PACKAGES)}",
        "--dpkgopt=path-exclude=/usr/share/doc/*",
        "--dpkgopt=path-exclude=/usr/share/man/*",
        "--dpkgopt=path-exclude=/usr/share/locale/*",
        f"--customize-hook={hook}",
        SUITE,
        str(tmp),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    except FileNotFoundError:
        raise LabUnavailable("mmdebstrap not found; run scripts/lab-deps.sh") from None
    except subprocess.TimeoutExpired:
        raise LabUnavailable("mmdebstrap took longer than 15 minutes") from None
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        lines = (proc.stderr or proc.stdout).strip().splitlines()
        raise LabUnavailable(f"mmdebstrap failed: {lines[-1] if lines else 'no output'}")
    tmp.rename(tar)
    for old in cache_dir().glob("systemd-rootfs-*.tar"):
        if old != tar and old.is_file():
            old.unlink(missing_ok=True)
    return tar


def _add_tree(arc: CpioArchive, tar_path: Path) -> None:
    """Every entry of the rootfs tar, as the kernel's initramfs unpacker needs it.

    Hard links become copies (newc can share data, the lab's writer does not need to); device
    nodes are left out (systemd mounts devtmpfs); ownership is root's, as in every lab guest.
    """
    with tarfile.open(tar_path) as tar:
        members = tar.getmembers()
        data: dict[str, bytes] = {}
        for m in members:
            name = m.name.removeprefix("./").strip("/")
            if name in ("", "."):
                continue
            mode = m.mode & 0o7777
            if m.isdir():
                arc.add_dir(name, mode)
            elif m.issym():
                arc.add_symlink(name, m.linkname)
            elif m.isfile():
                f = tar.extractfile(m)
                data[name] = f.read() if f else b""
                arc.add_file(name, data[name], mode)
            elif m.islnk():
                target = m.linkname.removeprefix("./").strip("/")
                arc.add_file(name, data[target], mode)


def build_systemd() -> Artifacts:
    """The kernel of the busybox guests and an initramfs holding the systemd userland."""
    kernel_pkg = resolve_kernel_package()
    kern = kernel(kernel_pkg, candidates([kernel_pkg])[kernel_pkg])
    tar = rootfs()
    guest = {
        "labnet": ("usr/local/sbin/labnet", 0o755),
        "labboot": ("usr/local/sbin/labboot", 0o755),
        "sshd_config": ("etc/ssh/sshd_config", 0o644),
        "systemd/lab-boot.service": ("etc/systemd/system/lab-boot.service", 0o644),
    }
    digest = hashlib.sha256(f"{BUILD_FORMAT} systemd-{LAYOUT} {tar.name}".encode())
    digest.update(kern.modules_list.encode())
    for mod in kern.modules:
        digest.update((kern.moddir / mod).read_bytes())
    for src in guest:
        digest.update(src.encode() + (GUEST_DIR / src).read_bytes())
    initrd = cache_dir() / f"systemd-initrd-{kern.version}-{digest.hexdigest()[:16]}.cpio.gz"
    if initrd.is_file():
        return Artifacts(kern.version, kern.vmlinuz, initrd)

    arc = CpioArchive()
    _add_tree(arc, tar)
    for mod in kern.modules:
        arc.add_file(f"usr/lib/modules/{mod}", (kern.moddir / mod).read_bytes(), 0o644)
    for src, (dest, mode) in guest.items():
        arc.add_file(dest, (GUEST_DIR / src).read_bytes(), mode)
    arc.add_symlink(
        "etc/systemd/system/multi-user.target.wants/lab-boot.service",
        "/etc/systemd/system/lab-boot.service",
    )
    arc.add_symlink("init", "lib/systemd/systemd")
    arc.add_dir("dev", 0o755)
    arc.add_chardev("dev/console", 5, 1)
    arc.add_chardev("dev/null", 1, 3, 0o666)
    arc.add_dir("etc/lab", 0o755)
    arc.add_file("etc/lab/modules", kern.modules_list.encode())
    arc.add_file("etc/lab/kernel", kern.version.encode() + b"\n")
    arc.add_file("etc/hosts", b"127.0.0.1 localhost\n")
    arc.add_file("etc/machine-id", b"")  # systemd makes a transient one at every boot
    arc.add_dir("root/.ssh", 0o700)

    tmp = initrd.with_suffix(".tmp")
    tmp.write_bytes(arc.to_gzip())
    tmp.rename(initrd)
    for old in cache_dir().glob("systemd-initrd-*.cpio.gz"):
        if old != initrd:
            old.unlink(missing_ok=True)
    return Artifacts(kern.version, kern.vmlinuz, initrd)
