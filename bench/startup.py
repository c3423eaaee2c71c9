"""Start-up benchmark: ``bondcheck --version`` and ``bondcheck parse FILE`` against bare Python.

    python bench/startup.py --json

Every command is a fresh process, as a user or a CI job runs it; commands are interleaved and
run ``--repeat`` times, and medians are reported (the machine is shared). The goal is start-up
within 4x of ``python -c pass`` (the interpreter with the same site-packages). To show where
the time goes, ``-X importtime`` of ``bondcheck parse`` is summarized: the slowest top-level
imports, cumulative microseconds.

Byte code: every side runs with its ``.pyc`` files, as installed software does (pip compiles
on install; Debian ships the standard library compiled). An environment with
PYTHONDONTWRITEBYTECODE set would otherwise leave only bondcheck's own modules - an editable
install, never compiled - to be compiled from source in every timed run, charging bondcheck
~10-15 ms that no installed copy pays, while ``python -c pass`` reads its cached byte code.
So all runs share a fresh PYTHONPYCACHEPREFIX that the warm-up run fills (writing allowed);
``bytecode_cached`` in the result says whether that worked.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    ROOT,
    bondcheck_argv,
    emit,
    key_values,
    load_now,
    machine_info,
    median,
    ratio,
    run_child,
)

SAMPLE = ROOT / "fixtures" / "captures" / "lab" / "healthy-802.3ad" / "proc" / "net" / "bonding"


def commands() -> dict[str, list[str]]:
    bondcheck = bondcheck_argv()
    return {
        "python_pass": [sys.executable, "-c", "pass"],
        "bondcheck_version": [*bondcheck, "--version"],
        "bondcheck_parse": [*bondcheck, "parse", str(SAMPLE / "bond0")],
        "bondcheck_parse_json": [*bondcheck, "parse", str(SAMPLE / "bond0"), "-o", "json"],
    }


def bytecode_envs(prefix: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(warm-up, timed) environments sharing the byte-code cache under ``prefix``."""
    timed = {**os.environ, "PYTHONPYCACHEPREFIX": str(prefix)}
    warm = {k: v for k, v in timed.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return warm, timed


def bytecode_cached(prefix: Path) -> bool:
    """Whether bondcheck's own modules have byte code in the cache the timed runs read."""
    spec = importlib.util.find_spec("bondcheck.cli.app")
    if spec is None or spec.origin is None:
        return False
    source = Path(spec.origin).resolve()
    cached = f"{source.stem}.{sys.implementation.cache_tag}.pyc"
    return (prefix / source.parent.relative_to(source.anchor) / cached).exists()


def top_imports(
    argv: Sequence[str],
    count: int = 12,
    runs: int = 5,
    env: Mapping[str, str] | None = None,
) -> list[dict[str, object]]:
    """The slowest imports (``-X importtime``, cumulative ms, median of ``runs`` runs), direct
    imports of the program only (nesting level 1), so nothing is counted twice."""
    script = Path(argv[0])
    python_argv = [sys.executable, "-X", "importtime"]
    python_argv += [str(script), *argv[1:]] if script.name == "bondcheck" else list(argv[1:])
    seen: dict[str, list[float]] = {}
    for _ in range(runs):
        done = subprocess.run(python_argv, capture_output=True, text=True, timeout=120,
                              check=False, env=env)  # fmt: skip
        for line in done.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if match and len(match.group(3)) == 1:
                seen.setdefault(match.group(4), []).append(int(match.group(2)) / 1000)
    rows = [{"module": name, "cumulative_ms": round(median(values), 1)}
            for name, values in seen.items()]  # fmt: skip
    rows.sort(key=lambda r: -float(r["cumulative_ms"]))  # type: ignore[arg-type]
    return rows[:count]


def run(repeat: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="bondcheck-pyc-") as prefix:
        return _run(repeat, Path(prefix))


def _run(repeat: int, prefix: Path) -> dict[str, object]:
    cmds = commands()
    walls: dict[str, list[float]] = {name: [] for name in cmds}
    cpus: dict[str, list[float]] = {name: [] for name in cmds}
    warm, timed = bytecode_envs(prefix)
    for argv in cmds.values():  # warm the page cache and the .pyc files before timing
        run_child(argv, env=warm, timeout=120)
    for _ in range(repeat):
        for name, argv in cmds.items():
            result = run_child(argv, env=timed, timeout=120)
            if result.rc != 0:
                raise SystemExit(f"{name} failed (rc={result.rc}): {result.stderr.strip()[:300]}")
            walls[name].append(result.wall_s)
            cpus[name].append(result.cpu_s)
    out: dict[str, object] = {}
    for name in cmds:
        out[f"{name}_s"] = round(median(walls[name]), 4)
        out[f"{name}_cpu_s"] = round(median(cpus[name]), 4)
    base = float(out["python_pass_s"])  # type: ignore[arg-type]
    ratios = {name: ratio(float(out[f"{name}_s"]), base) for name in cmds if name != "python_pass"}  # type: ignore[arg-type]
    out["ratios_over_python_pass"] = ratios
    out["goals"] = {
        "version_within_4x": (ratios["bondcheck_version"] or 99) <= 4.0,
        "parse_within_4x": (ratios["bondcheck_parse"] or 99) <= 4.0,
    }
    out["bytecode_cached"] = bytecode_cached(prefix)
    out["top_imports_parse"] = top_imports(cmds["bondcheck_parse"], env=timed)
    out["top_imports_version"] = top_imports(cmds["bondcheck_version"], env=timed)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    load = load_now()
    result = run(args.repeat)
    result.update({"repeat": args.repeat, "load_before": load, "load_after": load_now(),
                   "machine": machine_info()})  # fmt: skip
    emit(result, as_json=args.json, out=args.out, text=key_values(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
