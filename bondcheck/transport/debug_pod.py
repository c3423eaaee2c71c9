"""The machinery shared by ``--via oc-debug`` and ``--via kubectl-debug``.

One CLI process per node (``oc debug`` / ``kubectl debug``) runs the shared collection script
(transport/script.py) in a privileged debug pod, in one round trip. What the CLIs do not give
us, bondcheck adds:

* a timeout of its own: oc waits up to 15 minutes for the pod to start;
* the exit status: in command mode oc follows the pod log, merges the remote stdout and
  stderr, and only says ``error: non-zero exit code from debug container``; the script
  reports every section's status between nonce markers instead;
* cleanup: when bondcheck stops the CLI (timeout, Ctrl-C, SIGTERM via ``close()``), the CLI
  cannot delete its pod. bondcheck finds exactly that pod - the only one whose command
  contains this run's random nonce - and deletes it (and oc's temporary namespace, if it
  made one).

No shell runs on the controller side: argv lists only, node names validated against the
DNS-1123 rules first, the script built from validated interface names. What differs between
the CLIs (argv, pod naming, who deletes the pod) lives in oc_debug.py and kubectl_debug.py.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bondcheck.errors import CollectError, InputError
from bondcheck.kube.api import check_node_name
from bondcheck.kube.errors import forbidden_message, scrub
from bondcheck.model import Evidence, NodeTarget
from bondcheck.transport.base import Transport
from bondcheck.transport.debug_proc import drain, stop
from bondcheck.transport.options import TransportOptions
from bondcheck.transport.script import (
    build_collect_script,
    new_nonce,
    output_complete,
    parse_collect_output,
)

#: Seconds a helper command (get/delete of a leftover pod) may take.
CLEANUP_TIMEOUT = 30.0
#: Seconds to wait for a killed oc/kubectl to be reaped.
KILL_GRACE = 3.0
#: Seconds close() waits, in all, for the clean-ups in flight.
CLOSE_TIMEOUT = CLEANUP_TIMEOUT * 3


@dataclass(eq=False)
class DebugRun:
    """One running ``oc debug`` / ``kubectl debug`` process."""

    node: str
    nonce: str
    proc: subprocess.Popen[str]
    pod: tuple[str | None, str] | None = None  # (namespace or None for current, name)
    claimed: bool = False  # someone has stopped the CLI and deletes the pod: once per run
    aborted: bool = False  # ... to stop it (a timeout, close()), not to delete after success
    left_behind: str = ""  # why the delete after success failed
    lock: threading.Lock = field(default_factory=threading.Lock)


class DebugPodTransport(Transport):
    """Shared by oc-debug and kubectl-debug: run a CLI that starts a privileged pod on the
    node, read the script's output from its stdout, and never leave a pod behind."""

    name = "debug-pod"
    tool = "oc"
    default_concurrency = 10  # each node costs a pod create/delete: keep the API churn bounded
    reaches_by_name = True  # named nodes' pods may start before the node listing returns
    managed_by_label = ""
    missing_hint = ""

    def __init__(self, opts: TransportOptions) -> None:
        self.opts = opts
        self._binary: str | None = None
        self._runs: set[DebugRun] = set()
        self._lock = threading.Lock()
        # close() must see every CLI process (a fast CLI creates its pod before the spawning
        # thread runs again): it waits until no run is registered and no spawn in progress,
        # and allows no new one.
        self._changed = threading.Condition(self._lock)
        self._spawning = 0
        self._closing = False

    # ------------------------------------------------------------------ subclass interface

    def configured_binary(self) -> str:
        raise NotImplementedError

    def debug_argv(self, node: str, script: str) -> list[str]:
        raise NotImplementedError

    def pod_from_output(self, stdout: str) -> tuple[str | None, str] | None:
        """The (namespace, pod) the CLI reported creating, when it says so."""
        return None

    def complete_output(self, run: DebugRun, stdout: str, whole: Callable[[str], bool]) -> str:
        """The command's whole output when the CLI's stdout lacks a part of it (the pod still
        exists: this runs before its delete); ``stdout`` when it cannot be had."""
        return stdout

    def delete_after_success(self) -> bool:
        """Whether bondcheck must delete the pod even when the CLI exited normally."""
        return False

    def extra_cleanup(self, namespace: str) -> None:
        """Called after deleting a leftover pod in ``namespace`` (oc: its temp namespace)."""

    # ------------------------------------------------------------------ binary and argv

    def preflight(self) -> None:
        """Raise InputError now if the CLI is missing, before any node is contacted."""
        try:
            self.binary()
        except CollectError as exc:
            raise InputError(str(exc)) from None

    def binary(self) -> str:
        if self._binary is None:
            configured = self.configured_binary()
            found = shutil.which(configured)
            if not found:
                raise CollectError(f"{configured} not found on PATH; {self.missing_hint}")
            self._binary = found
        return self._binary

    def global_flags(self) -> list[str]:
        flags: list[str] = []
        if self.opts.kubeconfig:
            flags += ["--kubeconfig", self.opts.kubeconfig]
        if self.opts.context:
            flags += ["--context", self.opts.context]
        return flags

    def _helper(self, args: Sequence[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary(), *self.global_flags(), *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=CLEANUP_TIMEOUT,
            check=False,
        )

    # ------------------------------------------------------------------ collect

    def run_debug(
        self,
        node: str,
        command: str,
        nonce: str,
        timeout: float,
        whole: Callable[[str], bool] | None = None,
    ) -> tuple[DebugRun, str, str]:
        """Run ``command`` in a debug pod on ``node`` and wait at most ``timeout``.

        ``nonce`` must appear in ``command``: it is how the pod is found and deleted when the
        CLI is killed on a timeout or an interrupt (the CLI never printed its name then). The
        run is registered so that ``close()`` from another thread stops it too, and stays so
        until its clean-up, the delete after success included, is over: close() waits for it.
        ``whole`` says whether an output is all the command printed; when the CLI's is not,
        ``complete_output`` may find it, before the pod is deleted.
        """
        argv = self.debug_argv(node, command)
        run = self._spawn(node, nonce, argv)
        proc = run.proc
        try:
            if self._closing:  # registered after close() listed the runs: stop it here
                self.abort(run)
            try:
                stdout, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                left = self.abort(run)
                why = self.stalled_because(drain(proc))
                raise CollectError(
                    f"{node}: {self.tool} debug gave no result within {timeout:g}s{why}{left}"
                ) from None
            except BaseException:  # KeyboardInterrupt / SystemExit in this thread
                self.abort(run)
                drain(proc)
                raise
            run.pod = self.pod_from_output(stdout)
            if whole is not None and not whole(stdout):
                stdout = self.complete_output(run, stdout, whole)
            if self.delete_after_success():
                try:
                    self._clean_up(run, abort=False)
                except (CollectError, OSError, subprocess.SubprocessError) as exc:
                    run.left_behind = str(exc)
        finally:
            with self._changed:
                self._runs.discard(run)
                self._changed.notify_all()
        if run.aborted:
            raise CollectError(f"{node}: interrupted; {self.tool} debug stopped")
        return run, stdout, stderr

    def _spawn(self, node: str, nonce: str, argv: list[str]) -> DebugRun:
        """Start the CLI and register its run, as one step for close()."""
        with self._lock:
            if self._closing:
                raise CollectError(f"{node}: interrupted; {self.tool} debug not started")
            self._spawning += 1
        run: DebugRun | None = None
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                start_new_session=True,
            )
            run = DebugRun(node=node, nonce=nonce, proc=proc)
        except OSError as exc:
            raise CollectError(f"{node}: cannot run {self.tool}: {exc.strerror or exc}") from None
        finally:
            with self._changed:
                self._spawning -= 1
                if run is not None:
                    self._runs.add(run)
                self._changed.notify_all()
        return run

    def collect(self, target: NodeTarget, bonds: Sequence[str], timeout: float) -> Evidence:
        node = check_node_name(target.name)
        nonce = new_nonce()
        script = build_collect_script(bonds, nonce, use_sudo=False)
        run, stdout, stderr = self.run_debug(
            node, script, nonce, timeout, whole=lambda out: output_complete(out, nonce)
        )
        evidence = self._evidence(node, nonce, bonds, stdout, stderr, run.proc.returncode)
        if run.left_behind:
            note = f"debug pod may be left behind: {run.left_behind}"
            evidence = replace(evidence, notes=(*evidence.notes, note))
        return evidence

    def _evidence(
        self, node: str, nonce: str, bonds: Sequence[str], stdout: str, stderr: str, rc: int
    ) -> Evidence:
        try:
            return parse_collect_output(stdout, nonce, node=node, transport=self.name, bonds=bonds)
        except CollectError:
            if rc != 0 or stderr.strip():
                raise self.stderr_error(node, stderr, rc) from None
            raise

    # ------------------------------------------------------------------ errors

    def stderr_error(self, node: str, stderr: str, rc: int) -> CollectError:
        """One line from the CLI's stderr; the chatter lines are skipped."""
        lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
        text = "\n".join(lines)
        if re.search(r"You must be logged in|\(Unauthorized\)|Unauthorized$", text):
            return CollectError(f"{node}: {self.unauthorized_hint()}")
        match = re.search(r"Error from server \(NotFound\): nodes \"([^\"]+)\" not found", text)
        if match:
            return CollectError(f"{node}: node {match.group(1)} not found")
        if "unable to create temporary namespace" in text:
            return CollectError(
                f"{node}: {forbidden_message(text.split(': ', 1)[-1])}; pass --to-namespace "
                "with a namespace labelled pod-security.kubernetes.io/enforce=privileged"
            )
        if "security context constraint" in text:
            return CollectError(
                f"{node}: forbidden: the debug pod needs the privileged SCC "
                "(cluster-admin, or `oc adm policy add-scc-to-user privileged <user>`)"
            )
        # PodSecurity's denial is a 403 too; a warn-mode `Warning: would violate …` is not one.
        if re.search(r"^(?!Warning: ).*(violates PodSecurity|PodSecurity violation)", text, re.M):
            return CollectError(
                f"{node}: PodSecurity rejected the debug pod; pass --to-namespace with a "
                "namespace labelled pod-security.kubernetes.io/enforce=privileged"
            )
        match = re.search(r"Error from server \(Forbidden\):\s*(.*)", text)
        if match:
            return CollectError(f"{node}: {forbidden_message(match.group(1))}")
        useful = [ln for ln in lines if not self.is_chatter(ln)]
        last = useful[-1] if useful else f"{self.tool} exited with status {rc} and no output"
        return CollectError(f"{node}: {self.tool} debug failed: {scrub(last)[:300]}")

    def stalled_because(self, stderr: str) -> str:
        """Why a CLI that timed out was still waiting, from its stderr (``", the debug container
        is waiting: …"``), or "" when it did not say."""
        return ""

    def unauthorized_hint(self) -> str:
        return "not logged in: run `oc login` (the API server rejected the credentials)"

    @staticmethod
    def is_chatter(line: str) -> bool:
        return bool(
            re.match(
                r"(Starting pod/|To use host binaries|Removing debug pod|Temporary namespace |"
                r"Creating debugging pod |Pod IP:|If you don.?t see a command prompt|Warning: |"
                r"warning: couldn.?t attach)",
                line,
            )
        )

    # ------------------------------------------------------------------ stop and clean up

    def abort(self, run: DebugRun) -> str:
        """Stop the CLI process group and delete its pod; returns a note for the error line."""
        try:
            removed = self._clean_up(run, abort=True)
        except (CollectError, OSError, subprocess.SubprocessError) as exc:
            return f"; the debug pod may be left behind ({exc})"
        return "; debug pod removed" if removed else ""

    def _clean_up(self, run: DebugRun, *, abort: bool) -> int:
        """Stop the CLI and delete its pod(s), once per run: whoever comes first (a timeout,
        close(), the delete after success) does it, the others return 0 at once."""
        with run.lock:
            if run.claimed:
                return 0
            run.claimed, run.aborted = True, abort
        stop(run.proc, KILL_GRACE)
        return self._delete_pods(run)

    def _delete_pods(self, run: DebugRun) -> int:
        """Delete the pod(s) of ``run``: by the name the CLI printed, else by nonce."""
        pods = [run.pod] if run.pod else self.find_pods(run.node, run.nonce)
        for namespace, name in pods:
            scope = ["-n", namespace] if namespace else []
            result = self._helper(
                ["delete", "pod", name, *scope, "--ignore-not-found", "--wait=false"]
            )
            if result.returncode != 0:
                raise self.stderr_error(run.node, result.stderr, result.returncode)
            if namespace:
                self.extra_cleanup(namespace)
        return len(pods)

    def pod_filter(self, node: str) -> list[str]:
        """The ``get pods`` selector that narrows the search to pods like ours."""
        return ["-l", self.managed_by_label]

    def find_pods(self, node: str, nonce: str) -> list[tuple[str | None, str]]:
        """Debug pods on ``node`` whose container command carries ``nonce``: only ours."""
        scope = ["-n", self.opts.to_namespace] if self.opts.to_namespace else []
        if not scope and self.tool == "oc":
            scope = ["--all-namespaces"]
        result = self._helper(["get", "pods", *scope, *self.pod_filter(node), "-o", "json"])
        if result.returncode != 0:
            raise self.stderr_error(node, result.stderr, result.returncode)
        try:
            items = json.loads(result.stdout).get("items") or []
        except (ValueError, AttributeError):
            raise CollectError(f"{node}: unreadable pod list from {self.tool} get pods") from None
        return [
            (pod["metadata"].get("namespace") or None, str(pod["metadata"]["name"]))
            for pod in items
            if _pod_matches(pod, node, nonce)
        ]

    def close(self) -> None:
        """Stop every running debug process and delete its pod (Ctrl-C / SIGTERM path).

        Returns when every clean-up in flight has finished (or CLOSE_TIMEOUT ran out), so
        that the process does not exit, taking the worker threads along, with a pod left or
        half-deleted. Afterwards no new debug pod is started: ``run_debug`` raises CollectError.
        """
        with self._changed:
            self._closing = True
            runs = list(self._runs)
        # In parallel: each abort is a few CLI calls, and Ctrl-C should not take minutes.
        threads = [threading.Thread(target=self.abort, args=(run,), daemon=True) for run in runs]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + CLOSE_TIMEOUT
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        # Also wait for the clean-ups the collecting threads run themselves (a timeout, the
        # delete after success, a CLI registered after the list above): a run is registered
        # until its clean-up is over.
        with self._changed:
            self._changed.wait_for(
                lambda: not self._runs and not self._spawning,
                timeout=max(0.0, deadline - time.monotonic()),
            )


def _pod_matches(pod: Any, node: str, nonce: str) -> bool:
    if not isinstance(pod, dict):
        return False
    spec = pod.get("spec") or {}
    if spec.get("nodeName") not in (None, node):
        return False
    return nonce in json.dumps(spec.get("containers") or [])
