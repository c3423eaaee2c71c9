"""One Report holding every status, shared by the format tests (the formats must agree)."""

from __future__ import annotations

from bondcheck.model import CheckResult, ExpectedAddress, NodeReport, Report, Status


def result(check: str, status: Status, message: str, **kw: object) -> CheckResult:
    return CheckResult(check=check, status=status, message=message, **kw)  # type: ignore[arg-type]


PARTNER_FAIL = result(
    "LACP-PARTNER",
    Status.FAIL,
    "port ens224 has no LACP partner",
    bond="bond0",
    port="ens224",
    expected="a partner system MAC",
    observed="00:00:00:00:00:00",
    evidence="details partner lacp pdu: system mac address: 00:00:00:00:00:00",
    remediation="Configure the switch ports as one LACP port-channel.",
)
VISIBILITY_WARN = result(
    "LACP-VISIBILITY",
    Status.WARN,
    "LACP details not visible to this reader",
    bond="bond0",
    remediation="Run as root.",
)
IP_PASS = result(
    "BOND-IP",
    Status.PASS,
    "bond0 has 192.168.100.10/24",
    bond="bond0",
    expected=(ExpectedAddress("192.168.100.10", 24),),
    observed=["192.168.100.10/24"],
)
RATE_SKIP = result("LACP-RATE", Status.SKIP, "not visible", bond="bond0")
PARSE_ERROR = result(
    "EVIDENCE-PARSE",
    Status.ERROR,
    "w3:/proc/net/bonding/bond0:1: not bonding output <&> \x1b[31m",
    bond="bond0",
    evidence="garbage | with pipe",
)


def report() -> Report:
    return Report(
        policy="worker-bond-lacp",
        tool_version="9.9.9",
        nodes=(
            NodeReport("w0", "capture", (IP_PASS, RATE_SKIP)),
            NodeReport("w1", "capture", (IP_PASS, VISIBILITY_WARN)),
            NodeReport("w2", "ssh", (IP_PASS, PARTNER_FAIL, RATE_SKIP)),
            NodeReport("w3", "capture", (PARSE_ERROR,)),
            NodeReport("w4", "ssh", (), error="ssh: connection timed out"),
        ),
    )
