"""The pods/exec stream of the API server stand-in: run the command, frame its output.

What a real API server (kubelet + CRI behind it) does for a non-TTY exec with stdout and
stderr: output goes out as it is produced on channels 1 and 2, then channel 3 carries the
exit status as a Status object - ``{"status": "Success"}``, or ``NonZeroExitCode`` with the
code in ``details.causes[0].message`` - and the server closes the WebSocket. A client that
closes first kills the command.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Any

from standins import websocket as ws
from standins.nodeexec import start_on_node

#: (pod, container, command) -> a started process with piped stdout/stderr.
ExecHandler = Callable[[dict[str, Any], str, list[str]], "subprocess.Popen[bytes]"]


def default_exec_handler(pod: dict[str, Any], container: str, command: list[str]) -> Any:
    """Run the command on the pod's node: locally, or on the lab node over ssh."""
    return start_on_node(pod["spec"]["nodeName"], command)


def container_handler(pod: dict[str, Any], container: str, command: list[str]) -> Any:
    """Start a container's own command on the pod's node, in the pod's cgroup where pods have
    one (nodeexec.py): deleting the pod kills it and everything it left behind."""
    return start_on_node(pod["spec"]["nodeName"], command, pod=pod["metadata"]["name"])


def exit_status(code: int, command: list[str]) -> dict[str, Any]:
    """The channel-3 Status for an exit code, worded as the kubelet words it."""
    if code == 0:
        return {"metadata": {}, "status": "Success"}
    return {
        "metadata": {},
        "status": "Failure",
        "message": f"command terminated with non-zero exit code: error executing command "
        f"{command}, exit code {code}",
        "reason": "NonZeroExitCode",
        "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
    }


def serve_exec(
    rfile: ws.Reader,
    wfile: ws.Writer,
    handler: ExecHandler,
    pod: dict[str, Any],
    container: str,
    command: list[str],
    *,
    log: bytearray | None = None,
    missed: int = 0,
) -> int | None:
    """Run one exec session on an upgraded connection, until the command ends or the client
    goes away; the command's exit code (None when it could not start). With ``log``, the
    output of both channels is also appended there in the order it came (a container's log,
    as the kubelet keeps it, for an attach). ``missed``: that many bytes of stdout are logged
    but not sent, as if printed before the client's attach connected."""
    lock = threading.Lock()
    gone = threading.Event()

    def send(frame: bytes) -> None:
        if gone.is_set():
            return
        with lock:
            try:
                wfile.write(frame)
                wfile.flush()
            except OSError:
                gone.set()

    try:
        proc = handler(pod, container, command)
    except OSError as exc:
        failure = {
            "metadata": {},
            "status": "Failure",
            "reason": "InternalError",
            "message": f"failed to exec in container: {exc}",
        }
        send(ws.encode_frame(ws.OP_BINARY, b"\x03" + json.dumps(failure).encode()))
        send(ws.close_frame())
        return None

    unseen = [missed]

    def pump(pipe: Any, channel: int) -> None:
        while True:
            chunk = os.read(pipe.fileno(), 65536)
            if not chunk:
                return
            if log is not None:
                with lock:
                    log.extend(chunk)
            if channel == 1 and unseen[0]:
                chunk, unseen[0] = chunk[unseen[0] :], max(0, unseen[0] - len(chunk))
                if not chunk:
                    continue
            send(ws.encode_frame(ws.OP_BINARY, bytes([channel]) + chunk))

    def watch_client() -> None:
        try:
            while True:
                opcode, _ = ws.read_message(rfile)
                if opcode == ws.OP_CLOSE:
                    break
        except (EOFError, OSError, ValueError):
            pass
        if proc.poll() is None:
            gone.set()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)

    pumps = [
        threading.Thread(target=pump, args=(pipe, ch), daemon=True)
        for pipe, ch in ((proc.stdout, 1), (proc.stderr, 2))
        if pipe is not None
    ]
    for thread in pumps:
        thread.start()
    threading.Thread(target=watch_client, daemon=True).start()
    code = proc.wait()
    for thread in pumps:
        thread.join()
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    send(ws.encode_frame(ws.OP_BINARY, b"\x03" + json.dumps(exit_status(code, command)).encode()))
    send(ws.close_frame())
    return code
