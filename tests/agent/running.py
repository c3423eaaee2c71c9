"""``bondcheck agent`` as a real process on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tests.prom.stack import http_get

_SERVING = re.compile(r"serving /metrics on (\S+) every")


@dataclass
class RunningAgent:
    proc: subprocess.Popen[str]
    address: str  # host:port

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def get(self, path: str) -> tuple[int, str]:
        import urllib.error

        try:
            return 200, http_get(self.url + path)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def wait_metrics(self, timeout: float = 20.0) -> str:
        """The first /metrics body after an evaluation finished."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            code, body = self.get("/metrics")
            if code == 200:
                return body
            time.sleep(0.05)
        raise AssertionError(f"no evaluation within {timeout:.0f}s; stderr so far: {self.stderr()}")

    def terminate(self, timeout: float = 5.0) -> tuple[int, float]:
        """SIGTERM; (exit code, seconds it took to exit)."""
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        return code, time.monotonic() - started

    def stderr(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read() if self.proc.stderr else ""


@contextlib.contextmanager
def running_agent(args: Sequence[str], env: dict[str, str] | None = None) -> Iterator[RunningAgent]:
    """Start ``bondcheck agent --listen 127.0.0.1:0 ARGS`` and wait for its serving line."""
    cmd = [sys.executable, "-m", "bondcheck", "agent", "--listen", "127.0.0.1:0", *args]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("BONDCHECK_")}
    full_env.update(env or {})
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, env=full_env)
    try:
        assert proc.stderr is not None
        lines = []
        while True:
            line = proc.stderr.readline()
            if not line:
                raise AssertionError(f"agent exited ({proc.wait()}): {''.join(lines)}")
            lines.append(line)
            match = _SERVING.search(line)
            if match:
                break
        yield RunningAgent(proc, match[1])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
