"""Stopping an ``oc debug`` / ``kubectl debug`` process: the process half of debug_pod.py's
clean-up (the pod half, finding and deleting the pod, stays there)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess


def stop(proc: subprocess.Popen[str], grace: float) -> None:
    """SIGKILL the CLI's process group and wait up to ``grace`` seconds to reap it.

    Not SIGTERM first: oc's interrupt handler deletes the pod but leaves its temporary
    namespace, and what oc or kubectl half-does on a signal varies by version. Killed outright,
    they leave a known state (pod and namespace still there) that bondcheck then removes. Only
    signals and waits: another thread may be inside ``communicate()`` on this process.
    """
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace)


def drain(proc: subprocess.Popen[str]) -> str:
    """Close the pipes of a stopped process; what it wrote to stderr, as far as it was read
    (a stalled CLI's last warning says why it stalled)."""
    try:
        _, stderr = proc.communicate(timeout=1)
    except (subprocess.TimeoutExpired, ValueError, OSError):
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
        return ""
    return stderr or ""
