"""The container image, built by scripts/build-image.sh with the real podman, runs the demo,
the CLI's error handling and the node agent; the agent's /metrics is scraped over loopback.

Marked ``image``. In CI (CI=true) a missing podman fails these tests (CI installs it, see
scripts/lab-deps.sh); elsewhere they skip with the reason. The first build makes the Debian
base with mmdebstrap (about a minute) and podman keeps it for later builds.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab.fixture import in_ci
from tests.prom.stack import http_get, run_promtool
from tests.prom.test_exposition import series, value
from tests.sshd.server import free_port

pytestmark = pytest.mark.image

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
LIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=4096:4096"]


def podman() -> list[str]:
    flags = os.environ.get(
        "PODMAN_FLAGS", "--runtime runc --cgroup-manager cgroupfs --storage-driver vfs"
    )
    return ["podman", *shlex.split(flags)]


@pytest.fixture(scope="session")
def image() -> Iterator[str]:
    if shutil.which("podman") is None:
        reason = "podman is not installed (apt-get install podman runc mmdebstrap)"
        if in_ci():
            pytest.fail(f"image tests need podman in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    proc = subprocess.run([str(ROOT / "scripts" / "build-image.sh")], capture_output=True,
                          text=True, timeout=900, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    ref = proc.stdout.strip().splitlines()[-1]
    assert ref.startswith("localhost/bondcheck:")
    yield ref


def run(image: str, *args: str, mounts: bool = True) -> subprocess.CompletedProcess[str]:
    volume = ["-v", f"{FIXTURES}:/fixtures:ro"] if mounts else []
    return subprocess.run([*podman(), "run", "--rm", *LIMITS, "--network", "none", *volume,
                           image, *args], capture_output=True, text=True, timeout=120,
                          check=False)  # fmt: skip


def test_image_is_non_root_with_oci_labels(image: str) -> None:
    proc = subprocess.run([*podman(), "image", "inspect", image], capture_output=True, text=True,
                          check=True)  # fmt: skip
    (info,) = json.loads(proc.stdout)
    config = info["Config"]
    assert config["User"] == "65532:65532"
    assert config["Entrypoint"] == ["bondcheck"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.version"] == image.rsplit(":", 1)[1]
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    assert labels["org.opencontainers.image.source"]


def test_the_demo_runs_in_the_image(image: str) -> None:
    proc = run(image, "verify", "--policy-file", "/fixtures/demo/policy.yaml",
               "--from-dir", "/fixtures/demo/captures", "--color", "never")  # fmt: skip
    assert proc.returncode == 1, proc.stderr  # the demo's three faulty workers
    assert "worker-0 PASS" in proc.stdout
    assert "FAIL worker-1 LACP-PARTNER bond0/ens224" in proc.stdout
    assert "4 nodes checked against worker-bond-lacp" in proc.stdout + proc.stderr


def test_ip_and_a_clean_error_in_the_image(image: str) -> None:
    ip = subprocess.run([*podman(), "run", "--rm", *LIMITS, "--network", "none",
                         "--entrypoint", "ip", image, "-j", "link"], capture_output=True,
                        text=True, timeout=60, check=False)  # fmt: skip
    assert ip.returncode == 0 and json.loads(ip.stdout)[0]["ifname"] == "lo"
    bad = run(image, "verify", "--policy-file", "/nonexistent.yaml", "--from-dir", "/fixtures")
    assert bad.returncode == 2
    assert bad.stderr.startswith("bondcheck: error:") and "Traceback" not in bad.stderr


def test_the_agent_in_the_image_serves_metrics_on_loopback(image: str) -> None:
    port = free_port()
    name = f"bondcheck-agent-test-{port}"
    start = subprocess.run([*podman(), "run", "-d", "--name", name, *LIMITS, "--network", "host",
                            "-v", f"{FIXTURES}:/fixtures:ro", image, "agent",
                            "--node", "worker-1", "--policy-file", "/fixtures/demo/policy.yaml",
                            "--from-dir", "/fixtures/demo/captures",
                            "--listen", f"127.0.0.1:{port}", "--interval", "1"],
                           capture_output=True, text=True, timeout=60, check=False)  # fmt: skip
    assert start.returncode == 0, start.stderr
    try:
        body = ""
        for _ in range(150):
            try:
                body = http_get(f"http://127.0.0.1:{port}/metrics", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        assert body, "the containerised agent never answered"
        lint = run_promtool("check", "metrics", stdin=body)
        assert lint.returncode == 0, lint.stdout + lint.stderr
        s = series(body)
        assert value(s, "bondcheck_node_status", node="worker-1", status="fail") == 1
        assert value(s, "bondcheck_lacp_partner_present", node="worker-1", port="ens224") == 0
        assert http_get(f"http://127.0.0.1:{port}/healthz") == "ok\n"
        started = time.monotonic()
        stop = subprocess.run([*podman(), "stop", "-t", "10", name], capture_output=True,
                              text=True, timeout=60, check=False)  # fmt: skip
        took = time.monotonic() - started
        assert stop.returncode == 0, stop.stderr
        state = subprocess.run([*podman(), "inspect", name, "--format", "{{.State.ExitCode}}"],
                               capture_output=True, text=True, check=True)  # fmt: skip
        assert state.stdout.strip() == "0"  # SIGTERM: a clean exit, not a kill after 10 s
        assert took < 5
        logs = subprocess.run([*podman(), "logs", name], capture_output=True, text=True,
                              check=True)  # fmt: skip
        assert "bondcheck agent: stopped" in logs.stderr + logs.stdout
    finally:
        subprocess.run([*podman(), "rm", "-f", name], capture_output=True, check=False)
