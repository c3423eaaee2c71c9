"""The shipped alert rules (deploy/prometheus/) checked and unit-tested by the real promtool,
and every runbook link they carry leads to a heading that exists in docs/."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from tests.prom.stack import run_promtool

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "deploy" / "prometheus" / "bondcheck-rules.yaml"
TESTS = ROOT / "deploy" / "prometheus" / "tests"


def _rules() -> list[dict[str, object]]:
    doc = yaml.safe_load(RULES.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"]]


def test_promtool_checks_the_rules() -> None:
    result = run_promtool("check", "rules", str(RULES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(_rules())} rules found" in result.stdout


def test_promtool_unit_tests_pass() -> None:
    files = sorted(TESTS.glob("*.yaml"))
    assert files
    result = run_promtool("test", "rules", *(f.name for f in files), cwd=TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_every_alert_has_a_unit_test() -> None:
    tested = set()
    for path in TESTS.glob("*.yaml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for alert in case.get("alert_rule_test", []):
                if alert.get("exp_alerts"):
                    tested.add(alert["alertname"])
    assert {r["alert"] for r in _rules()} == tested


def _anchor(heading: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_every_alert_names_its_severity_and_a_runbook_that_exists() -> None:
    for rule in _rules():
        labels, notes = rule["labels"], rule["annotations"]
        assert isinstance(labels, dict) and isinstance(notes, dict)
        assert labels["severity"] in {"critical", "warning", "info"}, rule["alert"]
        assert notes["summary"] and notes["description"]
        path, _, anchor = str(notes["runbook_url"]).partition("#")
        doc = ROOT / path
        assert doc.is_file(), f"{rule['alert']}: {path} does not exist"
        if anchor:
            headings = re.findall(r"^#+ (.+)$", doc.read_text(), flags=re.MULTILINE)
            assert anchor in {_anchor(h) for h in headings}, f"{rule['alert']}: #{anchor}"
