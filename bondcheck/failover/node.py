"""Running failover scripts on a node through any transport that can run a shell command.

The failover test needs only one thing from a transport: ``run(command, timeout, stdin)``
returning ``(exit_status, stdout, stderr)``. The SSH session offers it; ``oc debug`` and the
handler-exec transport can offer the same, so the whole test is written against
:class:`NodeShell` and never against a particular transport.

Every script is POSIX ``sh`` (dash, busybox-free), sent as one ``sh -c '<script>'`` command and
prefixed with ``sudo -n`` when the remote user is not root. Script output is framed by the
same nonce markers the collection script uses (:mod:`bondcheck.transport.script`), so chatter
from ``oc debug``, MOTD banners or sudo never mixes with the data, and a node can never forge
a section boundary.
"""

from __future__ import annotations

import shlex
from typing import Protocol, runtime_checkable

from bondcheck.errors import CollectError
from bondcheck.transport.script import MARK, Section, new_nonce, split_sections

#: First lines of every failover script: a fixed locale and a PATH that finds ``ip`` on
#: every distribution, and a clock helper (``%N`` is missing from some ``date`` builds; the
#: reader takes the leading digits, so a missing fraction degrades to whole seconds), and a
#: liveness test that, unlike ``kill -0``, is false for a zombie and for a recycled PID:
#: ``running PID WORD`` is true while PID exists and its command line contains WORD.
PRELUDE = (
    "LC_ALL=C; export LC_ALL",
    "PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH; export PATH",
    "now() { date +%s.%N 2>/dev/null || date +%s; }",
    'running() { [ -n "$1" ] && grep -q "$2" "/proc/$1/cmdline" 2>/dev/null; }',
)


@runtime_checkable
class NodeShell(Protocol):
    """What the failover test needs from a transport: run one shell command on the node."""

    def run(
        self, command: str, timeout: float, stdin: str | None = None
    ) -> tuple[int, str, str]: ...


class Script:
    """A POSIX sh script whose output is cut into nonce-marked sections.

    ``section(name, body)`` prints a ``begin`` marker, runs ``body`` as one brace group,
    and prints an ``end`` marker carrying the group's exit status. Section names may be
    shell words (``sample:$i``) expanded on the node; they must expand to the characters
    :func:`~bondcheck.transport.script.split_sections` accepts.
    """

    def __init__(self, nonce: str, *lines: str) -> None:
        self.nonce = nonce
        self.lines: list[str] = [*PRELUDE, *lines]

    def add(self, *lines: str) -> Script:
        self.lines.extend(lines)
        return self

    def begin(self, name: str) -> str:
        return f"printf '%s\\n' \"{MARK} {self.nonce} begin {name}@@\""

    def end(self, name: str) -> str:
        return f"printf '\\n%s\\n' \"{MARK} {self.nonce} end {name} rc=$rc@@\""

    def done(self) -> str:
        return f"printf '%s\\n' '{MARK} {self.nonce} done @@'"

    def section(self, name: str, *body: str, indent: str = "") -> Script:
        """Append a marked section running ``body`` (lines of shell) as one group."""
        self.lines.append(indent + self.begin(name))
        self.lines.append(indent + "{")
        self.lines.extend(indent + "  " + line for line in (body or (":",)))
        self.lines.append(indent + "}; rc=$?")
        self.lines.append(indent + self.end(name))
        return self

    def text(self) -> str:
        return "\n".join([*self.lines, self.done()]) + "\n"


def shell_command(script: str, *, sudo: bool) -> str:
    """The one command line that runs ``script`` on the node, as root."""
    return ("sudo -n " if sudo else "") + "sh -c " + shlex.quote(script)


class RootShell:
    """Runs failover scripts as root on one node over a :class:`NodeShell`.

    ``detect`` learns once whether the remote user is root or may use ``sudo -n``; every later
    script is wrapped accordingly. A user who is neither cannot take a link down, so the test
    stops there with a one-line error instead of failing half way through.
    """

    def __init__(self, shell: NodeShell, node: str) -> None:
        self.shell = shell
        self.node = node
        self.sudo = False

    def detect(self, timeout: float = 30.0) -> None:
        probe = (
            'u=$(id -u 2>/dev/null); echo "uid=$u"; '
            'if [ "$u" != 0 ] && sudo -n true >/dev/null 2>&1; then echo sudo=yes; '
            "else echo sudo=no; fi"
        )
        rc, out, err = self.shell.run(probe, timeout)
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        uid = values.get("uid", "").strip()
        if not uid:
            first = (err or out).strip().splitlines()[:1]
            raise CollectError(
                f"{self.node}: could not run a shell command (rc={rc}"
                + (f": {first[0][:200]}" if first else "")
                + ")"
            )
        if uid == "0":
            self.sudo = False
        elif values.get("sudo", "").strip() == "yes":
            self.sudo = True
        else:
            raise CollectError(
                f"{self.node}: taking a link down needs root; the remote user has uid {uid} "
                "and `sudo -n` is not allowed"
            )

    def command(self, script: str) -> str:
        """The exact command line sent for ``script`` (what ``--dry-run`` prints)."""
        return shell_command(script, sudo=self.sudo)

    def run(self, script: str, timeout: float) -> tuple[int, str, str]:
        return self.shell.run(self.command(script), timeout)

    def sections(self, script: Script, timeout: float) -> dict[str, Section]:
        """Run ``script`` and return its sections; a missing ``done`` marker is an error."""
        rc, out, err = self.run(script.text(), timeout)
        found, done = split_sections(out, script.nonce)
        if not done:
            first = next((ln.strip() for ln in (err or out).splitlines() if ln.strip()), "")
            raise CollectError(
                f"{self.node}: script output ended early (rc={rc}"
                + (f": {first[:200]}" if first else "")
                + ")"
            )
        return found


__all__ = [
    "MARK",
    "PRELUDE",
    "NodeShell",
    "RootShell",
    "Script",
    "Section",
    "new_nonce",
    "shell_command",
]
