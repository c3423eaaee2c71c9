"""Shared helpers for the policy tests: fixture paths and a writer for inline YAML files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "policies"
CORPUS = FIXTURES / "corpus"
SHAPES = FIXTURES / "shapes"


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], str]:
    """Write dedented YAML text to ``tmp_path/<name>`` and return the path as a string."""

    def write(text: str, name: str = "policy.yaml") -> str:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return str(path)

    return write
