"""The parser benchmark's timing loop: several parsers in one process, timed in turns.

It runs under the venv that holds insights-core (bench/venvs.py), with the repository on
``sys.path`` for bondcheck's parser (stdlib-only, nothing to install), so insights-core is
never installed beside bondcheck. The worker reads the files once, then times whole passes
over all of them in-process, in batches of at least ``--min-batch`` seconds, the parsers taking
turns, and prints one JSON object keyed by parser. The clock is the process's CPU time
(``time.process_time``): on a shared machine the time this process spends preempted by other
work is not charged to whichever parser happened to be running.

  {impl: {"impl", "files", "errors", "batch_files_per_s": [...], "fields_total",
          "field_kinds", "first_error"}}

Fields are counted the same way for both: every leaf value the parser set from the text (a
dataclass field that differs from its default, a non-null entry of insights' ``data`` dict or
property), list elements counted one by one; ``field_kinds`` are the distinct field paths
(``ports[].speed_mbps``) seen set at least once over the corpus.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bondcheck from the tree

Parse = Callable[[Any], Any]
Impl = tuple[Callable[[str], Any], Parse, Callable[[Any], Iterator[str]]]


def _same(text: str) -> str:
    return text


def _bondcheck() -> Impl:
    from bondcheck.parse.procfs import parse_bonding

    def parse(text: str) -> Any:
        return parse_bonding(text)

    def fields(obj: Any, prefix: str = "") -> Iterator[str]:
        for f in dataclasses.fields(obj):
            if f.name in ("extra", "privileged_view"):  # verbatim leftovers; an inference
                continue
            value = getattr(obj, f.name)
            default = f.default if f.default is not dataclasses.MISSING else None
            path = f"{prefix}{f.name}"
            if dataclasses.is_dataclass(value):
                yield from fields(value, f"{path}.")
            elif isinstance(value, tuple):
                for item in value:
                    if dataclasses.is_dataclass(item):
                        yield from fields(item, f"{path}[].")
                    else:
                        yield f"{path}[]"
            elif value is not None and value != default:
                yield path

    return _same, parse, fields


_INSIGHTS_SCALARS = (
    "xmit_hash_policy", "active_slave", "arp_polling_interval", "arp_ip_target",
    "mii_polling_interval", "primary_slave", "up_delay", "down_delay",
)  # fmt: skip


def _insights(prewrapped: bool = False) -> Impl:
    """insights' Bond from the text (``context_wrap`` splits it into lines, as insights does
    when it reads a file), or, ``prewrapped``, from contexts built before the clock starts."""
    from insights.parsers.bond import Bond  # type: ignore[import-not-found]
    from insights.tests import context_wrap  # type: ignore[import-not-found]

    def parse(text: str) -> Any:
        return Bond(context_wrap(text))

    def fields(bond: Any) -> Iterator[str]:
        # data holds every per-port value and mode/MII/partner MAC/aggregator; the scalar
        # properties below are the values insights keeps outside it. Nothing is counted twice.
        slaves = set(bond.slave_interface)
        for key, value in bond.data.items():
            if key in slaves:
                yield "slave_interface[]"
                for sub, item in value.items():
                    if item is not None:
                        yield f"slave[].{sub}"
            elif value is not None:
                yield key
        for name in _INSIGHTS_SCALARS:
            if getattr(bond, name) is not None:
                yield name

    if prewrapped:
        return context_wrap, Bond, fields
    return _same, parse, fields


IMPLS: dict[str, Callable[[], Impl]] = {
    "bondcheck": _bondcheck,
    "insights": _insights,
    "insights-prewrapped": lambda: _insights(prewrapped=True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--impl",
        choices=sorted(IMPLS),
        action="append",
        required=True,
        help="repeatable: several parsers are timed in turns, batch by batch",
    )
    parser.add_argument("--files-list", required=True, help="file holding one path a line")
    parser.add_argument("--batches", type=int, default=7)
    parser.add_argument("--min-batch", type=float, default=0.5, help="seconds per batch")
    args = parser.parse_args()
    with open(args.files_list) as handle:
        paths = [line.rstrip("\n") for line in handle if line.strip()]
    texts = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace", newline="") as handle:
            texts.append(handle.read())
    impls = list(dict.fromkeys(args.impl))
    loaded = {name: IMPLS[name]() for name in impls}
    inputs = {name: [prep(text) for text in texts] for name, (prep, _, _) in loaded.items()}
    out: dict[str, dict[str, Any]] = {}
    for name, (_, parse, fields) in loaded.items():
        out[name] = _census(name, paths, inputs[name], parse, fields)
    # Turns, batch by batch, in rotating order: a load spike from other work hits every parser
    # alike, so the per-batch ratios stay meaningful even when the absolute rates do not.
    for batch in range(args.batches):
        shift = batch % len(impls)
        for name in impls[shift:] + impls[:shift]:
            rate = _batch(loaded[name][1], inputs[name], args.min_batch)
            out[name]["batch_files_per_s"].append(rate)
    print(json.dumps(out))


def _census(
    name: str, paths: list[str], inputs: list[Any], parse: Parse,
    fields: Callable[[Any], Iterator[str]],
) -> dict[str, Any]:  # fmt: skip
    """Parse every file once: errors and the fields each parser extracted."""
    errors, first_error, total, kinds = 0, None, 0, set()
    for path, item in zip(paths, inputs, strict=True):
        try:
            result = parse(item)
        except Exception as exc:  # both parsers refuse some inputs: counted, still timed
            errors += 1
            first_error = first_error or f"{path}: {type(exc).__name__}: {exc}"[:300]
            continue
        found = list(fields(result))
        total += len(found)
        kinds.update(found)
    return {
        "impl": name, "files": len(inputs), "errors": errors, "first_error": first_error,
        "batch_files_per_s": [], "fields_total": total, "field_kinds": sorted(kinds),
    }  # fmt: skip


def _batch(parse: Parse, inputs: list[Any], min_seconds: float) -> float:
    """Files per CPU second over whole passes of the corpus lasting at least ``min_seconds``."""
    done = 0
    start = time.process_time()
    while True:
        for item in inputs:
            # try/except, not contextlib.suppress: the clock should time the parser, not a
            # context manager per file.
            try:  # noqa: SIM105
                parse(item)
            except Exception:  # an input the parser refuses still costs its time
                pass
        done += len(inputs)
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return done / elapsed


if __name__ == "__main__":
    main()
