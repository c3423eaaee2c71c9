"""Linux interface-name rules, shared by the policy loader and every transport.

Names from a policy or a node end up in remote shell commands and file paths, so they are
checked against the kernel's own rule (``dev_valid_name``: 1-15 bytes, not "." or "..", no
"/", ":" or whitespace) and then restricted further to characters that need no shell quoting
beyond ``shlex.quote``. Anything else is refused before it reaches a node.
"""

from __future__ import annotations

import re

IFNAMSIZ = 16  # includes the trailing NUL, so at most 15 visible bytes

# Printable ASCII minus whitespace, "/", ":" (the kernel's rule) and shell-special quoting
# characters that no real interface uses; "@" is allowed (iproute2 prints eth0@if5 for veth,
# but that is display only and never a real name, so it is refused too).
_ALLOWED = re.compile(r"[A-Za-z0-9_.\-+]+")


def ifname_problem(name: object) -> str | None:
    """Why ``name`` is not a valid interface name, or None when it is."""
    if not isinstance(name, str):
        return f"must be a string, not {type(name).__name__}"
    if not name:
        return "is empty"
    if len(name.encode()) >= IFNAMSIZ:
        return f"is {len(name.encode())} bytes long; Linux allows at most {IFNAMSIZ - 1}"
    if name in {".", ".."}:
        return "cannot be '.' or '..'"
    if name.startswith("-"):  # never a valid nmstate name, and `ip` would read it as an option
        return "cannot begin with '-'"
    if not _ALLOWED.fullmatch(name):
        bad = sorted({c for c in name if not _ALLOWED.fullmatch(c)})
        return "contains characters not allowed in an interface name: " + " ".join(
            repr(c) for c in bad
        )
    return None
