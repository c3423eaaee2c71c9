"""Render the check reference (docs/checks.md) from the registry, so the two cannot drift.

``python -m bondcheck.checks.docgen > docs/checks.md`` regenerates the file; a test compares
the committed file with this output.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bondcheck.checks.registry import all_checks


class Documented(Protocol):
    """What the reference shows of a check: registry checks and the judge's own IDs."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def remediation(self) -> str: ...
    @property
    def explain(self) -> str: ...
    @property
    def scope(self) -> str: ...


_HEADER = """\
# Check reference

Every check bondcheck runs, in the order it reports them. IDs are stable: use them with
`--only` / `--skip`, and `bondcheck explain ID` prints the same text as below.

Statuses: **pass**; **fail** (the node does not match the policy, exit code 1); **warn** (worth
a look, fails only with `--strict`); **skip** (the check does not apply, or the evidence
cannot show it; the message says which); **error** (the check could not run).

Bond checks run once per bond of the policy; when `/proc/net/bonding/<bond>` does not exist
they skip with "bond not present" (BOND-PRESENT fails), and when the policy removes the bond
(`state: absent` / `down`) only BOND-PRESENT judges it. 802.3ad-only checks (LACP-*) skip on
other modes. LACP details are printed by the kernel only to a reader with CAP_NET_ADMIN; in a
non-privileged view the checks that need them warn "not visible to this reader" instead of
reporting a missing partner.

| ID | Title |
|---|---|
"""


def _scope(check: Documented, judge_ids: set[str]) -> str:
    if check.id in judge_ids:
        return "evidence (reported by bondcheck itself, whatever --only/--skip select)"
    return "node (once per node)" if check.scope == "node" else "bond (once per policy bond)"


def render_markdown(checks: Sequence[Documented] | None = None) -> str:
    """docs/checks.md: a summary table, then one section per check (explain + remediation).

    By default the registry's checks and then the IDs the judge reports itself
    (EVIDENCE-PARSE): a user who meets one in a report must find it in the reference too.
    """
    from bondcheck.judge import JUDGE_CHECKS

    judge_ids = {c.id for c in JUDGE_CHECKS}
    chosen: list[Documented] = list(checks) if checks is not None else list(all_checks())
    if checks is None:
        known = {c.id for c in chosen}
        chosen.extend(c for c in JUDGE_CHECKS if c.id not in known)
    out = [_HEADER]
    out.extend(f"| [{c.id}](#{c.id.lower()}) | {c.title} |\n" for c in chosen)
    for c in chosen:
        out.append(f"\n## {c.id}\n\n**{c.title}** · scope: {_scope(c, judge_ids)}\n\n")
        out.append(markdown_text(c.explain.strip()) + "\n\n")
        out.append(f"**Remediation:** {markdown_text(c.remediation)}\n")
    return "".join(out)


def markdown_text(text: str) -> str:
    """Escape ``<`` and ``>`` outside code spans, so ``/proc/net/bonding/<bond>`` is not HTML."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts are outside backticks
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


if __name__ == "__main__":  # pragma: no cover - a one-line developer tool
    print(render_markdown(), end="")
