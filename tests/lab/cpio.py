"""A minimal writer for the Linux initramfs format (gzip'd "newc" cpio).

The lab builds its guest userland without the `cpio` tool so the archive is deterministic
(fixed mtimes, root ownership, sorted entries) and the build needs nothing but Python. Only
the entry kinds the kernel's initramfs unpacker needs are supported: directories, regular
files, symlinks and character devices.
"""

from __future__ import annotations

import gzip
import io
import stat
from dataclasses import dataclass, field

_MAGIC = b"070701"
_TRAILER = "TRAILER!!!"


@dataclass
class _Entry:
    mode: int
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)


@dataclass
class CpioArchive:
    """An in-memory tree of entries, written out sorted so parents precede children."""

    mtime: int = 0
    entries: dict[str, _Entry] = field(default_factory=dict)

    def _parents(self, path: str) -> None:
        parts = path.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            parent = "/".join(parts[:i])
            if parent and parent not in self.entries:
                self.entries[parent] = _Entry(stat.S_IFDIR | 0o755)

    @staticmethod
    def _norm(path: str) -> str:
        norm = path.strip("/")
        if not norm or ".." in norm.split("/"):
            raise ValueError(f"bad archive path: {path!r}")
        return norm

    def add_dir(self, path: str, mode: int = 0o755) -> None:
        """Add a directory (parents are created implicitly with mode 0755)."""
        p = self._norm(path)
        self._parents(p)
        self.entries[p] = _Entry(stat.S_IFDIR | mode)

    def add_file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        """Add a regular file; a later add for the same path replaces the earlier one."""
        p = self._norm(path)
        self._parents(p)
        self.entries[p] = _Entry(stat.S_IFREG | mode, data)

    def add_symlink(self, path: str, target: str) -> None:
        """Add a symlink pointing at `target` (stored verbatim, may be relative)."""
        p = self._norm(path)
        self._parents(p)
        self.entries[p] = _Entry(stat.S_IFLNK | 0o777, target.encode())

    def add_chardev(self, path: str, major: int, minor: int, mode: int = 0o600) -> None:
        """Add a character device node (the kernel needs /dev/console before init runs)."""
        p = self._norm(path)
        self._parents(p)
        self.entries[p] = _Entry(stat.S_IFCHR | mode, rdev=(major, minor))

    def __contains__(self, path: str) -> bool:
        return self._norm(path) in self.entries

    def to_bytes(self) -> bytes:
        """Serialize to an uncompressed newc archive, terminated by the trailer entry."""
        out = io.BytesIO()
        for ino, name in enumerate(sorted(self.entries), start=1):
            _write_entry(out, ino, name, self.entries[name], self.mtime)
        _write_entry(out, 0, _TRAILER, _Entry(0), 0)
        return out.getvalue()

    def to_gzip(self) -> bytes:
        """Serialize and gzip with a fixed header mtime, so equal trees give equal bytes."""
        return gzip.compress(self.to_bytes(), compresslevel=6, mtime=0)


def _pad4(out: io.BytesIO) -> None:
    out.write(b"\0" * (-out.tell() % 4))


def _write_entry(out: io.BytesIO, ino: int, name: str, entry: _Entry, mtime: int) -> None:
    encoded = name.encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(entry.mode) else 1
    fields = (
        ino,
        entry.mode,
        0,
        0,
        nlink if name != _TRAILER else 1,
        mtime,
        len(entry.data),
        0,
        0,
        entry.rdev[0],
        entry.rdev[1],
        len(encoded),
        0,
    )
    out.write(_MAGIC + b"".join(b"%08X" % f for f in fields))
    out.write(encoded)
    _pad4(out)
    out.write(entry.data)
    _pad4(out)
