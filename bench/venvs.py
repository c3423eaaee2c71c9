"""Private virtual environments for the tools bondcheck is compared with.

Ansible (``ansible-core``) and insights-core are benchmark opponents, not dependencies of
bondcheck: each gets its own venv under ``bench/.venv-<name>`` (git-ignored), created with the
ordinary ``pip`` on first use and reused afterwards. ``BONDCHECK_BENCH_VENVS`` moves them to a
cache directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def venv_dir(name: str) -> Path:
    base = os.environ.get("BONDCHECK_BENCH_VENVS")
    return Path(base) / f"venv-{name}" if base else HERE / f".venv-{name}"


def ensure_venv(name: str, requirements: list[str], probe: str) -> Path:
    """The bin/ directory of venv ``name`` with ``requirements`` installed.

    ``probe`` is a Python statement that succeeds once the venv is usable; while it fails the
    venv is (re)built. Raises RuntimeError with pip's last lines when installing fails.
    """
    root = venv_dir(name)
    python = root / "bin" / "python"
    if python.exists() and _ok(python, probe):
        return python.parent
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=300)
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", *requirements],
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    if done.returncode != 0 or not _ok(python, probe):
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-5:])
        raise RuntimeError(f"could not install {' '.join(requirements)} into {root}: {tail}")
    return python.parent


def _ok(python: Path, probe: str) -> bool:
    done = subprocess.run([str(python), "-c", probe], capture_output=True, timeout=120, check=False)
    return done.returncode == 0


def ansible_bin() -> Path:
    return ensure_venv("ansible", ["ansible-core"], "import ansible")


def insights_python() -> Path:
    return ensure_venv("insights", ["insights-core"], "import insights.parsers.bond") / "python"
