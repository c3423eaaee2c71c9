"""Errors that end in a one-line message and a documented exit code, never a traceback."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAIL = 1  # at least one check failed
EXIT_USAGE = 2  # usage or invalid input: bad policy, unreadable file, malformed text
EXIT_COLLECT = 3  # evidence could not be collected from a node, and nothing failed
EXIT_REFUSED = 4  # failover refused by its pre-check


class BondcheckError(Exception):
    """Base of every error bondcheck reports to the user as one line."""

    exit_code = EXIT_USAGE


class InputError(BondcheckError):
    """Invalid input: a file that cannot be read or is not what it claims to be."""


class ParseError(InputError):
    """Text that is not /proc/net/bonding output (or not ip -j JSON); says why and where."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None):
        self.reason = message
        self.source = source
        self.line = line
        where = source or "<input>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}")


class PolicyError(InputError):
    """An NNCP that cannot be verified; the message names the offending field."""


class CollectError(BondcheckError):
    """Evidence could not be collected from one node (unreachable, auth, timeout, RBAC)."""

    exit_code = EXIT_COLLECT
