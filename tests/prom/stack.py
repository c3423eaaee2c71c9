"""The real Prometheus programs on loopback: promtool, node_exporter and a prometheus server.

Debian's ``prometheus`` (prometheus, promtool) and ``prometheus-node-exporter`` packages are
unpacked with tests/debpkg.py, never installed, so no service is registered or started on the
machine. Servers run as child processes on 127.0.0.1 with free ports and a work directory of
their own, and are killed when the test ends.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.debpkg import unpacked
from tests.sshd.server import free_port


def promtool() -> Path:
    return unpacked("prometheus", "usr/bin/promtool") / "usr" / "bin" / "promtool"


def prometheus_binary() -> Path:
    return unpacked("prometheus", "usr/bin/prometheus") / "usr" / "bin" / "prometheus"


def node_exporter_binary() -> Path:
    root = unpacked("prometheus-node-exporter", "usr/bin/prometheus-node-exporter")
    return root / "usr" / "bin" / "prometheus-node-exporter"


def run_promtool(
    *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(promtool()), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
    )


_LOOPBACK = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy


def http_get(url: str, timeout: float = 5.0) -> str:
    with _LOOPBACK.open(url, timeout=timeout) as response:
        return str(response.read().decode("utf-8"))


def wait_http(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 30.0) -> None:
    """Until ``url`` answers 200; fails with the server's own output if it exits first."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args!r} exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            http_get(url, timeout=1.0)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {deadline_s:.0f}s")


@contextlib.contextmanager
def _child(cmd: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


@dataclass(frozen=True)
class NodeExporter:
    url: str  # http://127.0.0.1:PORT
    textfile_dir: Path

    def metrics(self) -> str:
        return http_get(self.url + "/metrics")


@contextlib.contextmanager
def node_exporter(work: Path) -> Iterator[NodeExporter]:
    """node_exporter with only its textfile collector, reading ``work/textfile``."""
    textfiles = work / "textfile"
    textfiles.mkdir(parents=True, exist_ok=True)
    port = free_port()
    cmd = [
        str(node_exporter_binary()),
        f"--web.listen-address=127.0.0.1:{port}",
        "--collector.disable-defaults",
        "--collector.textfile",
        f"--collector.textfile.directory={textfiles}",
    ]
    with _child(cmd, work / "node_exporter.log") as proc:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/metrics", proc)
        yield NodeExporter(url, textfiles)


@dataclass(frozen=True)
class Prometheus:
    url: str

    def query(self, expr: str) -> list[dict[str, Any]]:
        """An instant query's result vector (``data.result``)."""
        body = json.loads(
            http_get(self.url + "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        )
        assert body["status"] == "success", body
        return list(body["data"]["result"])

    def alerts(self) -> list[dict[str, Any]]:
        body = json.loads(http_get(self.url + "/api/v1/alerts"))
        return list(body["data"]["alerts"])


@contextlib.contextmanager
def prometheus(work: Path, target: str, rule_files: list[Path]) -> Iterator[Prometheus]:
    """A prometheus server scraping ``target`` (host:port) every second, with ``rule_files``
    evaluated every second; its TSDB lives in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = work / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML: no YAML writer needed
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(p) for p in rule_files],
                "scrape_configs": [{"job_name": "node", "static_configs": [{"targets": [target]}]}],
            }
        )
    )
    cmd = [
        str(prometheus_binary()),
        f"--config.file={config}",
        f"--storage.tsdb.path={work / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
    ]
    with _child(cmd, work / "prometheus.log") as proc:
        url = f"http://127.0.0.1:{port}"
        wait_http(url + "/-/ready", proc, deadline_s=60)
        yield Prometheus(url)
