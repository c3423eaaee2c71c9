"""The catalog on real /proc/net/bonding text (fixtures/procfs), parsed by the real parser.

The policy is taken from the file itself (its mode and ports), so every finding below is a
property of the node's state as the kernel printed it, not of a policy mismatch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bondcheck.checks.base import CheckContext
from bondcheck.checks.catalog import CATALOG
from bondcheck.checks.runner import run_bond_checks
from bondcheck.model import CheckResult, Evidence, ExpectedBond, IpState, Status
from bondcheck.parse.procfs import parse_bonding

PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs"
SAMPLES = sorted([*PROCFS.glob("corpus/*.txt"), *PROCFS.glob("synthetic/*.txt")])


def judge(path: Path, **policy) -> list[CheckResult]:
    bond = parse_bonding(path.read_text(encoding="utf-8"), name="bond0", source=str(path))
    exp = ExpectedBond(
        name="bond0",
        mode=policy.pop("mode", bond.mode),
        ports=policy.pop("ports", tuple(p.name for p in bond.ports)),
        **policy,
    )
    ip = IpState(has_addresses=True)  # collected, and no address anywhere
    ctx = CheckContext("node-a", exp, bond, ip, Evidence("node-a", "capture"))
    return run_bond_checks(ctx, CATALOG)


def found(results: list[CheckResult], check_id: str) -> list[tuple[Status, str | None]]:
    return [(r.status, r.port) for r in results if r.check == check_id]


def sample(name: str) -> Path:
    return next(p for p in SAMPLES if p.name.startswith(name))


def test_the_corpus_is_there() -> None:
    assert len(SAMPLES) >= 30


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_every_sample_is_judged_without_internal_errors(path: Path) -> None:
    results = judge(path)
    assert not [r.message for r in results if r.status is Status.ERROR]
    bond_ids = [c.id for c in CATALOG if c.scope == "bond"]
    assert {r.check for r in results} == set(bond_ids)  # one outcome per check, at least


def test_golden_healthy_root_view_passes_every_lacp_check() -> None:
    results = judge(sample("ubuntu-6.8-8023ad-root-healthy-partner-fast-state63"))
    for check_id in (
        "LACP-PARTNER",
        "LACP-AGGREGATOR",
        "LACP-SAME-PARTNER",
        "LACP-PORT-STATE",
        "LACP-VISIBILITY",
        "BOND-MII",
        "PORT-MII",
    ):
        assert {s for s, _ in found(results, check_id)} == {Status.PASS}, check_id


def test_root_view_without_partner_fails_partner_and_port_state() -> None:
    results = judge(sample("ubuntu-6.8-8023ad-root-single-slave-no-partner-state77"))
    assert (Status.FAIL, "eno2") in found(results, "LACP-PARTNER")
    assert (Status.FAIL, "eno2") in found(results, "LACP-PORT-STATE")


@pytest.mark.parametrize(
    "name",
    [
        "wsl2-6.6-8023ad-nonroot-no-aggregator-info",
        "ubuntu-v3.7.1-8023ad-nonroot-healthy-layer3+4-minlinks1",
        "telegraf-v3.7.1-8023ad-nonroot-healthy-actor-churned-count2",
    ],
)
def test_nonroot_views_of_healthy_bonds_warn_but_never_fail(name: str) -> None:
    results = judge(sample(name))
    assert not [r.message for r in results if r.status is Status.FAIL]
    assert found(results, "LACP-PARTNER") == [(Status.WARN, None)]
    assert found(results, "LACP-VISIBILITY") == [(Status.WARN, None)]


def test_nonroot_split_aggregators_still_fail() -> None:
    results = judge(sample("ubuntu-v3.7.1-8023ad-nonroot-split-aggregators"))
    assert found(results, "LACP-AGGREGATOR") == [(Status.FAIL, None)]
    assert found(results, "LACP-PARTNER") == [(Status.WARN, None)]


def test_old_kernel_two_aggregators_names_the_idle_ports() -> None:
    results = judge(sample("augeas-v3.4.0-8023ad-4slaves-two-aggregators"))
    assert found(results, "LACP-AGGREGATOR") == [(Status.FAIL, "eth0"), (Status.FAIL, "eth1")]
    assert found(results, "LACP-PARTNER") == [(Status.PASS, None)]  # bond-wide partner MAC


def test_old_kernel_without_partner_fails_on_the_bond_wide_mac() -> None:
    results = judge(sample("insights-rhel5-bonding-3.2.4-8023ad-no-partner"))
    assert found(results, "LACP-PARTNER") == [(Status.FAIL, None)]


def test_churn_history_and_link_failures_warn() -> None:
    results = judge(sample("ubuntu-v3.7.1-8023ad-root-partner-churned-history-linkfail"))
    assert found(results, "LACP-CHURN") == [(Status.WARN, "eno2")]
    assert found(results, "PORT-FLAPPING") == [(Status.WARN, "eno2")]  # 12; eno3 has 9
    assert found(results, "LACP-PARTNER") == [(Status.PASS, None)]


def test_bond_without_ports_fails_against_its_policy() -> None:
    results = judge(sample("rhel8-v3.7.1-8023ad-no-slaves"), ports=("eth1", "eth2"))
    assert found(results, "PORT-ENSLAVED") == [(Status.FAIL, "eth1"), (Status.FAIL, "eth2")]
    assert found(results, "BOND-MII") == [(Status.FAIL, None)]


def test_failed_over_active_backup_fails_the_dead_primary() -> None:
    results = judge(sample("archwiki-v3.7.1-active-backup-failovermac-active-primary-down"))
    assert found(results, "PORT-MII") == [(Status.FAIL, "enp3s0")]


def test_transitional_mii_states_warn() -> None:
    results = judge(sample("synthetic-6.12-active-backup-mii-going-down-going-back"))
    assert {s for s, _ in found(results, "PORT-MII")} == {Status.WARN}


def test_policy_mode_mismatch_on_real_text() -> None:
    results = judge(sample("insights-rhel7-balance-rr-2slaves"), mode="802.3ad")
    assert found(results, "BOND-MODE") == [(Status.FAIL, None)]
