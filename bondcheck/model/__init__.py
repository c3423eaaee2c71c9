"""The data bondcheck passes between its stages.

Everything here is a frozen dataclass so that a parsed bond, a normalised policy or a check
result can be shared between threads and compared in tests without surprises. The stages are:

    policy  -> Policy / ExpectedBond          (what the NNCP asks for)
    collect -> Evidence                       (raw text, exactly as the node printed it)
    parse   -> ObservedBond / IpState         (pure functions of that text)
    checks  -> CheckResult                    (pure functions of expected + observed)
    report  -> NodeReport / Report            (what the output formats render)

Nothing in this package does I/O or imports a heavy library.

Import every name from ``bondcheck.model``. The classes live in one module per stage
(``kernel``, ``ip``, ``policy``, ``evidence``, ``report``) and are loaded on first use
(PEP 562): creating a frozen dataclass costs about a millisecond, and ``bondcheck parse``
needs only the four kernel classes and the verdicts, not all seventeen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bondcheck.model.evidence import Evidence, NodeFailure, NodeTarget, Rendering
    from bondcheck.model.ip import Address, IpState, Link
    from bondcheck.model.kernel import AdInfo, LacpPdu, ObservedBond, ObservedPort
    from bondcheck.model.policy import Enactment, ExpectedAddress, ExpectedBond, ExpectedIp, Policy
    from bondcheck.model.report import CheckResult, NodeReport, Report, Status, worst

#: Public name -> the module of this package that defines it.
_WHERE: dict[str, str] = {
    "Status": "report",
    "worst": "report",
    "CheckResult": "report",
    "NodeReport": "report",
    "Report": "report",
    "LacpPdu": "kernel",
    "AdInfo": "kernel",
    "ObservedPort": "kernel",
    "ObservedBond": "kernel",
    "Address": "ip",
    "Link": "ip",
    "IpState": "ip",
    "ExpectedAddress": "policy",
    "ExpectedIp": "policy",
    "ExpectedBond": "policy",
    "Policy": "policy",
    "Enactment": "policy",
    "NodeTarget": "evidence",
    "Evidence": "evidence",
    "Rendering": "evidence",
    "NodeFailure": "evidence",
}

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
    "LacpPdu",
    "Link",
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

if not TYPE_CHECKING:  # type checkers see the imports above; a typo stays an error for them

    def __getattr__(name: str) -> Any:
        where = _WHERE.get(name)
        if where is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        # __import__ rather than importlib: the import statement's path, which
        # ``python -X importtime`` reports (the start-up benchmark reads that).
        value = getattr(__import__(f"{__name__}.{where}", fromlist=[name]), name)
        globals()[name] = value  # later lookups are plain attribute reads
        return value

    def __dir__() -> list[str]:
        return sorted({*globals(), *_WHERE})
