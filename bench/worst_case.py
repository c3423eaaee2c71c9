"""Worst-case throughput of every reader of untrusted evidence, in MB/s of CPU time.

    python bench/worst_case.py --json

Feeds each reader the generated worst cases of tests/hostile/worst_cases.py at 8 MiB (the
evidence cap; 1 MiB for a policy, its cap) and reports megabytes per CPU second, the slowest
shape per reader first. A reader that went quadratic would show here as a figure that falls
as the size grows; ``--mib`` sets the size to compare.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import emit, load_now, machine_info
from bondcheck.errors import BondcheckError, ParseError
from bondcheck.parse.iproute import parse_ip_state
from bondcheck.parse.nns import observed_from_nns
from bondcheck.parse.procfs import parse_bonding
from bondcheck.policy.loader import MAX_POLICY_BYTES, load_policy_file
from bondcheck.transport.capture_sos import oneline_addr_to_json
from tests.hostile import worst_cases as wc


def _rate(size: int, run: Callable[[], object]) -> float:
    started = time.process_time()
    with contextlib.suppress(BondcheckError, ParseError):
        run()
    return size / wc.MiB / max(time.process_time() - started, 1e-6)


def measure(mib: int) -> dict[str, dict[str, float]]:
    size = mib * wc.MiB
    out: dict[str, dict[str, float]] = {"procfs": {}, "ip -j": {}}
    for name, text in wc.procfs_cases(size).items():
        out["procfs"][name] = _rate(len(text), lambda t=text: parse_bonding(t, name="bond0"))
    for name, text in wc.ip_json_cases(size).items():
        out["ip -j"][name] = _rate(len(text), lambda t=text: parse_ip_state(t, None, source="n"))
    state = wc.nns_state(size)
    nns_rate = _rate(len(json.dumps(state)), lambda: observed_from_nns(state, "bond0"))
    out["nns"] = {"bond-of-many-ports": nns_rate}
    text = wc.sos_oneline_addr(size)
    out["sosreport ip -o addr"] = {
        "address-lines": _rate(len(text), lambda: oneline_addr_to_json(text))
    }
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "policy.yaml"
        path.write_text(wc.policy_text(MAX_POLICY_BYTES - 1024))
        out["policy (1 MiB cap)"] = {
            "many-ports": _rate(path.stat().st_size, lambda: load_policy_file(str(path)))
        }
    return {
        reader: dict(sorted(cases.items(), key=lambda kv: kv[1])) for reader, cases in out.items()
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=8)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    load = load_now()
    rates = measure(args.mib)
    result = {"mib": args.mib, "mb_per_cpu_s": rates, "load_before": load,
              "load_after": load_now(), "machine": machine_info()}  # fmt: skip
    text = "\n".join(
        f"{reader:24} {case:24} {rate:8.1f} MB/s"
        for reader, cases in rates.items()
        for case, rate in cases.items()
    )
    emit(result, as_json=args.json, out=args.out, text=text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
