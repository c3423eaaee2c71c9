"""known_hosts reading, host-key verification and accept-new recording for the SSH transport.

Verification is done here rather than by paramiko's policies because bondcheck must tell an
*unknown* key (a first contact: refuse, or record it with --accept-new-host-keys) from a
*changed* key (a possible man-in-the-middle: always refuse) and say which file and line hold
the old key. Keys are compared as (type, base64 blob) strings, so no key object is built per
node and this module needs no crypto library at all.

The format is OpenSSH's: ``[marker] names keytype base64 [comment]`` where names is a comma
list of host patterns (``*``/``?`` wildcards, ``!`` negation, ``[host]:port`` for a port other
than 22) or one hashed name ``|1|salt|hmac``. ``@revoked`` keys are refused; ``@cert-authority``
lines are skipped (host certificates are not supported).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bondcheck.errors import CollectError

# Host-key algorithms to offer for a key type found in known_hosts (RSA keys are stored as
# "ssh-rsa" but negotiated as rsa-sha2-*).
_ALGORITHMS_FOR_TYPE = {
    "ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256"),
}


def host_key_name(host: str, port: int) -> str:
    """The name OpenSSH files a host's key under: ``host`` on port 22, else ``[host]:port``."""
    return host if port == 22 else f"[{host}]:{port}"


def fingerprint(blob_b64: str) -> str:
    """OpenSSH's SHA256 fingerprint of a base64 public-key blob (public, safe to print)."""
    digest = hashlib.sha256(base64.b64decode(blob_b64)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class KnownKey:
    """One key line of a known_hosts file, with where it came from (for error messages)."""

    keytype: str
    blob: str
    marker: str  # "" or "@revoked"
    source: str
    line: int


def _pattern_matches(pattern: str, name: str) -> bool:
    if pattern.startswith("|1|"):
        try:
            _, _, salt_b64, hash_b64 = pattern.split("|", 3)
            salt = base64.b64decode(salt_b64)
            expected = base64.b64decode(hash_b64)
        except (ValueError, binascii.Error):
            return False
        return hmac.compare_digest(hmac.new(salt, name.encode(), hashlib.sha1).digest(), expected)
    if "*" not in pattern and "?" not in pattern:
        return pattern.lower() == name.lower()
    # Only * and ? are wildcards in known_hosts ("[host]:port" brackets are literal).
    regex = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern.lower()
    )
    return re.fullmatch(regex, name.lower()) is not None


def names_match(patterns: str, name: str) -> bool:
    """Whether a known_hosts name field matches ``name`` (a negated match wins, like OpenSSH)."""
    matched = False
    for pattern in patterns.split(","):
        if pattern.startswith("!"):
            if _pattern_matches(pattern[1:], name):
                return False
        elif _pattern_matches(pattern, name):
            matched = True
    return matched


def parse_known_hosts(text: str, source: str) -> list[tuple[str, KnownKey]]:
    """Every usable (names, key) line of a known_hosts file; malformed lines are skipped."""
    entries: list[tuple[str, KnownKey]] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        fields = raw.split()
        if not fields or fields[0].startswith("#"):
            continue
        marker = ""
        if fields[0].startswith("@"):
            marker, fields = fields[0], fields[1:]
            if marker != "@revoked":
                continue  # @cert-authority: host certificates are not supported
        if len(fields) < 3:
            continue
        names, keytype, blob = fields[0], fields[1], fields[2]
        try:
            base64.b64decode(blob, validate=True)
        except binascii.Error:
            continue
        entries.append((names, KnownKey(keytype, blob, marker, source, lineno)))
    return entries


def _plain_names(patterns: str) -> list[str] | None:
    """The lowercased names of a name field made only of literal names, else None (hashed,
    wildcard or negated patterns need ``names_match``)."""
    names = patterns.lower().split(",")
    for name in names:
        if not name or name[0] in "!|" or "*" in name or "?" in name:
            return None
    return names


class _FileIndex:
    """One known_hosts file's entries, with the literal names indexed.

    A fleet's known_hosts holds one line per node; scanning every line for every node made
    verification cost O(nodes) per node. Literal names are looked up in a dict; only hashed,
    wildcard and negated lines are still matched one by one. Positions keep file order.
    """

    def __init__(self, entries: list[tuple[str, KnownKey]]) -> None:
        self.entries: list[tuple[str, KnownKey]] = []
        self._exact: dict[str, list[int]] = {}
        self._scan: list[int] = []
        for entry in entries:
            self.add(entry)

    def add(self, entry: tuple[str, KnownKey]) -> None:
        position = len(self.entries)
        self.entries.append(entry)
        names = _plain_names(entry[0])
        if names is None:
            self._scan.append(position)
            return
        for name in dict.fromkeys(names):
            self._exact.setdefault(name, []).append(position)

    def lookup(self, name: str) -> list[KnownKey]:
        positions = list(self._exact.get(name.lower(), ()))
        positions += [i for i in self._scan if names_match(self.entries[i][0], name)]
        return [self.entries[i][1] for i in sorted(positions)]


class KnownHosts:
    """The known_hosts files of one SSH transport, read once and shared by all its threads.

    ``files`` are searched in order; new keys (accept-new) are appended to the first one.
    Missing files count as empty. A process that appends to a file we already read is not
    seen until the transport is rebuilt; entries we record ourselves are seen at once.
    """

    def __init__(self, files: Sequence[str]) -> None:
        self._lock = threading.Lock()
        self._files = [str(Path(f).expanduser()) for f in files]
        self._cache: dict[str, _FileIndex] = {}

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(self._files)

    def _load_locked(self, path: str) -> _FileIndex:
        cached = self._cache.get(path)
        if cached is None:
            try:
                text = Path(path).read_text(encoding="utf-8", errors="replace")
            except OSError:
                text = ""
            cached = _FileIndex(parse_known_hosts(text, path))
            self._cache[path] = cached
        return cached

    def lookup(self, name: str) -> list[KnownKey]:
        """All keys recorded for ``name`` (already in ``[host]:port`` form) in every file."""
        found: list[KnownKey] = []
        for path in self._files:
            with self._lock:
                found.extend(self._load_locked(path).lookup(name))
        return found

    def preferred_algorithms(self, names: Iterable[str], supported: Sequence[str]) -> list[str]:
        """Host-key algorithms to offer, known types first, so a host with several keys is
        asked for the one we can check (what OpenSSH does with its HostKeyAlgorithms)."""
        known: list[str] = []
        for name in names:
            for key in self.lookup(name):
                for alg in _ALGORITHMS_FOR_TYPE.get(key.keytype, (key.keytype,)):
                    if alg in supported and alg not in known:
                        known.append(alg)
            if known:
                break
        return known + [alg for alg in supported if alg not in known]

    def record(self, name: str, keytype: str, blob: str) -> None:
        """Append a newly accepted key to the first known_hosts file (created 0600)."""
        if not self._files:
            return
        path = self._files[0]
        line = f"{name} {keytype} {blob}\n"
        with self._lock:
            index = self._load_locked(path)
            if any(n == name and k.blob == blob for n, k in index.entries):
                return  # another thread recorded the same first contact
            parent = Path(path).parent
            if not parent.exists():
                parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as handle:
                if handle.tell() > 0 and not _ends_with_newline(path):
                    handle.write("\n")
                handle.write(line)
            index.add((name, KnownKey(keytype, blob, "", path, 0)))

    def verify(
        self, label: str, names: Sequence[str], keytype: str, blob: str, *, accept_new: bool
    ) -> None:
        """Check the server's key for the first name that has entries; raise CollectError.

        ``names`` are the candidate names in priority order (the connected host, then an alias
        such as the node name); ``label`` prefixes the message (the node name). An unknown key
        is recorded under ``names[0]`` when ``accept_new`` is set; a changed key never is.
        """
        shown = names[0]
        for name in names:
            keys = self.lookup(name)
            if not keys:
                continue
            revoked = [k for k in keys if k.marker == "@revoked" and k.blob == blob]
            if revoked:
                k = revoked[0]
                raise CollectError(
                    f"{label}: host key for {name} is REVOKED ({k.source}:{k.line}); refusing"
                )
            valid = [k for k in keys if not k.marker]
            if any(k.keytype == keytype and k.blob == blob for k in valid):
                return
            if not valid:
                continue
            old = next((k for k in valid if k.keytype == keytype), valid[0])
            where = f"{old.source}:{old.line}" if old.line else old.source
            raise CollectError(
                f"{label}: host key for {name} has CHANGED (known_hosts {where} has "
                f"{old.keytype} {fingerprint(old.blob)}, the server offered {keytype} "
                f"{fingerprint(blob)}) - possible man-in-the-middle; if the node was "
                f"reinstalled, remove the old entry (ssh-keygen -R '{name}' -f {old.source})"
            )
        if accept_new:
            self.record(shown, keytype, blob)
            return
        raise CollectError(
            f"{label}: host key for {shown} is not known (add it to known_hosts or pass "
            f"--accept-new-host-keys); the server offered {keytype} {fingerprint(blob)}"
        )


def _ends_with_newline(path: str) -> bool:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) == b"\n"
