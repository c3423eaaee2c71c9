"""The node agent's loop and HTTP endpoint: evaluate every interval, serve the last result.

One thread evaluates (sources.evaluate: read the kernel, judge every policy that targets the
node) and renders the exposition once; the HTTP server only hands out those bytes, so a
scrape costs no judging and any number of scrapers see the same evaluation. ``/healthz`` is
200 while evaluations keep coming (503 once the last one is older than three intervals, or
none finished yet), so a liveness probe restarts an agent whose loop is stuck.

Stopping: SIGTERM or SIGINT sets an event; the loop ends at once (the wait is on that event),
the server is shut down, and the process exits 0 well within a second.
"""

from __future__ import annotations

import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bondcheck.agent.sources import EvidenceSource, PolicySource, evaluate
from bondcheck.errors import BondcheckError, InputError

DEFAULT_PORT = 9808  # not one of the ports the exporter registry assigns to node_exporter (9100)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def parse_listen(text: str) -> tuple[str, int]:
    """``:9808``, ``0.0.0.0:9808``, ``127.0.0.1:0``, ``[::]:9808`` -> (host, port)."""
    host, sep, port = text.rpartition(":")
    if not sep or not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise InputError(f"--listen {text!r}: expected HOST:PORT or :PORT (e.g. :{DEFAULT_PORT})")
    return host.strip("[]"), int(port)


@dataclass
class State:
    """What the last evaluation left for the HTTP side; replaced whole, never mutated."""

    body: bytes = b""
    finished_at: float | None = None  # monotonic
    evaluations: int = 0
    failures: int = 0
    last_error: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)


class Agent:
    """Evaluate ``policies`` against ``source`` every ``interval`` seconds and serve them."""

    def __init__(
        self,
        policies: PolicySource,
        source: EvidenceSource,
        *,
        interval: float,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ) -> None:
        self.policies = policies
        self.source = source
        self.interval = interval
        self.log = log
        self.state = State()
        self.stop = threading.Event()

    def evaluate_once(self) -> None:
        """One evaluation; a failure is logged and counted, never fatal (the API may be back
        next time), and the previous verdicts stay served until a new one succeeds."""
        from bondcheck.output.prometheus import exposition, verify_families

        started = time.monotonic()
        try:
            reports = evaluate(self.policies, self.source)
            families = verify_families(reports)
            error = ""
        except BondcheckError as exc:
            reports, error = [], str(exc)
        except Exception as exc:  # a bug must not kill the agent: it keeps serving and says so
            reports, error = [], f"internal error: {type(exc).__name__}: {exc}"
        with self.state.lock:
            self.state.evaluations += 1
            if error:
                self.state.failures += 1
                if error != self.state.last_error:
                    self.log(f"bondcheck agent: evaluation failed: {error}")
                self.state.last_error = error
                return
            if self.state.evaluations == 1 and not reports:
                self.log("bondcheck agent: no policy targets this node")
            self.state.last_error = ""
            _agent_families(families, self.state, time.monotonic() - started)
            self.state.body = exposition(families.metrics()).encode("utf-8")
            self.state.finished_at = time.monotonic()

    def healthy(self) -> bool:
        with self.state.lock:
            done = self.state.finished_at
        return done is not None and time.monotonic() - done <= 3 * self.interval + 5

    def run(self, listen: tuple[str, int], ready: Callable[[str], None] | None = None) -> int:
        """Serve until SIGTERM/SIGINT; returns the exit code (0)."""
        server_class = _Server6 if ":" in listen[0] else ThreadingHTTPServer
        try:
            server = server_class(listen, _handler(self))
        except OSError as exc:
            raise InputError(f"cannot listen on {listen[0]}:{listen[1]}: {exc.strerror}") from None
        server.daemon_threads = True
        host, port = str(server.server_address[0]), int(server.server_address[1])
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
        thread.start()
        self.log(f"bondcheck agent: serving /metrics on {host}:{port} every {self.interval:g}s")
        if ready is not None:
            ready(f"{host}:{port}")
        try:
            while not self.stop.is_set():
                self.evaluate_once()
                self.stop.wait(self.interval)
        finally:
            server.shutdown()
            server.server_close()
        self.log("bondcheck agent: stopped")
        return 0


class _Server6(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _agent_families(families: Any, state: State, seconds: float) -> None:
    families.declare(
        "bondcheck_agent_evaluations", "Evaluations the agent ran since it started.", [],
        counter=True,
    )  # fmt: skip
    families.add("bondcheck_agent_evaluations", [], float(state.evaluations))
    families.declare(
        "bondcheck_agent_evaluation_failures",
        "Evaluations that failed (API or kernel unreadable) since the agent started.",
        [],
        counter=True,
    )
    families.add("bondcheck_agent_evaluation_failures", [], float(state.failures))
    families.declare("bondcheck_agent_evaluation_seconds", "Wall time of the last evaluation.", [])
    families.add("bondcheck_agent_evaluation_seconds", [], seconds)


def _handler(agent: Agent) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "bondcheck-agent"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                with agent.state.lock:
                    body = agent.state.body
                if not body:
                    self._send(503, b"no evaluation has finished yet\n", "text/plain")
                else:
                    self._send(200, body, CONTENT_TYPE)
            elif path == "/healthz":
                ok = agent.healthy()
                self._send(200 if ok else 503, b"ok\n" if ok else b"stale\n", "text/plain")
            else:
                self._send(404, b"not found: try /metrics or /healthz\n", "text/plain")

        def _send(self, code: int, body: bytes, kind: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return  # one line per scrape would flood the pod log

    return Handler
