"""Render the check reference (docs/checks.md) from the catalog, so the two cannot drift.

``python -m bondcheck.checks.docgen > docs/checks.md`` regenerates the file; a test compares
the committed file with this output.
"""

from __future__ import annotations

from collections.abc import Sequence

from bondcheck.checks.base import CheckDef
from bondcheck.checks.catalog import CATALOG
from bondcheck.drift.catalog import DRIFTS, DriftDef

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


_SCOPES = {
    "bond": "bond (once per policy bond)",
    "node": "node (once per node)",
    "evidence": "evidence (reported by bondcheck itself, whatever --only/--skip select)",
}


_DRIFT_HEADER = """
# Drift reference

What `bondcheck diff BEFORE AFTER` and `bondcheck verify --baseline DIR` report when a node
differs from its earlier snapshot. A drift is not a verdict: inside verify it is a **warn**
(fails only with `--strict`), so a planned change does not fail the gate; `bondcheck diff`
exits 1 when anything drifted. `bondcheck explain DRIFT-ID` prints the same text as below;
the runbook is in [usage.md](usage.md#change-windows-baseline-and-diff).

| ID | Title |
|---|---|
"""


def render_markdown(
    checks: Sequence[CheckDef] = CATALOG, drifts: Sequence[DriftDef] = DRIFTS
) -> str:
    """docs/checks.md: a summary table, then one section per check (explain + remediation),
    then the drift IDs the same way."""
    out = [_HEADER]
    out.extend(f"| [{c.id}](#{c.id.lower()}) | {c.title} |\n" for c in checks)
    for c in checks:
        out.append(f"\n## {c.id}\n\n**{c.title}** · scope: {_SCOPES[c.scope]}\n\n")
        out.append(markdown_text(c.explain.strip()) + "\n\n")
        out.append(f"**Remediation:** {markdown_text(c.remediation)}\n")
    if drifts:
        out.append(_DRIFT_HEADER)
        out.extend(f"| [{d.id}](#{d.id.lower()}) | {markdown_text(d.title)} |\n" for d in drifts)
        for d in drifts:
            out.append(f"\n## {d.id}\n\n**{markdown_text(d.title)}** · scope: drift\n\n")
            out.append(markdown_text(d.explain.strip()) + "\n\n")
            out.append(f"**When it was not planned:** {markdown_text(d.remediation)}\n")
    return "".join(out)


def markdown_text(text: str) -> str:
    """Escape ``<`` and ``>`` outside code spans, so ``/proc/net/bonding/<bond>`` is not HTML."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts are outside backticks
        parts[i] = parts[i].replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


if __name__ == "__main__":  # pragma: no cover - a one-line developer tool
    print(render_markdown(), end="")
