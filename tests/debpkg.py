"""Debian packages as unpacked trees, for tests that run a real program without installing it.

``apt-get download`` fetches the package and ``dpkg-deb -x`` unpacks it into a cache
directory: nothing is installed, so no service is registered or started on the machine
(installing openssh-server or prometheus would start a system daemon). Parallel test
processes fetch a package once (a file lock), and a later run reuses the tree.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path


class PackageUnavailable(RuntimeError):
    """The package could not be fetched or unpacked; the message says why in one line."""


def _run(cmd: Sequence[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    return subprocess.run(
        list(cmd), cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=300
    )


def cache_for(package: str, env: str | None = None) -> Path:
    """``$env`` when set, else ``~/.cache/bondcheck/<package>`` (XDG_CACHE_HOME honoured)."""
    base = (os.environ.get(env) if env else None) or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "bondcheck", package
    )
    path = Path(base)
    path.mkdir(parents=True, exist_ok=True)
    return path


def unpacked(package: str, probe: str, cache: Path | None = None) -> Path:
    """The root of ``package`` unpacked in ``cache``; ``probe`` (a path inside the package,
    e.g. ``usr/bin/promtool``) says whether an earlier run already unpacked it."""
    cache = cache or cache_for(package)
    root = cache / "root"
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / probe).exists():
            _fetch(package, cache)
    return root


def _fetch(package: str, cache: Path) -> None:
    for old in cache.glob(f"{package}_*.deb"):
        old.unlink()
    result = _run(["apt-get", "download", package], cwd=cache)
    if result.returncode != 0:
        _run(["apt-get", "update", "-qq"])
        result = _run(["apt-get", "download", package], cwd=cache)
    debs = sorted(cache.glob(f"{package}_*.deb"))
    if result.returncode != 0 or not debs:
        raise PackageUnavailable(f"apt-get download {package} failed: {result.stderr.strip()}")
    staging = cache / "root.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    unpack = _run(["dpkg-deb", "-x", str(debs[-1]), str(staging)])
    if unpack.returncode != 0:
        raise PackageUnavailable(f"dpkg-deb -x {debs[-1].name} failed: {unpack.stderr.strip()}")
    shutil.rmtree(cache / "root", ignore_errors=True)
    staging.rename(cache / "root")
