"""known_hosts matching and verification rules, without a network (keys are plain strings)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import subprocess
import threading
from pathlib import Path

import pytest

from bondcheck.errors import CollectError
from bondcheck.transport.ssh_hostkeys import (
    KnownHosts,
    fingerprint,
    host_key_name,
    names_match,
    parse_known_hosts,
)
from tests.sshd.server import make_keypair

KEY_A = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + b"A" * 36).decode()
KEY_B = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519" + b"B" * 36).decode()
RSA = base64.b64encode(b"\x00\x00\x00\x07ssh-rsa" + b"R" * 40).decode()


def hashed(name: str, salt: bytes = b"0123456789abcdefghij") -> str:
    digest = hmac.new(salt, name.encode(), hashlib.sha1).digest()
    return f"|1|{base64.b64encode(salt).decode()}|{base64.b64encode(digest).decode()}"


def test_host_key_name_brackets_non_default_ports() -> None:
    assert host_key_name("10.0.0.5", 22) == "10.0.0.5"
    assert host_key_name("10.0.0.5", 2222) == "[10.0.0.5]:2222"


@pytest.mark.parametrize(
    ("patterns", "name", "expected"),
    [
        ("worker-0,10.0.0.5", "10.0.0.5", True),
        ("worker-0", "WORKER-0", True),
        ("[127.0.0.1]:2222", "[127.0.0.1]:2222", True),
        ("[127.0.0.1]:2222", "[127.0.0.1]:2223", False),
        ("[127.0.0.1]:2222", "1", False),  # brackets are literal, not a character class
        ("worker-*", "worker-12", True),
        ("worker-?", "worker-12", False),
        ("*.lab,!bad.lab", "bad.lab", False),
        ("*.lab,!bad.lab", "good.lab", True),
        (hashed("[10.1.1.1]:22022"), "[10.1.1.1]:22022", True),
        (hashed("node-a"), "node-b", False),
        ("|1|not-base64|!!", "x", False),
    ],
)
def test_names_match(patterns: str, name: str, expected: bool) -> None:
    assert names_match(patterns, name) is expected


def test_parse_skips_comments_markers_and_garbage() -> None:
    text = "\n".join(
        [
            "# comment",
            f"node-a ssh-ed25519 {KEY_A} root@node-a",
            f"@cert-authority *.lab ssh-ed25519 {KEY_B}",
            f"@revoked node-b ssh-ed25519 {KEY_B}",
            "node-c ssh-ed25519 ***not base64***",
            "too-short",
        ]
    )
    entries = parse_known_hosts(text, "kh")
    assert [(names, k.marker, k.line) for names, k in entries] == [
        ("node-a", "", 2),
        ("node-b", "@revoked", 4),
    ]


def make(tmp_path: Path, *lines: str) -> tuple[KnownHosts, Path]:
    path = tmp_path / "known_hosts"
    path.write_text("".join(f"{line}\n" for line in lines))
    return KnownHosts([str(path), str(tmp_path / "missing")]), path


def test_matching_key_passes(tmp_path: Path) -> None:
    known, _ = make(tmp_path, f"{hashed('[h]:2200')} ssh-ed25519 {KEY_A}")
    known.verify("n1", ["[h]:2200"], "ssh-ed25519", KEY_A, accept_new=False)


def test_unknown_key_message_and_no_write(tmp_path: Path) -> None:
    known, path = make(tmp_path, f"other ssh-ed25519 {KEY_A}")
    with pytest.raises(CollectError) as info:
        known.verify("n1", ["[h]:2200", "[n1]:2200"], "ssh-ed25519", KEY_A, accept_new=False)
    assert str(info.value) == (
        "n1: host key for [h]:2200 is not known (add it to known_hosts or pass "
        f"--accept-new-host-keys); the server offered ssh-ed25519 {fingerprint(KEY_A)}"
    )
    assert path.read_text() == f"other ssh-ed25519 {KEY_A}\n"


def test_changed_key_names_file_and_line_and_is_never_accepted(tmp_path: Path) -> None:
    known, path = make(tmp_path, "# c", f"h ssh-ed25519 {KEY_A}")
    with pytest.raises(CollectError, match="CHANGED") as info:
        known.verify("n1", ["h"], "ssh-ed25519", KEY_B, accept_new=True)
    message = str(info.value)
    assert f"{path}:2" in message and "man-in-the-middle" in message
    assert fingerprint(KEY_A) in message and fingerprint(KEY_B) in message
    assert "ssh-keygen -R 'h'" in message
    assert path.read_text().count("\n") == 2


def test_other_key_type_known_counts_as_changed(tmp_path: Path) -> None:
    known, _ = make(tmp_path, f"h ssh-rsa {RSA}")
    with pytest.raises(CollectError, match="has CHANGED"):
        known.verify("n1", ["h"], "ssh-ed25519", KEY_A, accept_new=True)


def test_revoked_key_is_refused(tmp_path: Path) -> None:
    known, _ = make(tmp_path, f"@revoked h ssh-ed25519 {KEY_A}")
    with pytest.raises(CollectError, match="REVOKED"):
        known.verify("n1", ["h"], "ssh-ed25519", KEY_A, accept_new=True)


def test_first_name_with_entries_decides(tmp_path: Path) -> None:
    # The address has no entry; the node name's entry vouches for it.
    known, _ = make(tmp_path, f"[n1]:2200 ssh-ed25519 {KEY_A}")
    known.verify("n1", ["[10.0.0.5]:2200", "[n1]:2200"], "ssh-ed25519", KEY_A, accept_new=False)
    with pytest.raises(CollectError, match=r"host key for \[n1\]:2200 has CHANGED"):
        known.verify("n1", ["[10.0.0.5]:2200", "[n1]:2200"], "ssh-ed25519", KEY_B, accept_new=False)


def test_accept_new_appends_once_even_from_many_threads(tmp_path: Path) -> None:
    path = tmp_path / "kh"
    path.write_text(f"old ssh-ed25519 {KEY_B}")  # no trailing newline
    known = KnownHosts([str(path)])
    threads = [
        threading.Thread(
            target=known.verify,
            args=("n1", ["[h]:2200"], "ssh-ed25519", KEY_A),
            kwargs={"accept_new": True},
        )
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert path.read_text().splitlines() == [
        f"old ssh-ed25519 {KEY_B}",
        f"[h]:2200 ssh-ed25519 {KEY_A}",
    ]
    # A fresh reader of the file sees the recorded key as known.
    KnownHosts([str(path)]).verify("n1", ["[h]:2200"], "ssh-ed25519", KEY_A, accept_new=False)


def test_record_creates_private_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "known_hosts"
    KnownHosts([str(path)]).verify("n", ["h"], "ssh-ed25519", KEY_A, accept_new=True)
    assert path.read_text() == f"h ssh-ed25519 {KEY_A}\n"
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_preferred_algorithms_put_known_types_first(tmp_path: Path) -> None:
    known, _ = make(tmp_path, f"h ssh-rsa {RSA}")
    supported = ["ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "rsa-sha2-256"]
    assert known.preferred_algorithms(["x", "h"], supported) == [
        "rsa-sha2-512",
        "rsa-sha2-256",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
    ]
    assert known.preferred_algorithms(["unknown"], supported) == supported


def test_fingerprint_matches_ssh_keygen(tmp_path: Path) -> None:
    key = make_keypair(tmp_path / "k")
    listed = subprocess.run(
        ["ssh-keygen", "-l", "-f", f"{key.path}.pub"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert fingerprint(key.blob) == listed[1]
