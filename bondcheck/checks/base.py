"""The small machinery every check is built from.

A check is a :class:`CheckDef`: its stable ID, a title, a one-line remediation, the
``explain`` text (the docstring of its function, so the words users read live next to the
code they describe) and a function that judges one :class:`CheckContext`. Checks are pure:
they see only the context and never do I/O, so they judge a live node and a saved capture
identically. ``CheckDef.run`` applies the preconditions every bond check shares before
calling that function:

* the policy removes the bond (``state: absent`` or ``down``): only BOND-PRESENT has
  anything to judge, the rest SKIP;
* /proc/net/bonding/<bond> does not exist: SKIP "bond not present" (BOND-PRESENT fails);
* an 802.3ad-only check on another mode: SKIP naming the mode, so every check still yields
  one result (a JUnit report wants one test case per check).

The result builders fill the check ID, the bond, and the remediation on WARN/FAIL, so each
check only says what it found. What a check cannot judge from NodeNetworkState (``--via
nns``) is said on its definition too (``nns_blind``), so a new check brings its own answer.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bondcheck.model import (
    CheckResult,
    Enactment,
    Evidence,
    ExpectedBond,
    IpState,
    LldpNeighbor,
    ObservedBond,
    ObservedPort,
    Status,
)
from bondcheck.vocabulary import MODE_LONG_NAMES

if TYPE_CHECKING:
    from bondcheck.cabling import Cabling


@dataclass(frozen=True)
class CheckContext:
    """What one check sees for one bond of one node.

    ``observed`` is None when /proc/net/bonding/<bond> does not exist on the node.
    ``ip`` is empty (has_addresses False) when ip -j addr was not collected.
    """

    node: str
    expected: ExpectedBond
    observed: ObservedBond | None
    ip: IpState
    evidence: Evidence
    enactment: Enactment | None = None
    #: LLDP neighbours per local port; None when the node has no LLDP source at all.
    lldp: Mapping[str, tuple[LldpNeighbor, ...]] | None = None
    cabling: Cabling | None = None  # --cabling / --require-distinct-switches

    def neighbor(self, port: str) -> LldpNeighbor | None:
        """The first LLDP neighbour heard on ``port``, if any."""
        found = (self.lldp or {}).get(port) or ()
        return found[0] if found else None

    def lldp_hint(self, port: str) -> str:
        """`` (LLDP: leaf-1 Ethernet1/7)`` for messages that should name the switch port."""
        seen = self.neighbor(port)
        return f" (LLDP: {seen.where})" if seen is not None else ""


CheckFn = Callable[["CheckDef", CheckContext], Iterable[CheckResult]]

#: Why ``--via nns`` skips a check that needs the kernel's runtime view.
NNS_SKIP = "not visible in NodeNetworkState; use a node transport"

LACP_MODE = "802.3ad"

#: Why LACP details are missing in a non-privileged view (never "no partner").
NOT_VISIBLE = (
    "not visible to this reader (no CAP_NET_ADMIN): run as root / via a privileged transport"
)


@dataclass(eq=False)
class CheckDef:
    """One check of the catalog.

    ``nns_blind`` is None for a check that NodeNetworkState can answer (configuration,
    membership, addresses); otherwise why it cannot ("" for no particular reason). A check
    is blind by default, so a check added later is skipped under ``--via nns`` until it is
    shown to be answerable.
    """

    id: str
    title: str
    remediation: str
    explain: str
    fn: CheckFn
    #: Where its results come from: "bond" (once per policy bond), "node" (once per node), or
    #: "evidence" (the judge itself, when evidence cannot be read; never run, whatever
    #: --only/--skip select).
    scope: str = "bond"
    needs_bond: bool = True  # SKIP when the bond is absent or the policy removes it
    lacp_only: bool = False  # SKIP unless the kernel runs the bond in 802.3ad
    nns_blind: str | None = ""

    def nns_skip(self) -> str | None:
        """The SKIP message under ``--via nns``, or None when NNS answers this check."""
        if self.nns_blind is None:
            return None
        return f"{NNS_SKIP} ({self.nns_blind})" if self.nns_blind else NNS_SKIP

    def run(self, ctx: CheckContext) -> Iterable[CheckResult]:
        """Apply the shared preconditions, then the check's own function."""
        if self.scope == "bond" and self.needs_bond:
            reason = _bond_skip_reason(ctx)
            if reason is not None:
                return [self.skipped(ctx, reason)]
            observed = ctx.observed
            assert observed is not None  # _bond_skip_reason returned None
            if self.lacp_only and observed.mode != LACP_MODE:
                return [
                    self.skipped(
                        ctx,
                        f"{ctx.expected.name} runs mode {observed.mode}; "
                        f"{self.id} applies to 802.3ad only",
                        observed=observed.mode,
                    )
                ]
        return list(self.fn(self, ctx))

    # -- result builders ------------------------------------------------------------------

    def result(
        self,
        ctx: CheckContext,
        status: Status,
        message: str,
        *,
        port: str | None = None,
        expected: Any = None,
        observed: Any = None,
        evidence: str | None = None,
        remediation: str | None = None,
    ) -> CheckResult:
        """A CheckResult of this check; remediation defaults to the check's on WARN/FAIL."""
        if remediation is None and status in (Status.WARN, Status.FAIL, Status.ERROR):
            remediation = self.remediation
        return CheckResult(
            check=self.id,
            status=status,
            message=one_line(message),
            bond=ctx.expected.name if self.scope == "bond" else None,
            port=port,
            expected=expected,
            observed=observed,
            evidence=evidence,
            remediation=remediation,
        )

    def passed(self, ctx: CheckContext, message: str, **kw: Any) -> CheckResult:
        return self.result(ctx, Status.PASS, message, **kw)

    def failed(self, ctx: CheckContext, message: str, **kw: Any) -> CheckResult:
        return self.result(ctx, Status.FAIL, message, **kw)

    def warned(self, ctx: CheckContext, message: str, **kw: Any) -> CheckResult:
        return self.result(ctx, Status.WARN, message, **kw)

    def skipped(self, ctx: CheckContext, message: str, **kw: Any) -> CheckResult:
        return self.result(ctx, Status.SKIP, message, **kw)


def check(
    check_id: str, *, title: str, remediation: str, **options: Any
) -> Callable[[CheckFn], CheckDef]:
    """Turn a check function into a CheckDef; its docstring becomes the ``explain`` text.
    ``options`` are CheckDef's (scope, needs_bond, lacp_only, nns_blind) with its defaults."""

    def wrap(fn: CheckFn) -> CheckDef:
        explain = inspect.cleandoc(fn.__doc__ or "")
        if not explain:
            raise ValueError(f"check {check_id} has no explain text (docstring)")
        return CheckDef(check_id, title, remediation, explain, fn, **options)

    return wrap


def _bond_skip_reason(ctx: CheckContext) -> str | None:
    state = ctx.expected.state
    if state in ("absent", "down"):
        return f"policy sets {ctx.expected.name} state: {state}; see BOND-PRESENT"
    if ctx.observed is None:
        return f"bond not present: /proc/net/bonding/{ctx.expected.name} does not exist"
    return None


# -- shared helpers -----------------------------------------------------------------------


def one_line(text: str) -> str:
    """Messages are one line: collapse any whitespace run that contains a newline."""
    if "\n" not in text and "\r" not in text:
        return text
    return " ".join(text.split())


def bond_of(ctx: CheckContext) -> ObservedBond:
    """The observed bond of a check that ``needs_bond`` (never None there)."""
    assert ctx.observed is not None
    return ctx.observed


def up_ports(bond: ObservedBond) -> list[ObservedPort]:
    """Ports whose MII status is up: only they are judged by health checks."""
    return [p for p in bond.ports if p.mii_status == "up"]


def port_evidence(port: str, *lines: str) -> str:
    """Render per-port kernel lines the way the file shows them, joined by `` / ``."""
    return " / ".join((f"Slave Interface: {port}", *lines))


def mode_line(mode: str, fail_over_mac: str | None = None) -> str:
    """``Bonding Mode: ...`` exactly as the kernel prints it for ``mode``."""
    text = f"Bonding Mode: {MODE_LONG_NAMES.get(mode, mode)}"
    if fail_over_mac and fail_over_mac != "none":
        text += f" (fail_over_mac {fail_over_mac})"
    return text


def names(items: Sequence[str]) -> str:
    """``eth1, eth2`` for messages; ``(none)`` for an empty list."""
    return ", ".join(items) if items else "(none)"
