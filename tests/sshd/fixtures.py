"""Ready-made pytest fixtures around ``sshd_environment``.

Register them from the root conftest with ``pytest_plugins = ["tests.sshd.fixtures"]``, or
wrap ``sshd_environment`` in a fixture of the scope a test module needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .env import SshdEnv, sshd_environment
from .server import SshdUnavailable, sshd_binary


def require_sshd() -> None:
    """Skip on a workstation that cannot provide sshd; in CI (CI set) that is a failure."""
    try:
        sshd_binary()
    except SshdUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no sshd for the SSH tests: {exc}")


@pytest.fixture(scope="session")
def sshd_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdEnv]:
    """One loopback sshd for the whole test session (reads only: do not reconfigure it)."""
    require_sshd()
    with sshd_environment(tmp_path_factory.mktemp("sshd")) as env:
        yield env
