"""bondcheck -> node_exporter's textfile collector -> a real prometheus server -> PromQL and
the shipped alerts, all real programs on loopback (Debian's packages, unpacked).

``bondcheck verify -o prometheus --output-file`` writes the .prom file for a faulty real-kernel
capture (a port without an LACP partner); node_exporter serves it, prometheus scrapes it every
second, a PromQL query returns bondcheck's series, and the shipped rule fires. The rule file is
the shipped one with its ``for:`` hold times set to 0s, so the alert fires within seconds: the
expressions are the shipped ones, and the hold times are covered by the promtool unit tests.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from tests.prom.stack import node_exporter, prometheus

ROOT = Path(__file__).resolve().parents[2]
LAB = ROOT / "fixtures" / "captures" / "lab"
POLICY = ROOT / "fixtures" / "policies" / "lab" / "802.3ad.yaml"
RULES = ROOT / "deploy" / "prometheus" / "bondcheck-rules.yaml"


def _bondcheck(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bondcheck", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _eventually(what: str, probe, timeout: float = 45.0):  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = probe()
        if got:
            return got
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:.0f}s")


def test_textfile_to_prometheus_to_alert(tmp_path: Path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(re.sub(r"(?m)^(\s+)for: \S+$", r"\1for: 0s", RULES.read_text()))
    with node_exporter(tmp_path / "ne") as exporter:
        prom_file = exporter.textfile_dir / "bondcheck.prom"
        capture = LAB / "fault-no-lacp-partner"
        run = _bondcheck(
            "verify", "--policy-file", str(POLICY), "--from-dir", str(capture),
            "-o", "prometheus", "--output-file", str(prom_file),
        )  # fmt: skip
        assert run.returncode == 1, run.stderr  # the capture fails its policy
        assert "prometheus report written to" in run.stderr
        scraped = exporter.metrics()
        assert 'bondcheck_lacp_partner_present{bond="bond0",node="fault-no-lacp-partner"' in scraped
        # node_exporter reports a textfile it could not parse here; it parsed this one.
        assert "node_textfile_scrape_error 0" in scraped

        target = exporter.url.removeprefix("http://")
        with prometheus(tmp_path / "prom", target, [rules]) as server:
            result = _eventually(
                "bondcheck series in PromQL",
                lambda: server.query("bondcheck_lacp_partner_present == 0"),
            )
            ports = sorted(r["metric"]["port"] for r in result)
            assert ports == ["ens224", "ens256"]
            assert all(r["metric"]["node"] == "fault-no-lacp-partner" for r in result)
            status = server.query('bondcheck_node_status{status="fail"}')
            assert [r["value"][1] for r in status] == ["1"]

            def firing() -> list[dict[str, object]]:
                return [
                    a
                    for a in server.alerts()
                    if a["labels"]["alertname"] == "BondcheckNoLacpPartner"
                    and a["state"] == "firing"
                ]

            alerts = _eventually("BondcheckNoLacpPartner firing", firing)
            assert sorted(a["labels"]["port"] for a in alerts) == ["ens224", "ens256"]
            first = alerts[0]
            assert first["annotations"]["runbook_url"] == "docs/checks.md#lacp-partner"
            assert "no LACP partner on ens2" in first["annotations"]["summary"]
            healthy_alerts = {a["labels"]["alertname"] for a in server.alerts()}
            assert "BondcheckPortDown" not in healthy_alerts  # both links are up
