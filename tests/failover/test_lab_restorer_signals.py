"""The on-node restore timer under each signal, on a real guest (QEMU lab, busybox sh).

The real ``restorer`` script is armed on a lab node exactly as a pull arms it (``setsid``,
its own session), with a ``restore`` that only records that it ran: the signals are the
subject here; test_lab_failover.py pulls real ports. TERM and HUP (a stopped session, an OOM
kill's first signal) must restore at once; INT leaves the timer running; only bondcheck's
USR1 disarms it.
"""

from __future__ import annotations

import pytest

from bondcheck.failover import deadman
from bondcheck.failover.deadman import PingSpec, PullSpec
from tests.failover.labkit import NODE
from tests.lab.harness import Lab


@pytest.mark.parametrize(
    ("sig", "expect"),
    [("TERM", "fired"), ("HUP", "fired"), ("INT", "running"), ("USR1", "disarmed")],
)
def test_restorer_signals_on_a_real_guest(lab: Lab, sig: str, expect: str) -> None:
    base = f"/run/bondcheck-signals-{sig.lower()}"
    spec = PullSpec(
        token="0123abcd", base_dir=base, bond="bond0", port="ens224", restore_after=60,
        pull_seconds=1, ping=PingSpec(target="192.0.2.1"),
    )  # fmt: skip
    m = spec.marker
    script = "\n".join(
        [
            f"rm -rf {base}; mkdir -p {m}",
            f"cat > {m}/restore <<'BONDCHECK_EOF'",
            f"date +%s > {m}/fired",
            "BONDCHECK_EOF",
            f"cat > {m}/restorer <<'BONDCHECK_EOF'",
            deadman.restorer_file(spec),
            "BONDCHECK_EOF",
            f"setsid /bin/sh {m}/restorer </dev/null >/dev/null 2>&1 &",
            f'i=0; while [ ! -s {m}/pid ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done',
            f'kill -{sig} "$(cat {m}/pid)"; sleep 2',
            f'if kill -0 "$(cat {m}/pid)" 2>/dev/null; then echo running; fi',
            f"ls {m}",
        ]
    )
    try:
        rc, out, err = lab.run(NODE, script, timeout=60, mutates=False)
        assert rc == 0, err
        seen = out.split()
        assert expect in seen, out
        if expect != "fired":
            assert "fired" not in seen, out
    finally:
        lab.run(NODE, f'kill -USR1 "$(cat {m}/pid 2>/dev/null)" 2>/dev/null; rm -rf {base}',
                mutates=False)  # fmt: skip
