"""Parser benchmark: bondcheck's /proc/net/bonding parser against insights-core's ``Bond``.

    python bench/parse.py --json

The corpus is every real sample: fixtures/procfs/corpus/*.txt and the lab captures
fixtures/captures/lab/**/bond0. Both parsers run in-process in one interpreter
(bench/parse_worker.py, under the private venv that holds insights-core, see bench/venvs.py),
timing whole passes over the corpus in turns, batch by batch. The worker is run ``--rounds``
times; the median rates and the median of the per-batch ratios are reported, because the
machine is shared.

Three figures: bondcheck from text; insights-core from text (``context_wrap`` strips and splits
the text into lines, as insights does when it reads a file); insights-core from lines already
split (its ``Bond.parse_content`` alone) - the fairest to insights.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, emit, key_values, load_now, machine_info, median, ratio
from bench.venvs import insights_python

HERE = Path(__file__).resolve().parent
SIDES = {"bondcheck": "bondcheck", "insights": "insights_core",
         "insights-prewrapped": "insights_core_prewrapped"}  # fmt: skip


def corpus_files() -> list[Path]:
    corpus = sorted((ROOT / "fixtures" / "procfs" / "corpus").glob("*.txt"))
    captures = sorted((ROOT / "fixtures" / "captures" / "lab").glob("**/bond0"))
    return corpus + captures


def _worker(python: Path, files_list: Path, batches: int, min_batch: float) -> dict:
    argv = [str(python), str(HERE / "parse_worker.py"), "--files-list", str(files_list),
            "--batches", str(batches), "--min-batch", str(min_batch)]  # fmt: skip
    for impl in SIDES:
        argv += ["--impl", impl]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False,
                          cwd=ROOT)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"parse worker failed: {done.stderr.strip()[-500:]}")
    return json.loads(done.stdout)


def run(rounds: int, batches: int, min_batch: float) -> dict[str, object]:
    files = corpus_files()
    files_list = HERE / "results" / "parse-files.txt"
    files_list.parent.mkdir(parents=True, exist_ok=True)
    files_list.write_text("".join(f"{p.relative_to(ROOT)}\n" for p in files))
    python = insights_python()
    rates: dict[str, list[float]] = {impl: [] for impl in SIDES}
    per_batch: dict[str, list[float]] = {"insights": [], "insights-prewrapped": []}
    last: dict[str, dict] = {}
    for _ in range(rounds):
        last = _worker(python, files_list, batches, min_batch)
        for impl in SIDES:
            rates[impl].extend(last[impl]["batch_files_per_s"])
        mine = last["bondcheck"]["batch_files_per_s"]
        for other in per_batch:
            per_batch[other] += [b / o for b, o in zip(mine, last[other]["batch_files_per_s"],
                                                       strict=True)]  # fmt: skip
        print("  " + "  ".join(f"{impl} {median(last[impl]['batch_files_per_s']):7.0f}/s"
                               for impl in SIDES), file=sys.stderr, flush=True)  # fmt: skip
    out: dict[str, object] = {"files": len(files)}
    for impl, key in SIDES.items():
        rate = median(rates[impl])
        out[f"{key}_files_per_s"] = round(rate, 1)
        out[f"{key}_us_per_file"] = round(1e6 / rate, 2)
        out[f"{key}_errors"] = last[impl]["errors"]
        if last[impl]["first_error"]:
            out[f"{key}_first_error"] = last[impl]["first_error"]
    b, i = last["bondcheck"], last["insights"]
    out["bondcheck_fields_total"] = b["fields_total"]
    out["insights_core_fields_total"] = i["fields_total"]
    out["bondcheck_field_kinds"] = len(b["field_kinds"])
    out["insights_core_field_kinds"] = len(i["field_kinds"])
    # The ratio is the median of per-batch ratios (each pair timed back to back), which a
    # load spike from other work distorts far less than a ratio of two medians.
    ratio_text = round(median(per_batch["insights"]), 3)
    out["ratio_bondcheck_over_insights_core"] = ratio_text
    out["ratio_bondcheck_over_insights_core_prewrapped"] = round(
        median(per_batch["insights-prewrapped"]), 3
    )
    out["ratio_of_medians_bondcheck_over_insights_core"] = ratio(
        float(out["bondcheck_files_per_s"]),
        float(out["insights_core_files_per_s"]),  # type: ignore[arg-type]
    )
    out["goals"] = {
        "throughput_at_least_2x_insights_core": ratio_text >= 2.0,
        "extracts_more_fields": b["fields_total"] > i["fields_total"],
    }
    out["field_kinds"] = {"bondcheck": b["field_kinds"], "insights_core": i["field_kinds"]}
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="worker runs per side")
    parser.add_argument("--batches", type=int, default=5, help="timed batches per worker run")
    parser.add_argument("--min-batch", type=float, default=0.5, help="seconds per batch")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    load = load_now()
    result = run(args.rounds, args.batches, args.min_batch)
    result.update({"load_before": load, "load_after": load_now(), "machine": machine_info()})
    text = key_values(result, hidden=("field_kinds", "machine"))
    emit(result, as_json=args.json, out=args.out, text=text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
