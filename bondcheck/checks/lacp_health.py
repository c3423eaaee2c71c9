"""LACP-PORT-STATE, LACP-RATE, LACP-VISIBILITY, LACP-CHURN: the LACP state machines per port."""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import (
    NOT_VISIBLE,
    CheckContext,
    CheckDef,
    bond_of,
    check,
    port_evidence,
    up_ports,
)
from bondcheck.checks.lacp_bits import SHORT_TIMEOUT, describe, state_problems
from bondcheck.checks.option_values import canon
from bondcheck.model import CheckResult

_HEALTHY = "aggregation, synchronization, collecting, distributing set; defaulted, expired clear"


@check(
    "LACP-PORT-STATE",
    nns_blind="NNS has no LACP actor/partner port state",
    title="802.3ad: actor and partner are in sync, collecting and distributing",
    remediation=(
        "Check the switch port-channel member state (show lacp neighbor / show etherchannel "
        "summary), the LACP mode on both ends (at least one active) and matching speeds."
    ),
    lacp_only=True,
)
def lacp_port_state(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks the `port state` byte of `details actor lacp pdu` (our side) and `details
    partner lacp pdu` (the switch) for every up port. A port that carries traffic has
    aggregation, synchronization, collecting and distributing set (0x3C) and neither
    defaulted nor expired (0xC0). The actor must also be LACP-active (bit 0x01) unless the
    policy or the kernel sets `lacp_active` off. Healthy values: 63 (fast) or 61 (slow).

    Why it matters: a port can have link and a partner and still not pass traffic: not in
    sync (switch put it in another LAG, or suspended it), not collecting/distributing
    (the mux machine never got there), defaulted (no LACPDU heard: the kernel uses default
    partner values, e.g. actor state 77) or expired (the switch stopped answering).

    Fails when: the actor or partner state of an up port misses a required bit or has
    defaulted/expired set; the message decodes the byte (e.g. `77 (0x4D: activity,
    aggregation, synchronization, defaulted)`). Warns in a non-privileged view (the details
    blocks are shown only to CAP_NET_ADMIN readers); skips when the kernel prints none.

    How to fix: on the switch, `show lacp neighbor` / `show lacp internal` for the
    members (suspended, individual, or standalone ports), check both ends are LACP active or
    at least one is, equal speed/duplex (PORT-SPEED), and the same port-channel for all
    members (LACP-SAME-PARTNER). Defaulted on our side means no LACPDUs arrive: check the
    port-channel exists and the VLAN/native config does not block slow-protocol frames.
    """
    bond = bond_of(ctx)
    if bond.privileged_view is False:
        yield c.warned(ctx, f"LACP port state is {NOT_VISIBLE}")
        return
    up = up_ports(bond)
    if not up:
        yield c.skipped(ctx, "no port is up; see PORT-MII")
        return
    passive = ctx.expected.options.get("lacp_active") is False or bond.lacp_active is False
    judged: dict[str, dict[str, int]] = {}
    bad = False
    for port in up:
        for side, pdu in (("actor", port.actor), ("partner", port.partner)):
            if pdu is None or pdu.port_state is None:
                continue
            state = pdu.port_state
            judged.setdefault(port.name, {})[side] = state
            problems = state_problems(state, need_activity=side == "actor" and not passive)
            if not problems:
                continue
            bad = True
            yield c.failed(
                ctx,
                f"port {port.name} {side} state {describe(state)}: {'; '.join(problems)}",
                port=port.name,
                expected=_HEALTHY,
                observed={f"{side}_port_state": state},
                evidence=port_evidence(port.name, f"details {side} lacp pdu: port state: {state}"),
            )
    if not judged:
        yield c.skipped(ctx, "no up port shows LACP details (details actor/partner lacp pdu)")
    elif not bad:
        yield c.passed(
            ctx,
            "actor and partner state healthy on "
            + ", ".join(f"{p} ({'/'.join(str(s) for s in v.values())})" for p, v in judged.items()),
            expected=_HEALTHY,
            observed=judged,
        )


@check(
    "LACP-RATE",
    nns_blind="NNS shows the lacp_rate option, not the negotiated timeout bit",
    title="802.3ad: the actor's LACP timeout matches lacp_rate",
    remediation=(
        "Set lacp_rate (slow|fast) under link-aggregation.options in the NNCP and re-apply; "
        "match the switch (lacp rate fast / lacp timeout short)."
    ),
    lacp_only=True,
)
def lacp_rate(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the LACP timeout bit (0x02, short timeout) of each up port's actor
    state agrees with the policy's `lacp_rate`: set for `fast` (LACPDUs every second,
    3 s to detect a dead partner), clear for `slow` (every 30 s, 90 s to detect).

    Why it matters: the actor state is what the switch is told. The `LACP rate` line only
    shows the configured value; the per-port bit shows what each port actually advertises,
    which decides how fast the switch sends LACPDUs and so how long a silently dead link
    (e.g. a failed transceiver that keeps carrier) keeps receiving traffic.

    Fails when: an up port's actor timeout bit disagrees with the policy's `lacp_rate`.
    Skips when the policy sets no lacp_rate (the `LACP rate` line is then only reported),
    in a non-privileged view (the details are root-only; BOND-OPTIONS still compares the
    `LACP rate` line) and when the kernel prints no per-port details.

    How to fix: set `lacp_rate: fast` (or `slow`) under `link-aggregation.options` in
    the NNCP and re-apply; set the same on the switch port-channel members (Cisco `lacp
    rate fast`, Juniper `lacp periodic fast`) so both ends time out alike.
    """
    bond = bond_of(ctx)
    want = canon("lacp_rate", ctx.expected.options.get("lacp_rate"))
    if want is None:
        yield c.skipped(
            ctx, f"policy sets no lacp_rate (LACP rate: {bond.lacp_rate})", observed=bond.lacp_rate
        )
        return
    if bond.privileged_view is False:
        yield c.skipped(
            ctx,
            f"actor port state is {NOT_VISIBLE}; BOND-OPTIONS compares "
            f"'LACP rate: {bond.lacp_rate}'",
            expected=want,
        )
        return
    judged: dict[str, str] = {}
    bad = False
    for port in up_ports(bond):
        state = port.actor_port_state
        if state is None:
            continue
        rate = "fast" if state & SHORT_TIMEOUT else "slow"
        judged[port.name] = rate
        if rate != want:
            bad = True
            yield c.failed(
                ctx,
                f"port {port.name} actor advertises {rate} (state {describe(state)}), the "
                f"policy sets lacp_rate {want}",
                port=port.name,
                expected=want,
                observed=rate,
                evidence=port_evidence(port.name, f"details actor lacp pdu: port state: {state}"),
            )
    if not judged:
        yield c.skipped(
            ctx, "no up port shows its actor state (details actor lacp pdu)", expected=want
        )
    elif not bad:
        yield c.passed(
            ctx,
            f"{len(judged)} up port(s) advertise lacp_rate {want}",
            expected=want,
            observed=judged,
        )


@check(
    "LACP-VISIBILITY",
    nns_blind="NNS carries no LACP runtime data at all",
    title="802.3ad: LACP details were visible to the reader",
    remediation=(
        "Collect as root: --via oc-debug, kubectl-debug (sysadmin profile), handler-exec, or "
        "ssh with sudo; a non-root cat of /proc/net/bonding hides the LACP details."
    ),
    lacp_only=True,
)
def lacp_visibility(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks whether the evidence shows the LACP details the kernel prints only to a reader
    with CAP_NET_ADMIN: `System priority`, `System MAC address`, `Active Aggregator
    Info` (or `bond X has no active aggregator`) and the per-port `details actor/partner
    lacp pdu` blocks.

    Why it matters: since about kernel 4.3 a non-root reader of /proc/net/bonding gets a file
    without those lines and without any error. Partner, aggregator and port-state checks
    then cannot judge the switch side; bondcheck reports them as WARN "not visible to this
    reader" rather than guessing "no partner". This check says so once, plainly.

    Warns when: the bond is 802.3ad and the view was not privileged. Passes when the lines
    were shown (or the kernel is old enough to show the aggregator block to everyone).

    How to fix: collect again with a privileged transport: `--via oc-debug` (runs `oc
    debug node/<node>` as root), `--via handler-exec` (the nmstate handler pod is
    privileged), `kubectl debug node/<node> --profile=sysadmin`, or `--via ssh` with a
    user that may `sudo cat /proc/net/bonding/<bond>`.
    """
    bond = bond_of(ctx)
    view = bond.privileged_view
    if view is False:
        yield c.warned(
            ctx,
            f"LACP partner, aggregator and port-state lines are {NOT_VISIBLE}",
            expected="privileged view",
            observed="non-privileged view",
            evidence="802.3ad info without System priority / Active Aggregator Info",
        )
    elif view is True:
        yield c.passed(ctx, "LACP details visible (privileged reader)", observed="privileged")
    elif bond.ad_info is not None or bond.no_active_aggregator:
        yield c.passed(
            ctx,
            "this kernel shows the active aggregator to every reader",
            observed="ungated",
        )
    else:
        yield c.skipped(ctx, "the text does not tell whether LACP details were withheld")


@check(
    "LACP-CHURN",
    title="802.3ad: no port is in LACP churned state",
    remediation=(
        "Find why LACP did not converge on the port: switch port-channel membership and LACP "
        "mode, speed mismatch, or flapping; then bounce the port to reset the churn machine."
    ),
    lacp_only=True,
)
def lacp_churn(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks the `Actor Churn State` and `Partner Churn State` lines of every up port:
    neither may be `churned`. Down ports are left to PORT-MII (without link no LACPDU
    arrives, so a pulled cable always ends in `churned`).

    Why it matters: the kernel's churn detection marks a port churned when the actor or the
    partner failed to reach synchronization within the churn timer (60 s). It is the sign
    of an LACP negotiation that did not converge: the switch did not accept the port into
    the LAG, or the port flapped. The churn state can remain `churned` after the port
    recovered, so compare with LACP-PORT-STATE; the churned counts are cumulative.

    Warns when: a port's actor or partner churn state is `churned`. Skips when the kernel
    prints no churn lines (older kernels) or the bond has no ports. These lines are shown to
    every reader.

    How to fix: look at LACP-PORT-STATE and LACP-SAME-PARTNER for the current cause, and at
    the switch (`show lacp neighbor`, logs for the member port); once fixed, bounce the
    port (`ip link set <port> down && ip link set <port> up`) or use `bondcheck failover`
    to confirm the port rejoins cleanly.
    """
    bond = bond_of(ctx)
    shown = [
        p
        for p in bond.ports
        if p.actor_churn_state is not None or p.partner_churn_state is not None
    ]
    if not shown:
        yield c.skipped(ctx, "no port shows an LACP churn state (older kernel, or no ports)")
        return
    # A port without link cannot hear LACPDUs, so it churns as a matter of course: that is
    # PORT-MII's finding, not a second one.
    shown = [p for p in shown if p.mii_status == "up"]
    if not shown:
        yield c.skipped(ctx, "no port is up; see PORT-MII")
        return
    bad = False
    for port in shown:
        churned = [
            side
            for side, state in (
                ("actor", port.actor_churn_state),
                ("partner", port.partner_churn_state),
            )
            if state == "churned"
        ]
        if not churned:
            continue
        bad = True
        counts = f"churned counts {port.actor_churned_count}/{port.partner_churned_count}"
        yield c.warned(
            ctx,
            f"port {port.name} LACP {' and '.join(churned)} churned ({counts}): LACP did not "
            "reach sync in time",
            port=port.name,
            expected="none or monitoring",
            observed={"actor": port.actor_churn_state, "partner": port.partner_churn_state},
            evidence=port_evidence(
                port.name,
                f"Actor Churn State: {port.actor_churn_state}",
                f"Partner Churn State: {port.partner_churn_state}",
            ),
        )
    if not bad:
        yield c.passed(
            ctx,
            "no port churned: "
            + ", ".join(f"{p.name} {p.actor_churn_state}/{p.partner_churn_state}" for p in shown),
            observed={
                p.name: {"actor": p.actor_churn_state, "partner": p.partner_churn_state}
                for p in shown
            },
        )
