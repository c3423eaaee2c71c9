"""PORT-FLAPPING: ports whose link failed many times since they were enslaved."""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import CheckContext, CheckDef, bond_of, check, port_evidence
from bondcheck.model import CheckResult

#: A port with at least this many link failures since enslave is reported (WARN).
FLAP_THRESHOLD = 10


@check(
    "PORT-FLAPPING",
    title="No port has a high link failure count",
    remediation=(
        "Check the port's cable/optic, NIC firmware and switch port errors (show interface "
        "counters errors); replace the flapping part. The count resets only on re-enslave."
    ),
)
def port_flapping(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks each port's `Link Failure Count` against a threshold of 10.

    Why it matters: the count is the number of times the kernel saw the port's link go
    down since the port was enslaved (it is cumulative and never resets while enslaved).
    A high count means a flapping link: a bad cable or optic, a marginal NIC, a switch
    port in err-disable cycles, or a misconfigured LACP partner bouncing the port. Every
    flap is a failover, with lost packets and, in 802.3ad, a re-negotiation.

    Warns when: a port's Link Failure Count is 10 or more. It does not fail: the count is
    history, not the present state (PORT-MII judges the present), and a few failures from
    planned maintenance or link-pull tests are normal. `bondcheck failover` compares the
    count before and after a pull.

    How to fix: on the node `journalctl -k | grep -i <port>` for link up/down times and
    `ethtool -S <port>` for error counters; on the switch the interface error counters and
    logs. Replace the cable/optic or move the port; re-enslaving the port (or a reboot)
    resets the count, so note it before.
    """
    bond = bond_of(ctx)
    counted = [p for p in bond.ports if p.link_failure_count is not None]
    if not counted:
        yield c.skipped(ctx, "no port shows a Link Failure Count")
        return
    bad = False
    for port in counted:
        count = port.link_failure_count or 0
        if count < FLAP_THRESHOLD:
            continue
        bad = True
        yield c.warned(
            ctx,
            f"port {port.name} link failed {count} times since it was enslaved "
            f"(threshold {FLAP_THRESHOLD})",
            port=port.name,
            expected=f"< {FLAP_THRESHOLD}",
            observed=count,
            evidence=port_evidence(port.name, f"Link Failure Count: {count}"),
        )
    if not bad:
        yield c.passed(
            ctx,
            "link failure counts below "
            + str(FLAP_THRESHOLD)
            + ": "
            + ", ".join(f"{p.name} {p.link_failure_count}" for p in counted),
            observed={p.name: p.link_failure_count for p in counted},
        )
