"""EVIDENCE-PARSE: the evidence of a node could not be read.

Unlike the other checks it never runs on a context: there is no context without readable
evidence. The judge reports it (scope ``evidence``) for each bond whose bonding text, or for
the node whose ``ip -j`` JSON, does not parse, and carries on with everything else. It is a
catalogued check like any other so that ``bondcheck checks``, ``explain`` and docs/checks.md
list it and ``--only``/``--skip`` accept its ID.
"""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import CheckContext, CheckDef, check
from bondcheck.model import CheckResult, Status


@check(
    "EVIDENCE-PARSE",
    title="Evidence from the node could be read (bonding text, ip JSON)",
    remediation=(
        "Look at the raw file (bondcheck parse FILE shows the exact line); re-collect the "
        "evidence, and check that the capture holds the kernel's text unedited."
    ),
    scope="evidence",
    needs_bond=False,
)
def evidence_parse(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Reports evidence that bondcheck could not read: the text of
    /proc/net/bonding/<bond> that is not bonding output, or ip-addr.json /
    ip-link.json that is not `ip -j` JSON.

    Why it matters: every other check of that bond (or every IP check, for the ip
    JSON) needs this evidence; none of them ran, so the node is reported as ERROR
    rather than passed.

    Status: always ERROR; it is reported even with --only/--skip, because the checks
    it stands for never ran. A run whose only problems are ERRORs exits 3.

    How to fix: run `bondcheck parse FILE` on the file to see the offending line;
    re-collect (`bondcheck collect`), and make sure nothing (a terminal, a ticket
    system, an editor) rewrapped or truncated the capture.
    """
    return iter(())


def unreadable(message: str, *, bond: str | None, evidence: str | None) -> CheckResult:
    """The ERROR result standing in for the checks that unreadable evidence kept from running."""
    return CheckResult(
        check=evidence_parse.id,
        status=Status.ERROR,
        message=message,
        bond=bond,
        evidence=evidence,
        remediation=evidence_parse.remediation,
    )
