"""Shared helpers for the /proc/net/bonding parser tests: where the fixtures live."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "procfs"
CORPUS = FIXTURES / "corpus"
SYNTHETIC = FIXTURES / "synthetic"
# Bond names the text does not show, taken from where each sample came from (README.md).
NAMES: dict[str, str] = json.loads((FIXTURES / "names.json").read_text())
SAMPLES = sorted(CORPUS.glob("*.txt")) + sorted(SYNTHETIC.glob("*.txt"))


def sample_key(path: Path) -> str:
    """``corpus/<file>`` or ``synthetic/<file>``: the key of names.json."""
    return f"{path.parent.name}/{path.name}"


def read_sample(name: str) -> str:
    """The exact text of a corpus (or, failing that, synthetic) sample, CRLF kept."""
    for folder in (CORPUS, SYNTHETIC):
        path = folder / name
        if path.exists():
            return path.read_bytes().decode()
    raise FileNotFoundError(name)


@pytest.fixture
def healthy_root_text() -> str:
    return read_sample("ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt")
