"""``-o prometheus``: reports as Prometheus metrics (text format 0.0.4); failover/report.py and
the agent add their own families through ``Families``.

The families, their types and labels are a contract (docs/metrics.md): alert rules and
dashboards key on them. The exposition is written by the official ``prometheus_client``
library, so escaping and the format's details are its job, not ours. What is ours: label
values come from nodes and policies, so each is validated first (interface names by the
kernel's rules, node and policy names as Kubernetes names, every value printable and bounded)
and a series whose labels fail is never emitted; ``bondcheck_exposition_dropped_series``
counts them so a dropped series is visible rather than silently missing.

Series are stable across runs: every check result is one-hot over all five results, so an
alert on ``result="fail"`` sees a 0 when the check passes again instead of a vanished series.
Each check has one series per JUnit place (check and bond, ``port=""``: the worst of its
findings there); a finding that names a port adds that port's series, which exists while a
check reports on that port.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector, CollectorRegistry

from bondcheck import __version__
from bondcheck.ifname import ifname_problem
from bondcheck.model import JudgedBond, NodeReport, Report, Status, worst
from bondcheck.vocabulary import is_zero_mac

if TYPE_CHECKING:
    from bondcheck.drift.model import DiffReport

#: Result labels in the order every one-hot family lists them.
RESULTS = tuple(s.value for s in (Status.PASS, Status.WARN, Status.FAIL, Status.SKIP))
NODE_STATUSES = (*RESULTS, Status.ERROR.value)
CHECK_RESULTS = NODE_STATUSES

_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._:-]{0,251}[A-Za-z0-9])?")  # node, policy names
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+_-]{0,62}")  # check IDs, modes, option values
_IFNAME_LABELS = frozenset({"bond", "port"})
_NAME_LABELS = frozenset({"node", "policy"})


def label_problem(name: str, value: str) -> str | None:
    """Why ``value`` may not be the ``name`` label of a series, or None when it may.

    The empty string is allowed everywhere: the format reads it as "label absent", and a
    bond-level finding has no port.
    """
    if value == "":
        return None
    if name in _IFNAME_LABELS:
        return ifname_problem(value)
    if name in _NAME_LABELS:
        return None if _NAME.fullmatch(value) else "not a Kubernetes or host name"
    if name == "version":
        return None if _WORD.fullmatch(value) else "not a version string"
    return None if _WORD.fullmatch(value) else "not a plain word"


class Families:
    """Families under construction; ``add`` keeps only series whose labels validate."""

    def __init__(self) -> None:
        self.families: dict[str, GaugeMetricFamily | CounterMetricFamily] = {}
        self.labels: dict[str, tuple[str, ...]] = {}
        self.dropped = 0

    def declare(self, name: str, doc: str, labels: Sequence[str], *, counter: bool = False) -> None:
        """A family; a counter's samples get the ``_total`` suffix from prometheus_client."""
        kind = CounterMetricFamily if counter else GaugeMetricFamily
        self.families[name] = kind(name, doc, labels=list(labels))
        self.labels[name] = tuple(labels)

    def add(self, name: str, labels: Sequence[str], value: float) -> None:
        pairs = zip(self.labels[name], labels, strict=True)
        if any(label_problem(key, value) is not None for key, value in pairs):
            self.dropped += 1
            return
        self.families[name].add_metric(list(labels), value)

    def one_hot(self, name: str, labels: Sequence[str], value: str, over: Iterable[str]) -> None:
        """One series per option of ``over``, 1 for ``value`` and 0 for the others."""
        for option in over:
            self.add(name, [*labels, option], 1.0 if option == value else 0.0)

    def metrics(self) -> list[Metric]:
        dropped = GaugeMetricFamily(
            "bondcheck_exposition_dropped_series",
            "Series left out of this exposition because a label value failed validation.",
            value=self.dropped,
        )
        return [*self.families.values(), dropped]


def _epoch(stamp: str) -> float | None:
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def run_metadata(families: Families, runs: Iterable[tuple[str, str, float | None]]) -> None:
    """``bondcheck_build_info`` and, per (policy, generated_at, duration) run, when it was made
    and how long it took: the families every report kind ends with."""
    families.declare("bondcheck_build_info", "bondcheck's version (always 1).", ["version"])
    families.add("bondcheck_build_info", [__version__], 1.0)
    families.declare(
        "bondcheck_last_run_timestamp_seconds", "When this report was made (Unix time).", ["policy"]
    )
    families.declare(
        "bondcheck_run_duration_seconds", "How long the run took, collection included.", ["policy"]
    )
    for policy, generated_at, duration in runs:
        epoch = _epoch(generated_at) if generated_at else None
        if epoch is not None:
            families.add("bondcheck_last_run_timestamp_seconds", [policy], epoch)
        if duration is not None:
            families.add("bondcheck_run_duration_seconds", [policy], duration)


def _declare_verify(families: Families) -> None:
    nbp = ["node", "bond", "port"]
    families.declare(
        "bondcheck_check_result",
        'One-hot result of a check: per check and bond (port=""), and per port it names.',
        ["policy", "node", "check", "bond", "port", "result"],
    )
    families.declare(
        "bondcheck_node_status",
        "One-hot status of a node: its worst result, or error when it was not judged.",
        ["policy", "node", "status"],
    )
    families.declare(
        "bondcheck_bond_info",
        "A bond as the kernel runs it (always 1).",
        ["node", "bond", "mode", "xmit_hash_policy", "lacp_rate"],
    )
    families.declare("bondcheck_bond_ports", "Ports enslaved to the bond.", ["node", "bond"])
    families.declare(
        "bondcheck_bond_ports_expected",
        "Ports the policy puts in the bond.",
        ["node", "bond"],
    )
    families.declare("bondcheck_port_mii_up", "1 when the port's MII status is up.", nbp)
    families.declare(
        "bondcheck_port_link_failures",
        "The kernel's Link Failure Count for the port (resets when the bond is re-created).",
        nbp,
        counter=True,
    )
    families.declare(
        "bondcheck_lacp_partner_present",
        "802.3ad: 1 when the port has an LACP partner (a non-zero partner system MAC).",
        nbp,
    )
    families.declare(
        "bondcheck_lacp_port_in_active_aggregator",
        "802.3ad: 1 when the port belongs to the bond's active aggregator.",
        nbp,
    )
    families.declare(
        "bondcheck_lacp_actor_port_state", "802.3ad: the actor's port state byte.", nbp
    )
    families.declare(
        "bondcheck_lacp_partner_port_state", "802.3ad: the partner's port state byte.", nbp
    )
    families.declare(
        "bondcheck_lacp_churned",
        "802.3ad: 1 when the kernel reports the side's churn state as churned.",
        [*nbp, "side"],
    )


def _results(families: Families, policy: str, node: NodeReport) -> None:
    places: dict[tuple[str, str, str], list[Status]] = {}
    for result in node.results:
        # The JUnit place (check, bond) always, so its series never vanish; a finding that
        # names a port also gets a series of its own, for alerts that name the port.
        places.setdefault((result.check, result.bond or "", ""), []).append(result.status)
        if result.port:
            places.setdefault((result.check, result.bond or "", result.port), []).append(
                result.status
            )
    for (check, bond, port), statuses in places.items():
        labels = [policy, node.node, check, bond, port]
        families.one_hot("bondcheck_check_result", labels, worst(statuses).value, CHECK_RESULTS)
    families.one_hot("bondcheck_node_status", [policy, node.node], node.status.value, NODE_STATUSES)


def _bond_state(families: Families, node: str, judged: JudgedBond) -> None:
    bond = judged.observed
    name = judged.name
    families.add("bondcheck_bond_ports_expected", [node, name], float(len(judged.expected_ports)))
    families.add("bondcheck_bond_ports", [node, name], float(len(bond.ports) if bond else 0))
    if bond is None:
        return
    info = [node, name, bond.mode, bond.xmit_hash_policy or "", bond.lacp_rate or ""]
    families.add("bondcheck_bond_info", info, 1.0)
    active = bond.ad_info.aggregator_id if bond.ad_info else None
    for port in bond.ports:
        at = [node, name, port.name]
        families.add("bondcheck_port_mii_up", at, 1.0 if port.mii_status == "up" else 0.0)
        if port.link_failure_count is not None:
            families.add("bondcheck_port_link_failures", at, float(port.link_failure_count))
        if bond.mode != "802.3ad":
            continue
        if port.partner_mac is not None:
            families.add(
                "bondcheck_lacp_partner_present", at, 0.0 if is_zero_mac(port.partner_mac) else 1.0
            )
        if active is not None and port.aggregator_id is not None:
            families.add(
                "bondcheck_lacp_port_in_active_aggregator",
                at,
                1.0 if port.aggregator_id == active else 0.0,
            )
        if port.actor_port_state is not None:
            families.add("bondcheck_lacp_actor_port_state", at, float(port.actor_port_state))
        if port.partner_port_state is not None:
            families.add("bondcheck_lacp_partner_port_state", at, float(port.partner_port_state))
        for side, churn in (
            ("actor", port.actor_churn_state),
            ("partner", port.partner_churn_state),
        ):
            if churn is not None:
                families.add(
                    "bondcheck_lacp_churned", [*at, side], 1.0 if churn == "churned" else 0.0
                )


def verify_families(reports: Sequence[Report]) -> Families:
    """Every family of one or more verify reports (the agent judges several policies at
    once; each family is written once), in the order docs/metrics.md lists them."""
    families = Families()
    _declare_verify(families)
    for report in reports:
        for node in report.nodes:
            _results(families, report.policy, node)
            for judged in node.bonds:
                _bond_state(families, node.node, judged)
    run_metadata(families, [(r.policy, r.generated_at, r.duration_s) for r in reports])
    return families


DIFF_STATUSES = ("same", "changed", "added", "removed", "error")


def diff_metrics(report: DiffReport) -> list[Metric]:
    """``bondcheck diff -o prometheus``: each node's status and its changes by drift ID."""
    families = Families()
    families.declare(
        "bondcheck_diff_node_status",
        "One-hot: did the node change between the two snapshots (same, changed, added, "
        "removed, error).",
        ["node", "status"],
    )
    families.declare(
        "bondcheck_drift_changes",
        "Changes of one drift ID at one place (bond, port; empty = node-wide).",
        ["node", "drift", "bond", "port"],
    )
    for node in report.nodes:
        families.one_hot("bondcheck_diff_node_status", [node.node], node.status, DIFF_STATUSES)
        counts: dict[tuple[str, str, str], int] = {}
        for change in node.changes:
            key = (change.id, change.bond or "", change.port or "")
            counts[key] = counts.get(key, 0) + 1
        for (drift, bond, port), count in counts.items():
            families.add("bondcheck_drift_changes", [node.node, drift, bond, port], float(count))
    families.declare("bondcheck_build_info", "bondcheck's version (always 1).", ["version"])
    families.add("bondcheck_build_info", [__version__], 1.0)
    families.declare("bondcheck_diff_timestamp_seconds", "When this diff was made (Unix time).", [])
    epoch = _epoch(report.generated_at) if report.generated_at else None
    if epoch is not None:
        families.add("bondcheck_diff_timestamp_seconds", [], epoch)
    return families.metrics()


class _Static(Collector):
    def __init__(self, metrics: list[Metric]) -> None:
        self._metrics = metrics

    def collect(self) -> Iterator[Metric]:
        return iter(self._metrics)


def exposition(metrics: list[Metric]) -> str:
    """The text exposition of ``metrics``, written by prometheus_client."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Static(metrics))
    return generate_latest(registry).decode("utf-8")


def render(report: Report) -> str:
    """``bondcheck verify -o prometheus``."""
    return exposition(verify_families([report]).metrics())


def render_diff(report: DiffReport) -> str:
    """``bondcheck diff -o prometheus``."""
    return exposition(diff_metrics(report))
