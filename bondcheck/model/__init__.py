"""The data bondcheck passes between its stages.

Everything here is a frozen dataclass so that a parsed bond, a normalised policy or a check
result can be shared between threads and compared in tests without surprises. The stages are:

    policy  -> Policy / ExpectedBond          (what the NNCP asks for)
    collect -> Evidence / NodeFailure         (raw text, exactly as the node printed it)
    parse   -> ObservedBond / IpState         (pure functions of that text)
    checks  -> CheckResult                    (pure functions of expected + observed)
    report  -> NodeReport / Report            (what the output formats render)

Nothing in this package does I/O or imports a heavy library. The classes live in one module
per stage; import every name from ``bondcheck.model``.
"""

from bondcheck.model.evidence import Evidence, NodeFailure, NodeTarget, Rendering
from bondcheck.model.ip import Address, IpState, Link
from bondcheck.model.kernel import AdInfo, LacpPdu, ObservedBond, ObservedPort
from bondcheck.model.lldp import LldpNeighbor
from bondcheck.model.policy import Enactment, ExpectedAddress, ExpectedBond, ExpectedIp, Policy
from bondcheck.model.report import CheckResult, JudgedBond, NodeReport, Report, Status, worst

__all__ = [
    "AdInfo",
    "Address",
    "CheckResult",
    "Enactment",
    "Evidence",
    "ExpectedAddress",
    "ExpectedBond",
    "ExpectedIp",
    "IpState",
    "JudgedBond",
    "LacpPdu",
    "Link",
    "LldpNeighbor",
    "NodeFailure",
    "NodeReport",
    "NodeTarget",
    "ObservedBond",
    "ObservedPort",
    "Policy",
    "Rendering",
    "Report",
    "Status",
    "worst",
]
