"""The one remote script every shell-based transport runs, and the reader of its output.

Each node is read in one round trip: one POSIX ``sh`` script prints every bond file the policy
names, ``ip -j addr``, ``ip -j -d link`` and ``uname -r``, each between marker lines that carry
a per-run nonce and the section's own exit status. The markers are what make ``oc debug``
usable: it merges the remote stdout and stderr and loses the remote exit code, so the script
reports both itself. Anything outside the markers (oc chatter, MOTD banners, sudo lectures) is
ignored.

Interface names reach the script only after ``ifname_problem`` accepted them and
``shlex.quote`` quoted them; nothing else from a policy or a node is interpolated.
"""

from __future__ import annotations

import re
import secrets
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from bondcheck.errors import CollectError
from bondcheck.ifname import ifname_problem
from bondcheck.model import Evidence

MARK = "@@BONDCHECK"
_LINE = re.compile(
    r"^@@BONDCHECK (?P<nonce>[0-9a-f]+) (?P<what>begin|end|done) (?P<section>[a-z0-9._+\-:]*)"
    r"(?: rc=(?P<rc>\S+))?@@\r?$"
)


def new_nonce() -> str:
    """A fresh random marker nonce, so node output can never forge a section boundary."""
    return secrets.token_hex(6)


def build_collect_script(bonds: Sequence[str], nonce: str, *, use_sudo: bool = True) -> str:
    """The POSIX sh script that collects a node's evidence.

    When the remote user is not root and ``use_sudo`` is set, ``sudo -n`` (never prompting) is
    used where allowed, because a non-root reader of /proc/net/bonding silently loses the LACP
    lines. The ``meta`` section records uid and whether sudo worked, so the caller knows which
    view it got.
    """
    if not re.fullmatch(r"[0-9a-f]+", nonce):
        raise ValueError("nonce must be lowercase hex")
    for bond in bonds:
        problem = ifname_problem(bond)
        if problem:
            raise ValueError(f"bond name {bond!r} {problem}")

    def begin(section: str) -> str:
        return f"printf '%s\\n' '{MARK} {nonce} begin {section}@@'"

    def end(section: str) -> str:
        return f"printf '\\n%s\\n' \"{MARK} {nonce} end {section} rc=$rc@@\""

    lines = [
        "LC_ALL=C; export LC_ALL",
        "PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH",
        "S=''",
        f"BONDCHECK_SUDO={'1' if use_sudo else '0'}",
        "U=$(id -u 2>/dev/null || echo unknown)",
        "SUDO=no",
        'if [ "$U" != 0 ] && [ "$BONDCHECK_SUDO" = 1 ] && sudo -n true >/dev/null 2>&1; then '
        "S='sudo -n'; SUDO=yes; fi",
        begin("meta"),
        'printf "uid=%s\\nsudo=%s\\nkernel=%s\\n" "$U" "$SUDO" "$(uname -r 2>/dev/null)"',
        "rc=0",
        end("meta"),
    ]
    for bond in bonds:
        path = shlex.quote(f"/proc/net/bonding/{bond}")
        section = f"bond:{bond}"
        lines += [
            begin(section),
            f"if [ -e {path} ]; then $S cat {path} 2>/dev/null; rc=$?; else rc=absent; fi",
            end(section),
        ]
    for section, command in (("ip-addr", "ip -j addr show"), ("ip-link", "ip -j -d link show")):
        lines += [begin(section), f"{command} 2>/dev/null; rc=$?", end(section)]
    # LLDP neighbours when lldpd runs on the node; absent is normal, not an error.
    lines += [
        begin("lldp"),
        "if command -v lldpctl >/dev/null 2>&1; then $S lldpctl -f json 2>/dev/null; rc=$?; "
        "else rc=absent; fi",
        end("lldp"),
    ]
    lines.append(f"printf '%s\\n' '{MARK} {nonce} done @@'")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Section:
    """One marked section of the script's output."""

    text: str
    rc: str


def split_sections(output: str, nonce: str) -> tuple[dict[str, Section], bool]:
    """Cut the script's output into sections; the bool says whether ``done`` was seen."""
    sections: dict[str, Section] = {}
    current: str | None = None
    buf: list[str] = []
    done = False
    for raw in output.splitlines(keepends=True):
        if not raw.startswith(MARK):
            if current is not None:
                buf.append(raw)
            continue
        match = _LINE.match(raw.rstrip("\n"))
        if not match or match["nonce"] != nonce:
            if current is not None:
                buf.append(raw)
            continue
        what = match["what"]
        if what == "begin":
            current, buf = match["section"], []
        elif what == "end" and current is not None and current == match["section"]:
            text = "".join(buf)
            # end() prints one newline of its own so the marker always starts a line.
            text = text[:-1] if text.endswith("\n") else text
            sections[current] = Section(text=text, rc=match["rc"] or "")
            current, buf = None, []
        elif what == "done":
            done = True
    return sections, done


def output_complete(output: str, nonce: str) -> bool:
    """Whether ``output`` holds the script's first section and its final marker."""
    sections, done = split_sections(output, nonce)
    return done and "meta" in sections


def parse_collect_output(
    output: str, nonce: str, *, node: str, transport: str, bonds: Sequence[str]
) -> Evidence:
    """Turn the script's output into Evidence, or raise CollectError saying what went wrong."""
    sections, done = split_sections(output, nonce)
    if "meta" not in sections:
        first = next((ln.strip() for ln in output.splitlines() if ln.strip()), "no output")
        raise CollectError(f"{node}: collection script did not run ({first[:200]})")
    if not done:
        raise CollectError(f"{node}: output ended early (connection lost or timed out)")
    meta = dict(line.split("=", 1) for line in sections["meta"].text.splitlines() if "=" in line)
    uid, sudo = meta.get("uid"), meta.get("sudo")
    privileged = True if uid == "0" or sudo == "yes" else (False if uid else None)
    texts: dict[str, str | None] = {}
    notes: list[str] = []
    for bond in bonds:
        sec = sections.get(f"bond:{bond}")
        if sec is None:
            raise CollectError(f"{node}: no output for bond {bond}")
        if sec.rc == "absent":
            texts[bond] = None
        elif sec.rc != "0":
            raise CollectError(f"{node}: reading /proc/net/bonding/{bond} failed (rc={sec.rc})")
        else:
            texts[bond] = sec.text
    ip_texts: dict[str, str | None] = {}
    for name in ("ip-addr", "ip-link"):
        sec = sections.get(name)
        if sec is None or sec.rc != "0":
            ip_texts[name] = None
            rc = sec.rc if sec else "?"
            notes.append(f"`{name.replace('-', ' ')}` failed on the node (rc={rc})")
        else:
            ip_texts[name] = sec.text
    lldp = sections.get("lldp")
    if privileged is False:
        notes.append(f"read as uid {uid} without sudo: LACP details are hidden by the kernel")
    return Evidence(
        node=node,
        transport=transport,
        bonds=texts,
        ip_addr=ip_texts["ip-addr"],
        ip_link=ip_texts["ip-link"],
        privileged=privileged,
        kernel=meta.get("kernel") or None,
        notes=tuple(notes),
        lldp=lldp.text if lldp is not None and lldp.rc == "0" and lldp.text.strip() else None,
    )
