"""Build step of the lab: fetch a Debian cloud kernel and sshd, assemble the guest initramfs.

Everything lands in a cache directory ($BONDCHECK_LAB_CACHE, default ~/.cache/bondcheck-lab)
so a second run costs seconds. The kernel package is resolved afresh on every build through
`apt-cache depends linux-image-cloud-amd64`: its name changes with each Debian ABI bump, so a
hard-coded name would rot. Packages are fetched with `apt-get download` and unpacked with
`dpkg-deb -x`; nothing is installed on the host (an installed openssh-server would start a
host sshd).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.lab.cpio import CpioArchive
from tests.lab.errors import LabUnavailable

GUEST_DIR = Path(__file__).resolve().parent / "guest"
BUILD_FORMAT = "4"  # bump to invalidate cached initramfs images after layout changes
KERNEL_META = "linux-image-cloud-amd64"

# Modules the guest loads, with parameters; dependencies are added from modules.dep.
# bonding max_bonds=0: no default bond0 appears, labnet creates every bond itself.
WANTED_MODULES: dict[str, str] = {
    "virtio_pci": "",
    "virtio_net": "",
    "virtio_rng": "",
    "bonding": "max_bonds=0",
    "veth": "",
    "bridge": "",
    "8021q": "",
}
# Real binaries (busybox's sh and ip lack netns and -j, so these must not be applets).
HOST_BINARIES: dict[str, str] = {
    "dash": "bin/dash",
    "bash": "bin/bash",
    "ip": "sbin/ip",
    "date": "bin/date",
}
NOT_FROM_BUSYBOX = {"sh", "ash", "ip", "date", "bash", "dash"}
#: Real lldpd (and lldpcli/lldpctl) in every guest, started only by `labnet lldp` (tests
#: marked lab_lldp): the packages it links that the host may lack come along.
LLDP_PACKAGES = ("lldpd", "libsnmp40", "libpci3", "libsensors5")


@dataclass(frozen=True)
class Artifacts:
    """What booting a node needs: the kernel image and the shared initramfs."""

    kernel_version: str
    vmlinuz: Path
    initrd: Path


def cache_dir() -> Path:
    """The build cache; created on first use."""
    env = os.environ.get("BONDCHECK_LAB_CACHE")
    path = Path(env) if env else Path.home() / ".cache" / "bondcheck-lab"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    try:
        proc = subprocess.run(
            cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
        )
    except FileNotFoundError as exc:
        raise LabUnavailable(f"{cmd[0]} not found; run scripts/lab-deps.sh") from exc
    if proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise LabUnavailable(f"{' '.join(cmd)} failed: {detail[-1] if detail else 'no output'}")
    return proc.stdout


def resolve_kernel_package() -> str:
    """The concrete linux-image package the cloud meta-package depends on today."""
    out = _run(["apt-cache", "depends", KERNEL_META])
    found = re.findall(r"Depends:\s*(linux-image-\S+)", out)
    if not found:
        raise LabUnavailable(
            f"apt-cache depends {KERNEL_META} names no kernel; "
            "run scripts/lab-deps.sh (apt-get update)"
        )
    return found[0]


def candidates(pkgs: list[str]) -> dict[str, str]:
    """Candidate versions of `pkgs`, from one `apt-cache policy` call (each call costs ~0.7 s)."""
    out = _run(["apt-cache", "policy", *pkgs])
    found: dict[str, str] = {}
    current = ""
    for line in out.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = line[:-1]
        match = re.match(r"\s+Candidate:\s*(\S+)", line)
        if match and current and match.group(1) != "(none)":
            found[current] = match.group(1)
    for pkg in pkgs:
        if pkg not in found:
            raise LabUnavailable(f"no installable candidate for {pkg}; run scripts/lab-deps.sh")
    return found


def fetch_unpacked(pkg: str, version: str, root: Path) -> Path:
    """Download and unpack `pkg` into root/<pkg>_<version>, reusing an earlier unpack."""
    dest = root / f"{pkg}_{version.replace(':', '%3a')}"
    if dest.is_dir():
        return dest
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root) as tmp:
        _run(["apt-get", "download", f"{pkg}={version}"], cwd=Path(tmp))
        debs = list(Path(tmp).glob("*.deb"))
        if len(debs) != 1:
            raise LabUnavailable(f"apt-get download {pkg} gave {len(debs)} files")
        unpack = Path(tmp) / "root"
        _run(["dpkg-deb", "-x", str(debs[0]), str(unpack)])
        unpack.rename(dest)
    return dest


def module_order(modules_dep: str, wanted: list[str]) -> list[str]:
    """Relative module paths in load order: every module after all of its dependencies."""
    deps: dict[str, list[str]] = {}
    by_name: dict[str, str] = {}
    for line in modules_dep.splitlines():
        if ":" not in line:
            continue
        mod, rest = line.split(":", 1)
        deps[mod] = rest.split()
        by_name[_mod_name(mod)] = mod
    order: list[str] = []

    def visit(mod: str, stack: tuple[str, ...]) -> None:
        if mod in order:
            return
        if mod in stack:
            raise LabUnavailable(f"module dependency cycle at {mod}")
        for dep in deps.get(mod, []):
            visit(dep, (*stack, mod))
        order.append(mod)

    for name in wanted:
        key = name.replace("-", "_")
        if key not in by_name:
            raise LabUnavailable(f"kernel has no module {name}")
        visit(by_name[key], ())
    return order


def _mod_name(path: str) -> str:
    base = path.rsplit("/", 1)[-1]
    for suffix in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(suffix):
            base = base[: -len(suffix)]
    return base.replace("-", "_")


def ldd_libraries(binary: Path, env: dict[str, str] | None = None) -> list[str]:
    """Absolute paths of the shared libraries (and loader) that `binary` needs."""
    out = _run(["ldd", str(binary)], env=env)
    libs: list[str] = []
    for line in out.splitlines():
        line = line.strip()
        if "not found" in line:
            raise LabUnavailable(
                f"{binary} needs a missing library: {line} (run scripts/lab-deps.sh)"
            )
        match = re.search(r"=>\s*(/\S+)", line) or re.match(r"(/\S+)", line)
        if match:
            libs.append(match.group(1))
    return libs


def _kernel_tree(pkg: str, version: str) -> tuple[str, Path]:
    tree = fetch_unpacked(pkg, version, cache_dir() / "debs")
    moddirs = sorted((tree / "lib" / "modules").iterdir())
    if len(moddirs) != 1:
        raise LabUnavailable(f"unexpected module layout in {tree}")
    version = moddirs[0].name
    if not (moddirs[0] / "modules.dep").is_file():
        # Debian ships no modules.dep; depmod writes it into the unpacked tree only.
        _run(["depmod", "-b", str(tree), version])
    return version, tree


def _host_binary(name: str) -> Path:
    found = shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if not found:
        raise LabUnavailable(f"{name} not found on the host; run scripts/lab-deps.sh")
    return Path(found)


def _busybox() -> Path:
    path = _host_binary("busybox")
    proc = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
    said = proc.stdout + proc.stderr
    if "not a dynamic executable" not in said and "statically linked" not in said:
        raise LabUnavailable(f"{path} is not a static busybox; install busybox-static")
    return path


def _lldpd_files(versions: dict[str, str]) -> dict[str, tuple[Path, int]]:
    """lldpd, lldpcli and every library they load, at their guest paths."""
    trees = [fetch_unpacked(p, versions[p], cache_dir() / "debs") for p in LLDP_PACKAGES]
    libdirs = [str(t / "usr" / "lib" / "x86_64-linux-gnu") for t in trees]
    env = {**os.environ, "LD_LIBRARY_PATH": ":".join(libdirs)}
    files: dict[str, tuple[Path, int]] = {}
    binaries = [trees[0] / "usr" / "sbin" / name for name in ("lldpd", "lldpcli")]
    for binary in binaries:
        files[f"usr/sbin/{binary.name}"] = (binary, 0o755)
        for lib in ldd_libraries(binary, env):
            tree = next((t for t in trees if lib.startswith(str(t) + "/")), None)
            guest = lib[len(str(tree)) + 1 :] if tree is not None else lib.lstrip("/")
            files[guest] = (Path(lib), 0o755)
    return files


@dataclass(frozen=True)
class Kernel:
    """The guest kernel: its version, image, and the wanted modules in load order."""

    version: str
    vmlinuz: Path
    moddir: Path
    modules: list[str]  # paths relative to moddir, dependencies first

    @property
    def modules_list(self) -> str:
        """/etc/lab/modules: one ``path [params]`` line per module, in load order."""
        return "".join(
            f"{m} {WANTED_MODULES.get(_mod_name(m), '')}".rstrip() + "\n" for m in self.modules
        )


def kernel(kernel_pkg: str, version: str) -> Kernel:
    """Fetch (cached) the kernel package and order the modules the guests load."""
    release, ktree = _kernel_tree(kernel_pkg, version)
    moddir = ktree / "lib" / "modules" / release
    mods = module_order((moddir / "modules.dep").read_text(), list(WANTED_MODULES))
    return Kernel(release, ktree / "boot" / f"vmlinuz-{release}", moddir, mods)


def build(log: bool = False) -> Artifacts:
    """Resolve, fetch and assemble; returns cached artifacts when nothing changed."""
    kernel_pkg = resolve_kernel_package()
    versions = candidates([kernel_pkg, "openssh-server", *LLDP_PACKAGES])
    kern = kernel(kernel_pkg, versions[kernel_pkg])
    version, moddir, mods = kern.version, kern.moddir, kern.modules
    sshd_tree = fetch_unpacked("openssh-server", versions["openssh-server"], cache_dir() / "debs")

    files: dict[str, tuple[Path, int]] = {}  # guest path -> (host source, mode)
    busybox = _busybox()
    files["bin/busybox"] = (busybox, 0o755)
    sshd = sshd_tree / "usr" / "sbin" / "sshd"
    files["usr/sbin/sshd"] = (sshd, 0o755)
    for name, guest in HOST_BINARIES.items():
        files[guest] = (_host_binary(name), 0o755)
    for binary in [sshd] + [_host_binary(n) for n in HOST_BINARIES]:
        for lib in ldd_libraries(binary):
            files[lib.lstrip("/")] = (Path(lib), 0o755)
    files.update(_lldpd_files(versions))
    for mod in mods:
        files[f"lib/modules/{mod}"] = (moddir / mod, 0o644)
    files["etc/ssh/moduli"] = (sshd_tree / "etc" / "ssh" / "moduli", 0o644)
    guest_files = {p.name: p for p in sorted(GUEST_DIR.iterdir()) if p.is_file()}
    modules_list = kern.modules_list
    applets = _run([str(busybox), "--list-full"]).split()

    digest = hashlib.sha256(BUILD_FORMAT.encode() + modules_list.encode())
    for guest, (src, mode) in sorted(files.items()):
        digest.update(f"{guest}:{mode}:".encode() + src.read_bytes())
    for name, path in guest_files.items():
        digest.update(name.encode() + path.read_bytes())
    initrd = cache_dir() / f"initrd-{version}-{digest.hexdigest()[:16]}.cpio.gz"
    vmlinuz = kern.vmlinuz
    if initrd.is_file():
        return Artifacts(version, vmlinuz, initrd)

    arc = CpioArchive()
    for d, mode in (
        ("dev", 0o755),
        ("proc", 0o555),
        ("sys", 0o555),
        ("run", 0o755),
        ("tmp", 0o1777),
        ("root", 0o700),
        ("root/.ssh", 0o700),
        ("etc/lab", 0o755),
        ("var", 0o755),
        ("usr/bin", 0o755),
        ("usr/sbin", 0o755),
        ("usr/local/bin", 0o755),
    ):
        arc.add_dir(d, mode)
    arc.add_symlink("var/run", "../run")
    arc.add_chardev("dev/console", 5, 1)
    arc.add_chardev("dev/null", 1, 3, 0o666)
    for guest, (src, mode) in files.items():
        arc.add_file(guest, src.read_bytes(), mode)
    arc.add_symlink("bin/sh", "dash")
    arc.add_symlink("bin/ip", "../sbin/ip")
    arc.add_symlink("usr/sbin/lldpctl", "lldpcli")
    arc.add_symlink("init", "bin/busybox")
    for applet in applets:
        if applet.rsplit("/", 1)[-1] not in NOT_FROM_BUSYBOX and applet not in arc:
            arc.add_symlink(applet, "/bin/busybox")
    etc = {
        "rcS": ("etc/init.d/rcS", 0o755),
        "inittab": ("etc/inittab", 0o644),
        "sshd_config": ("etc/ssh/sshd_config", 0o644),
        "passwd": ("etc/passwd", 0o644),
        "shadow": ("etc/shadow", 0o600),
        "group": ("etc/group", 0o644),
        "nsswitch.conf": ("etc/nsswitch.conf", 0o644),
        "shells": ("etc/shells", 0o644),
        "labnet": ("usr/local/sbin/labnet", 0o755),
        "labboot": ("usr/local/sbin/labboot", 0o755),
    }
    for name, path in guest_files.items():
        if name not in etc:
            raise LabUnavailable(f"unplaced guest file {path}")
        arc.add_file(etc[name][0], path.read_bytes(), etc[name][1])
    arc.add_file("etc/hosts", b"127.0.0.1 localhost\n")
    arc.add_file("etc/lab/modules", modules_list.encode())
    arc.add_file("etc/lab/kernel", version.encode() + b"\n")

    tmp = initrd.with_suffix(".tmp")
    tmp.write_bytes(arc.to_gzip())
    tmp.rename(initrd)
    for old in cache_dir().glob("initrd-*.cpio.gz"):
        if old != initrd:
            old.unlink(missing_ok=True)
    return Artifacts(version, vmlinuz, initrd)


def node_overlay(
    name: str, index: int, host_key: bytes, host_pub: bytes, authorized_key: bytes
) -> bytes:
    """The small per-node archive appended to the shared initramfs (gzip'd newc cpio)."""
    arc = CpioArchive()
    arc.add_dir("etc/lab")
    arc.add_file("etc/hostname", f"{name}\n".encode())
    arc.add_file("etc/lab/name", f"{name}\n".encode())
    arc.add_file("etc/lab/index", f"{index}\n".encode())
    arc.add_file("etc/ssh/ssh_host_ed25519_key", host_key, 0o600)
    arc.add_file("etc/ssh/ssh_host_ed25519_key.pub", host_pub, 0o644)
    arc.add_dir("root", 0o700)
    arc.add_dir("root/.ssh", 0o700)
    arc.add_file("root/.ssh/authorized_keys", authorized_key, 0o600)
    return arc.to_gzip()
