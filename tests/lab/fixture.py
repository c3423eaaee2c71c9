"""The session-wide `lab` fixture's logic, kept out of conftest.py so it stays importable.

Policy: in CI (CI=true) a lab that cannot start FAILS every lab test with the reason, since
CI installs the packages and a silent skip would hide a broken lab. Elsewhere the lab tests
skip with the reason. BONDCHECK_LAB_STATE=.lab/state.json reuses guests started by
`make lab-up` (fast local iteration); those are left running afterwards.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest

from tests.lab.errors import LabError, LabUnavailable
from tests.lab.harness import Lab

SESSION_NODES = 3


def in_ci() -> bool:
    """True when the CI environment variable says so (GitHub, GitLab and most set it)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(f"lab could not start (CI requires it): {reason}", pytrace=False)
    pytest.skip(f"lab unavailable: {reason}")


def _attach(state: str) -> Lab:
    lab = Lab.attach(state)
    if lab.flavor != "busybox":
        raise LabUnavailable(f"{state} is a {lab.flavor} lab; the `lab` fixture needs busybox")
    for node in lab.nodes:
        if not lab.alive(node):
            raise LabUnavailable(f"{node.name} from {state} is not running")
        try:
            lab.check(node, "true", 60, mutates=False)
        except LabError as exc:
            raise LabUnavailable(f"{node.name} from {state} does not answer: {exc}") from None
    return lab


def lab_session(n: int = SESSION_NODES, flavor: str = "busybox") -> Iterator[Lab]:
    """Yield a started (or attached) Lab; stop what was started even when tests fail.
    BONDCHECK_LAB_STATE names busybox guests; a systemd lab is always booted afresh."""
    state = os.environ.get("BONDCHECK_LAB_STATE") if flavor == "busybox" else None
    started = time.monotonic()
    lab: Lab | None = None
    try:
        lab = _attach(state) if state else Lab(flavor=flavor)
        if not state:
            lab.start(n)
    except LabUnavailable as exc:
        _unavailable(str(exc))
    assert lab is not None
    lab.boot_seconds = time.monotonic() - started
    try:
        yield lab
    finally:
        if state:
            lab.close()
        else:
            lab.stop()
