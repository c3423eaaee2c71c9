"""The code stays as its conventions say: ruff-clean, ruff-formatted and type-checked.

Run in the suite (not only by hand) so a change that breaks them is red in CI like any
failing test. The tools come from the test extra; each runs once over the whole tree.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *argv], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


@pytest.mark.parametrize(
    "argv",
    [
        ("ruff", "check", "bondcheck", "tests", "bench", "scripts"),
        ("ruff", "format", "--check", "bondcheck", "tests", "bench", "scripts"),
        ("mypy", "bondcheck"),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tree_is_clean(argv: tuple[str, ...]) -> None:
    done = _run(*argv)
    assert done.returncode == 0, f"{' '.join(argv)}:\n{done.stdout}{done.stderr}"
