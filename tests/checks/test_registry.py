"""The catalog: stable IDs, complete texts, documented order, and docs that cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from bondcheck.checks.catalog import CATALOG, selected
from bondcheck.checks.docgen import markdown_text, render_markdown

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "checks.md"

#: The check table of the design, in its order. These IDs are a public contract.
DESIGN_ORDER = [
    "BOND-PRESENT",
    "BOND-MODE",
    "BOND-OPTIONS",
    "BOND-MII",
    "PORT-ENSLAVED",
    "PORT-UNEXPECTED",
    "PORT-MII",
    "PORT-NO-IP",
    "PORT-SPEED",
    "BOND-IP",
    "LACP-PARTNER",
    "LACP-AGGREGATOR",
    "LACP-SAME-PARTNER",
    "LACP-PORT-STATE",
    "LACP-RATE",
    "LACP-VISIBILITY",
    "POLICY-ENACTMENT",
]


def test_ids_are_unique_and_well_formed() -> None:
    ids = [c.id for c in CATALOG]
    assert len(ids) == len(set(ids))
    for check_id in ids:
        assert re.fullmatch(r"[A-Z]+(-[A-Z]+)+", check_id), check_id


def test_catalog_starts_with_the_design_table_in_order() -> None:
    ids = [c.id for c in CATALOG]
    assert ids[: len(DESIGN_ORDER)] == DESIGN_ORDER
    assert {"PORT-FLAPPING", "LACP-CHURN"} <= set(ids[len(DESIGN_ORDER) :])


def test_every_check_has_title_remediation_and_explain() -> None:
    for check in CATALOG:
        assert check.title.strip(), check.id
        assert check.remediation.strip(), check.id
        assert "\n" not in check.title and "\n" not in check.remediation, check.id
        # explain says what it verifies, why, what fails it and how to fix it
        assert len(check.explain) > 400, check.id
        assert "Why it matters" in check.explain, check.id
        assert "How to fix" in check.explain, check.id
        assert check.scope in ("bond", "node", "evidence"), check.id


def test_only_policy_enactment_is_node_scoped() -> None:
    assert [c.id for c in CATALOG if c.scope == "node"] == ["POLICY-ENACTMENT"]


def test_selection_is_case_insensitive() -> None:
    assert [c.id for c in selected(only=["bond-mode", "PORT-MII"])] == [
        "BOND-MODE",
        "PORT-MII",
    ]
    assert "BOND-IP" not in [c.id for c in selected(skip=["bond-ip"])]


def test_docs_mention_every_registered_id() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for check in CATALOG:
        assert f"\n## {check.id}\n" in text, f"docs/checks.md lacks a section for {check.id}"


def test_docs_are_the_generated_reference() -> None:
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/checks.md is stale: python -m bondcheck.checks.docgen > docs/checks.md"
    )


def test_markdown_escapes_placeholders_only_outside_code() -> None:
    assert markdown_text("read /proc/net/bonding/<bond>") == "read /proc/net/bonding/&lt;bond&gt;"
    assert markdown_text("run `oc get nnce <node>`") == "run `oc get nnce <node>`"
