"""A capture directory read as untrusted input: every file of it goes through ``Tree.read``.

Captures come from customers' sosreports and teammates' tarballs, and bondcheck may run
unattended over them, so:

* no symlink leaves the tree: a path whose real location is outside the root is refused as
  that node's error, naming the path, never quoting what it points to;
* only regular files are read: a FIFO, device or socket is refused without being opened
  (opening a FIFO would block the run);
* every read is bounded by the bytes actually read, not by ``st_size`` (procfs files say 0).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bondcheck.errors import CollectError

MAX_FILE_BYTES = 8 * 1024 * 1024  # a /proc/net/bonding file is ~2 KiB; ip -j of 500 links ~2 MiB


class Tree:
    """The capture root that every path read from it must stay inside."""

    def __init__(self, root: str | Path, limit: int = MAX_FILE_BYTES) -> None:
        self.root = Path(root)
        self._real = os.path.realpath(self.root)
        self.limit = limit

    def check(self, path: Path) -> None:
        """CollectError when ``path`` (through any symlink) lies outside the tree."""
        real = os.path.realpath(path)
        if real != self._real and not real.startswith(self._real.rstrip(os.sep) + os.sep):
            raise CollectError(f"{path}: a link out of the capture directory, not read")

    def read(self, path: Path) -> str | None:
        """The file's text (line endings kept), None when nothing is there; CollectError
        for a link out of the tree, anything but a regular file, or too many bytes."""
        if not os.path.lexists(path):
            return None
        self.check(path)
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                raise CollectError(f"{path}: not a regular file, not read")
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
            with os.fdopen(fd, "rb") as handle:
                if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):  # swapped meanwhile
                    raise CollectError(f"{path}: not a regular file, not read")
                data = handle.read(self.limit + 1)
        except OSError as exc:
            raise CollectError(f"cannot read {path}: {exc.strerror or exc}") from None
        if len(data) > self.limit:
            raise CollectError(f"{path}: more than {self.limit} bytes is too large for evidence")
        return data.decode("utf-8", errors="replace")

    def is_file(self, path: Path) -> bool:
        """Something is there to read (or to refuse): a file, a link or a special file."""
        return os.path.lexists(path) and not path.is_dir()
