"""Start and stop one QEMU guest per lab node, touching only processes the lab started.

Each guest runs under TCG (software emulation; nested KVM hangs on the machines this lab
targets), in its own process session, with a pidfile in its node directory. A pid is only
ever signalled after /proc/<pid>/cmdline proves it is still our QEMU (it names our pidfile),
so a recycled pid can never be hit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tests.lab.errors import LabUnavailable

QEMU = "qemu-system-x86_64"
MEMORY_MB = 256  # the initramfs (70 MB unpacked, lldpd's ICU and Perl libraries included) must fit
TB_SIZE_MB = 64  # QEMU's default translation cache costs ~1.4 GB of host memory per guest
_PR_SET_PDEATHSIG = 1


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (QEMU binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:port (checked before reusing a port).

    SO_REUSEADDR as QEMU's port forward uses it: connections of the previous guest that
    linger in TIME_WAIT do not stop QEMU from binding, so they must not stop us either.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def qemu_command(
    name: str,
    index: int,
    vmlinuz: Path,
    initrd: Path,
    port: int,
    node_dir: Path,
    memory_mb: int = MEMORY_MB,
) -> list[str]:
    """The full QEMU command line of one node (management NIC only reachable via port)."""
    return [
        QEMU,
        "-name",
        name,
        "-accel",
        f"tcg,tb-size={TB_SIZE_MB}",
        "-machine",
        "pc",
        "-cpu",
        "max",
        "-smp",
        "1",
        "-m",
        str(memory_mb),
        "-nodefaults",
        "-no-user-config",
        "-display",
        "none",
        "-monitor",
        "none",
        "-no-reboot",
        "-serial",
        f"file:{node_dir / 'console.log'}",
        "-kernel",
        str(vmlinuz),
        "-initrd",
        str(initrd),
        "-append",
        "console=ttyS0 quiet panic=-1 loglevel=4",
        "-netdev",
        f"user,id=mgmt,restrict=on,hostfwd=tcp:127.0.0.1:{port}-:22",
        "-device",
        f"virtio-net-pci,netdev=mgmt,mac=52:54:00:aa:00:{index:02x}",
        "-device",
        "virtio-rng-pci",
        "-pidfile",
        str(node_dir / "qemu.pid"),
    ]


def _die_with_parent() -> Callable[[], None]:
    libc = ctypes.CDLL(None, use_errno=True)

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return preexec


def spawn(cmd: list[str], node_dir: Path, die_with_parent: bool) -> subprocess.Popen[bytes]:
    """Start QEMU in its own session; with die_with_parent it ends when this process does.

    die_with_parent is for test runs (a killed pytest must not leave guests behind); `lab up`
    passes False so its guests outlive the command. PDEATHSIG fires when the spawning *thread*
    exits, so it is only armed from the main thread: a guest started from a worker thread
    (e.g. a test restarting a node in a pool) would otherwise die when that thread ends. Such
    guests are still stopped by the harness's recorded-pid teardown.
    """
    die_with_parent = die_with_parent and threading.current_thread() is threading.main_thread()
    log = (node_dir / "qemu.log").open("wb")
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            close_fds=True,
            preexec_fn=_die_with_parent() if die_with_parent else None,
        )
    except FileNotFoundError as exc:
        raise LabUnavailable(f"{QEMU} not found; run scripts/lab-deps.sh") from exc
    finally:
        log.close()
    # Right after Popen returns, /proc/<pid>/cmdline can still be empty (exec in progress);
    # wait until it names QEMU so that is_our_qemu() is meaningful from here on.
    deadline = time.monotonic() + 5
    while (
        proc.poll() is None and not is_our_qemu(proc.pid, node_dir) and time.monotonic() < deadline
    ):
        time.sleep(0.01)
    return proc


def is_our_qemu(pid: int, node_dir: Path) -> bool:
    """True when pid is alive and is the QEMU whose pidfile lives in node_dir."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    args = raw.split(b"\0")
    return (
        bool(args)
        and args[0].endswith(QEMU.encode())
        and str(node_dir / "qemu.pid").encode() in args
    )


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process in MB (None when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def stop(
    pid: int, node_dir: Path, proc: subprocess.Popen[bytes] | None = None, grace: float = 5.0
) -> None:
    """SIGTERM then SIGKILL our QEMU; a pid that is not ours any more is left alone."""
    if not is_our_qemu(pid, node_dir):
        _reap(proc)
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        _reap(proc)
        # Not "cmdline empty": an exiting process drops its memory (and cmdline) before
        # its files, and the pidfile lock and forwarded port must be free for a restart.
        if _gone(pid):
            break
        time.sleep(0.05)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if proc is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)


def _reap(proc: subprocess.Popen[bytes] | None) -> None:
    if proc is not None:
        proc.poll()


def _gone(pid: int) -> bool:
    """True once every thread of pid has exited (only then are its files and sockets free).

    A multi-threaded process whose main thread exited already shows state Z while its
    other threads still hold the pidfile lock and the forwarded port.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] == "Z" and tasks in ([], [str(pid)])
