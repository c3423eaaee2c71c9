"""BOND-PRESENT: the bond exists when the policy wants it, and is gone when it removes it."""

from __future__ import annotations

from collections.abc import Iterator

from bondcheck.checks.base import CheckContext, CheckDef, check, mode_line
from bondcheck.model import CheckResult


@check(
    "BOND-PRESENT",
    nns_blind=None,
    title="Bond exists on the node (or is gone when the policy removes it)",
    remediation=(
        "Check the NNCE of this node (oc get nnce <node>.<policy> -o yaml) and the port names "
        "in the NNCP; for state: absent/down, re-apply the policy or delete the bond "
        "(nmstatectl apply with state: absent)."
    ),
    needs_bond=False,
)
def bond_present(c: CheckDef, ctx: CheckContext) -> Iterator[CheckResult]:
    """Checks that the policy's bond exists in the node's kernel, or, for a policy that
    removes it, that it is gone.

    Why it matters: every other bond check reads /proc/net/bonding/<bond>. A bond that is not
    there means the NNCP was never applied to this node, was rolled back, or was created
    under another name; the node then runs on whatever the NICs carried before.

    Fails when:
    - the policy sets the bond up and /proc/net/bonding/<bond> does not exist;
    - the policy sets `state: absent` (or `state: down`, which makes nmstate delete a
      virtual interface) and the bond still exists.

    How to fix:
    - see why the policy did not apply here: `oc get nnce <node>.<policy> -o yaml` (the
      Failing condition carries nmstate's error), and `oc get nncp <policy>`;
    - check that the node matches the NNCP's `nodeSelector` and runs an nmstate handler
      pod (`oc get pods -n openshift-nmstate -o wide`);
    - check the interface names in `link-aggregation.port` against `ip link` on the node;
    - for a removal policy that left the bond behind, re-apply it, or remove the bond with
      `nmstatectl apply` of `{interfaces: [{name: bond0, type: bond, state: absent}]}`.
    """
    bond = ctx.expected.name
    path = f"/proc/net/bonding/{bond}"
    state = ctx.expected.state
    observed = ctx.observed
    if state in ("absent", "down"):
        why = "removes it" if state == "absent" else "sets it down, and nmstate deletes a down bond"
        if observed is None:
            yield c.passed(
                ctx,
                f"{bond} is gone, as the policy requires (state: {state})",
                expected="absent",
                observed="absent",
                evidence=f"{path}: no such file",
            )
        else:
            yield c.failed(
                ctx,
                f"{bond} still exists on {ctx.node}; the policy {why} (state: {state})",
                expected="absent",
                observed="present",
                evidence=f"{path}: {mode_line(observed.mode, observed.fail_over_mac)}",
            )
        return
    if observed is None:
        yield c.failed(
            ctx,
            f"{bond} does not exist on {ctx.node}: {path} is missing",
            expected="present",
            observed="absent",
            evidence=f"{path}: no such file",
        )
        return
    yield c.passed(
        ctx,
        f"{bond} exists ({observed.mode}, {len(observed.ports)} port(s))",
        expected="present",
        observed="present",
        evidence=f"{path}: {mode_line(observed.mode, observed.fail_over_mac)}",
    )
