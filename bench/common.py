"""What every benchmark shares: running a measured child process, medians, the machine.

Why each side runs as a child process: the CPU a side costs is read from the kernel's
accounting of that child and every descendant it waited for (``wait4``'s rusage, the same
figure as the difference of ``getrusage(RUSAGE_CHILDREN)`` around the run), so bondcheck,
``xargs`` + ``ssh`` and Ansible are charged the same way, start-up and imports included, and
the benchmark's own bookkeeping is charged to none of them. ``ru_maxrss`` of that rusage is
the largest resident set of any single process in the tree (for ``xargs -P`` + ``ssh`` that is
the biggest ``ssh``).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/x.py` puts bench/ first; tests.sshd needs ROOT
    sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class ChildRun:
    """One measured child process tree."""

    argv: tuple[str, ...]
    rc: int
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_kb: int
    stdout: str
    stderr: str
    timed_out: bool = False

    @property
    def cpu_s(self) -> float:
        return self.user_s + self.sys_s


def run_child(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 600.0,
    cwd: Path | None = None,
    stdin: str | None = None,
) -> ChildRun:
    """Run ``argv`` to completion and return its wall time and its tree's rusage.

    Output goes to temporary files (no reader threads in this process while it runs). A run
    that outlives ``timeout`` has its whole process group killed and is marked ``timed_out``.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.TemporaryFile() as inp:  # fmt: skip
        if stdin is not None:
            inp.write(stdin.encode())
            inp.seek(0)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv), stdin=inp, stdout=out, stderr=err, env=dict(env) if env else None,
            cwd=cwd, start_new_session=True,
        )  # fmt: skip
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.daemon = True
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        proc.returncode = os.waitstatus_to_exitcode(status)
        # Anything the child left running in its group (it should leave nothing) is ended.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        out.seek(0)
        err.seek(0)
        user = after.ru_utime - before.ru_utime
        system = after.ru_stime - before.ru_stime
        # wait4's own figure must agree with the RUSAGE_CHILDREN difference (one child waited).
        assert abs((usage.ru_utime + usage.ru_stime) - (user + system)) < 0.05, (usage, user)
        return ChildRun(
            argv=tuple(argv),
            rc=proc.returncode,
            wall_s=wall,
            user_s=user,
            sys_s=system,
            maxrss_kb=int(usage.ru_maxrss),
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
            timed_out=fired.is_set(),
        )


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator > 0 else None


def raise_nofile(wanted: int = 65536) -> tuple[int, int]:
    """Raise the soft open-file limit towards ``wanted`` (capped by the hard limit): children
    (sshd listeners, ssh fan-out, bondcheck) inherit it. Returns (soft, hard) now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


def bondcheck_argv() -> list[str]:
    """The installed ``bondcheck`` console script next to this interpreter (as users run it)."""
    script = Path(sys.executable).with_name("bondcheck")
    if script.exists():
        return [str(script)]
    found = shutil.which("bondcheck")
    return [found] if found else [sys.executable, "-m", "bondcheck"]


def _first_line(argv: Sequence[str]) -> str:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return "unavailable"
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text else "unavailable"


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def machine_info(extra: Mapping[str, str] | None = None) -> dict[str, object]:
    """What the numbers were measured on, including the load other work put on it."""
    import paramiko

    sshd = "unknown"
    with contextlib.suppress(Exception):
        from tests.sshd.server import sshd_binary

        sshd = _first_line([str(sshd_binary()), "-V"])  # sshd -V prints usage with version
        match = re.search(r"OpenSSH_\S+", sshd)
        sshd = match.group(0).rstrip(",") if match else sshd
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "paramiko": paramiko.__version__,
        "openssh_client": _first_line(["ssh", "-V"]),
        "openssh_server": sshd,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        **(extra or {}),
    }


def load_now() -> float:
    return round(os.getloadavg()[0], 2)


def emit(result: Mapping[str, object], *, as_json: bool, out: Path | None, text: str) -> None:
    """Write ``result`` to ``out`` (JSON) when asked, and print it: JSON, or ``text``."""
    rendered = json.dumps(result, indent=2)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(rendered + "\n")
    print(rendered if as_json else text)


def key_values(result: Mapping[str, object], hidden: Sequence[str] = ("machine",)) -> str:
    """``key: value`` lines of a flat result, for the human-readable output."""
    return "\n".join(f"{key}: {value}" for key, value in result.items() if key not in hidden)
