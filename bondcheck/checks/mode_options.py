"""BOND-MODE and BOND-OPTIONS: the kernel runs the bond the way the policy configures it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bondcheck.checks.base import CheckContext, CheckDef, bond_of, check, mode_line, names
from bondcheck.checks.option_values import (
    MIIMON_MULTIPLES,
    Seen,
    canon,
    inert_in_mode,
    observe,
    plain,
    round_down,
)
from bondcheck.model import CheckResult


@check(
    "BOND-MODE",
    nns_blind=None,
    title="Bond mode matches the policy",
    remediation=(
        "Set link-aggregation.mode in the NNCP to the intended mode and re-apply; a mode "
        "change needs the bond re-created (nmstate does it), and 802.3ad needs an LACP "
        "port-channel on the switch."
    ),
)
def bond_mode(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the kernel runs the bond in the mode the policy sets.

    Mode names are compared in nmstate's canonical form (balance-rr, active-backup,
    balance-xor, broadcast, 802.3ad, balance-tlb, balance-alb); the policy's numeric aliases
    (`mode: 4`) and the kernel's long names (`IEEE 802.3ad Dynamic link aggregation`) are
    normalised first.

    Why it matters: the mode decides how traffic is spread and how a link failure is handled.
    An 802.3ad bond facing a switch without a port-channel, or an active-backup bond facing
    one, loses traffic or loops frames; a mode that drifted after a manual `nmcli` edit is
    invisible to the NNCP status.

    Fails when: the mode in `/proc/net/bonding/<bond>` (`Bonding Mode:`) differs from
    `link-aggregation.mode`. Skips when the policy sets no mode.

    How to fix: put the intended mode in the NNCP (`link-aggregation: {mode: 802.3ad}`)
    and re-apply it (`oc apply -f nncp.yaml`; watch `oc get nnce`). nmstate re-creates a
    bond to change its mode, which briefly drops the link. Make the switch match: an LACP
    port-channel (`channel-group N mode active`) for 802.3ad, plain access/trunk ports for
    active-backup, a static port-channel (`mode on`) for balance-xor or balance-rr.
    """
    bond = bond_of(ctx)
    want = ctx.expected.mode
    evidence = mode_line(bond.mode, bond.fail_over_mac)
    if want is None:
        yield c.skipped(ctx, "policy sets no mode", observed=bond.mode, evidence=evidence)
    elif bond.mode == want:
        yield c.passed(ctx, f"mode is {want}", expected=want, observed=bond.mode, evidence=evidence)
    else:
        yield c.failed(
            ctx,
            f"{ctx.expected.name} runs mode {bond.mode}, the policy sets {want}",
            expected=want,
            observed=bond.mode,
            evidence=evidence,
        )


def _effective(option: str, want: Any, ctx: CheckContext) -> tuple[Any, str]:
    """The value the kernel would keep for `want`, and a note when that differs."""
    if option not in MIIMON_MULTIPLES or not isinstance(want, int):
        return want, ""
    miimon = ctx.expected.options.get("miimon")
    if not isinstance(miimon, int):
        miimon = bond_of(ctx).miimon_ms
    kept = round_down(want, miimon)
    if kept == want:
        return want, ""
    return kept, f" (policy {want} ms, kept as {kept} ms: a multiple of miimon {miimon})"


@check(
    "BOND-OPTIONS",
    nns_blind=None,
    title="Bond options set by the policy are in effect",
    remediation=(
        "Correct the option under link-aggregation.options in the NNCP (or undo the manual "
        "change on the node) and re-apply; nmstate only warns on option mismatches."
    ),
)
def bond_options(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks every option the policy sets under `link-aggregation.options` against the
    value the kernel runs. Options the policy does not set are not judged: the kernel
    always has a value for them, and a policy that is silent accepts whichever it is.

    Sources, in order: the line of /proc/net/bonding/<bond> that shows the option (`MII
    Polling Interval (ms)`, `Up Delay (ms)`, `Transmit Hash Policy`, `LACP rate`,
    `Min links`, `Aggregator selection policy (ad_select)`, `Primary Slave`, `ARP IP
    target/s`, ...), else the bond's `info_data` in `ip -d -j link`. Options the kernel
    never prints in /proc (arp_validate, arp_all_targets, all_slaves_active, use_carrier,
    tlb_dynamic_lb, ad_user_port_key, lp_interval, packets_per_slave, resend_igmp,
    num_grat_arp) need `ip -d link`; without it they SKIP with "collect ip -d link".
    ad_actor_sys_prio and ad_actor_system are shown only to a CAP_NET_ADMIN reader: in a
    non-privileged view they WARN.

    updelay, downdelay and peer_notif_delay are kept by the kernel as whole miimon intervals:
    a policy `updelay: 250` with `miimon: 100` runs as 200 ms and passes as 200.

    Why it matters: nmstate verifies bond options after applying only as a warning, so an
    NNCE can be Available while the kernel runs other values; later manual changes are not
    reported anywhere. A wrong miimon/updelay changes failover time; a wrong xmit_hash_policy
    or lacp_rate changes load spreading and how fast a dead LACP peer is noticed.

    Fails when: an option the policy sets has another value on the node (one result per
    option, naming both values and the line that shows it). When the bond runs another mode
    than the policy's (BOND-MODE fails), an option the kernel ignores in the running mode
    (lacp_rate outside 802.3ad, primary outside active-backup/tlb/alb, xmit_hash_policy
    where no transmit hash is used, ...) SKIPs instead: its value there means nothing, and
    the mode is the one thing to fix.

    How to fix: edit `link-aggregation.options` in the NNCP (`oc edit nncp <policy>`),
    or re-apply it to undo a manual change (`nmcli`/`ip link set bond0 type bond ...`);
    check the outcome with `oc get nnce` and `cat /proc/net/bonding/<bond>`. Some
    options can only change while the bond has no ports or is down; nmstate handles that by
    re-creating the bond.
    """
    options = ctx.expected.options
    if not options:
        yield c.skipped(ctx, "policy sets no bond options")
        return
    matched: dict[str, Any] = {}
    failures: list[CheckResult] = []
    unseen: list[CheckResult] = []
    running = bond_of(ctx).mode
    wrong_mode = ctx.expected.mode is not None and ctx.expected.mode != running
    for option, raw_want in options.items():
        want, note = _effective(option, canon(option, raw_want), ctx)
        if wrong_mode and inert_in_mode(option, ctx):
            unseen.append(
                c.skipped(
                    ctx,
                    f"{option} has no effect in mode {running}; the policy's mode "
                    f"{ctx.expected.mode} is not running (see BOND-MODE)",
                    expected={option: plain(want)},
                )
            )
            continue
        seen = observe(option, ctx)
        if not isinstance(seen, Seen):
            build = c.warned if seen.warn else c.skipped
            unseen.append(build(ctx, seen.reason, expected={option: plain(want)}))
        elif seen.value == want:
            matched[option] = plain(want)
        else:
            failures.append(
                c.failed(
                    ctx,
                    f"{option} is {_show(seen.value)}, the policy sets {_show(want)}{note}",
                    expected={option: plain(want)},
                    observed={option: plain(seen.value)},
                    evidence=seen.evidence,
                )
            )
    if matched and not failures:
        yield c.passed(
            ctx,
            f"{len(matched)} option(s) as the policy sets: {names(list(matched))}",
            expected=matched,
            observed=matched,
        )
    yield from failures
    yield from unseen


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, bool):
        return "on" if value else "off"
    return "None" if value is None else str(value)
