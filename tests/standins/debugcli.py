"""The ``oc`` and ``kubectl`` stand-ins (tests/standins/bin/{oc,kubectl} call ``main``).

Why stand-ins: no cluster exists on the test machines, and bondcheck's oc-debug and
kubectl-debug transports talk to these tools only through argv, stdout, stderr, the exit
status and signals. These executables reproduce that surface for the subcommands bondcheck
uses, with the wording of real transcripts (shared corpus, oc/ and kubectl/ files):

* ``oc debug [-q] node/X [--to-namespace NS] [--image I] -- chroot /host CMD...``: banner
  chatter on stderr unless ``-q``; the remote stdout and stderr merged into stdout (oc follows
  the pod log); ``error: non-zero exit code from debug container`` and exit 1 when CMD fails;
  a temporary ``openshift-debug-xxxxx`` namespace when no namespace is given; on SIGTERM or
  SIGINT oc's interrupt handler removes the pod (the namespace is left, as reported).
* ``kubectl debug node/X --profile=P --image=I --attach ... -- chroot /host CMD...``: prints
  ``Creating debugging pod ...`` on stdout unless ``-q``; keeps stdout and stderr apart; never
  deletes its pod, which carries no label (as the real kubectl 1.32's, seen by driving it
  against the API server stand-in: tests/cluster/test_real_kubectl.py).
* ``get pods [-n NS|-A] [-l SEL] [--field-selector spec.nodeName=X] -o json``,
  ``delete pod NAME``, ``delete namespace NS``, ``oc whoami``.

Pods and namespaces are files under ``$BONDCHECK_STANDIN_STATE`` so tests can assert cleanup;
every invocation is appended to ``calls.jsonl``. Behaviour switches (environment):
``BONDCHECK_STANDIN_AUTH`` = ok | unauthorized | forbidden | forbidden-scc |
forbidden-namespace; ``BONDCHECK_STANDIN_NODES`` = comma list of existing nodes (unset: any);
``BONDCHECK_STANDIN_HANG_NODES`` = nodes whose pod never starts (NotReady);
``BONDCHECK_STANDIN_LATENCY`` = seconds for the pod to start; ``BONDCHECK_STANDIN_USER``.
A file ``$BONDCHECK_STANDIN_STATE/switches/NAME`` overrides ``BONDCHECK_STANDIN_NAME`` from the
next call on (a test flipping the cluster mid-run, e.g. a token expiring during a failover).
CMD runs through nodeexec: locally, or on the lab node when BONDCHECK_STANDIN_SSH_CONFIG is set,
in the pod's own cgroup there with BONDCHECK_STANDIN_POD_CGROUPS=1 (nodeexec.py).

A pod deleted by someone else while ``debug`` streams its output (``delete pod``, noticed within
0.2 s) has its container killed; ``kubectl``'s attach then just ends (exit 0), ``oc`` reports
``error: non-zero exit code from debug container`` (the container died of SIGKILL). This one
is modelled, not copied from a transcript: none of the corpus shows it.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time

from standins.nodeexec import kill_pod, start_on_node
from standins.podstate import State

# Every ``oc`` call is a new process, and a real oc is a Go binary that starts in a few ms: so
# only what a debug run needs is imported (no typing, pathlib or random: together a third of
# this stand-in's start-up; podstate.py uses os.path for the same reason).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

CHROOT_HINT = (
    "To use host binaries, run `chroot /host`. Instead, if you need to access host "
    "namespaces, run `nsenter -a -t 1`."
)
OC_DEFAULT_IMAGE = "registry.redhat.io/rhel9/support-tools"


def _env(name: str, default: str = "") -> str:
    """A behaviour switch: ``$BONDCHECK_STANDIN_STATE/switches/NAME`` when a test flipped it
    mid-run (every stand-in call reads it afresh), else the environment variable."""
    state = os.environ.get("BONDCHECK_STANDIN_STATE", "")
    try:
        with open(os.path.join(state, "switches", name)) as fh:
            return fh.read().strip()
    except OSError:
        return os.environ.get(f"BONDCHECK_STANDIN_{name}", default)


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _rand(n: int = 5) -> str:
    """``n`` random characters from [a-z0-9], like the suffixes oc and kubectl generate."""
    return "".join(_ALPHABET[b % len(_ALPHABET)] for b in os.urandom(n))


class Args:
    """Just enough flag parsing for the subcommands bondcheck uses."""

    VALUED: ClassVar[set[str]] = {
        "--kubeconfig",
        "--context",
        "-n",
        "--namespace",
        "--to-namespace",
        "--image",
        "-l",
        "--selector",
        "--field-selector",
        "-o",
        "--output",
        "--profile",
        "--image-stream",
    }

    def __init__(self, argv: list[str]) -> None:
        self.command: list[str] = []
        if "--" in argv:
            cut = argv.index("--")
            argv, self.command = argv[:cut], argv[cut + 1 :]
        self.flags: dict[str, str] = {}
        self.words: list[str] = []
        i = 0
        while i < len(argv):
            arg = argv[i]
            if arg.startswith("-") and "=" in arg:
                key, value = arg.split("=", 1)
                self.flags[key] = value
            elif arg in self.VALUED and i + 1 < len(argv):
                self.flags[arg] = argv[i + 1]
                i += 1
            elif arg.startswith("-"):
                self.flags[arg] = "true"
            else:
                self.words.append(arg)
            i += 1

    def get(self, *names: str) -> str | None:
        for name in names:
            if name in self.flags:
                return self.flags[name]
        return None


def _fail(message: str, code: int = 1) -> int:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
    return code


def _auth_error(tool: str, node: str | None) -> int | None:
    mode = _env("AUTH", "ok")
    user = _env("USER", "developer")
    if mode == "unauthorized":
        return _fail("error: You must be logged in to the server (Unauthorized)")
    if mode == "forbidden" and node is not None:
        return _fail(
            f'Error from server (Forbidden): nodes "{node}" is forbidden: User "{user}" cannot '
            'get resource "nodes" in API group "" at the cluster scope'
        )
    return None


def _selector_ok(selector: str | None, labels: dict[str, str]) -> bool:
    for term in (selector or "").split(","):
        if "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
    return True


def cmd_get_pods(state: State, args: Args) -> int:
    if _auth_error("", None) is not None:
        return 1
    ns = (
        None if args.get("-A", "--all-namespaces") else (args.get("-n", "--namespace") or "default")
    )
    items = [
        p
        for p in state.pods(ns)
        if _selector_ok(args.get("-l", "--selector"), p["metadata"].get("labels") or {})
        and _selector_ok(args.get("--field-selector"), {"spec.nodeName": p["spec"].get("nodeName")})
    ]
    print(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "List",
                "items": items,
                "metadata": {"resourceVersion": ""},
            },
            indent=4,
        )
    )
    return 0


def cmd_delete(state: State, args: Args) -> int:
    if _auth_error("", None) is not None:
        return 1
    what, names = args.words[1], args.words[2:]
    ns = args.get("-n", "--namespace") or "default"
    ignore = args.get("--ignore-not-found") not in (None, "false")
    for name in names:
        if what in ("pod", "pods"):
            pod = next((p for p in state.pods(ns) if p["metadata"]["name"] == name), None)
            found = state.delete_pod(ns, name)
            if pod is not None:
                kill_pod(pod["spec"].get("nodeName"), name)
        else:  # namespace: removes what is in it, as namespace deletion does
            found = state.drop_namespace(name)
            for pod in state.pods(name):
                state.delete_pod(name, pod["metadata"]["name"])
        if found:
            print(f'{"pod" if what.startswith("pod") else "namespace"} "{name}" deleted')
        elif not ignore:
            return _fail(f'Error from server (NotFound): {what}s "{name}" not found')
    return 0


def _target_node(args: Args) -> str | None:
    for word in args.words[1:]:
        for prefix in ("node/", "nodes/"):
            if word.startswith(prefix):
                return word[len(prefix) :]
    return None


def _node_exists(node: str) -> bool:
    known = _env("NODES")
    return not known or node in [n.strip() for n in known.split(",")]


def run_debug(tool: str, state: State, args: Args) -> int:
    node = _target_node(args)
    if node is None:
        return _fail("error: a resource to debug is required")
    quiet = args.get("-q", "--quiet") not in (None, "false")
    error = _auth_error(tool, node)
    if error is not None:
        return error
    if not _node_exists(node):
        return _fail(f'Error from server (NotFound): nodes "{node}" not found')
    mode = _env("AUTH", "ok")
    user = _env("USER", "developer")
    temp_ns = None
    if tool == "oc":
        ns = args.get("--to-namespace") or args.get("-n", "--namespace")
        if ns is None:
            if mode == "forbidden-namespace":
                return _fail(
                    "error: unable to create temporary namespace : namespaces is forbidden: "
                    f'User "{user}" cannot create resource "namespaces" in API group "" at the '
                    "cluster scope"
                )
            ns = temp_ns = f"openshift-debug-{_rand()}"
            state.touch_namespace(ns)
            if not quiet:
                _fail(f"Temporary namespace {ns} is created for debugging node...", 0)
        name = f"{''.join(c for c in node.lower() if c.isalnum() or c == '-')}-debug-{_rand()}"
        labels = {"debug.openshift.io/managed-by": "oc-debug"}
        annotations = {
            "debug.openshift.io/source-resource": f"nodes/{node}",
            "openshift.io/required-scc": "privileged",
        }
        container: dict[str, Any] = {
            "name": "container-00",
            "image": args.get("--image") or OC_DEFAULT_IMAGE,
            "command": args.command,
        }
    else:
        if not args.get("--image"):
            return _fail("error: --image is required for node debugging")
        profile = args.get("--profile")
        if profile in (None, "legacy"):
            _fail(
                "--profile=legacy is deprecated and will be removed in the future. It is "
                'recommended to explicitly specify a profile, for example "--profile=general".',
                0,
            )
        ns = args.get("-n", "--namespace") or "default"
        name = f"node-debugger-{node}-{_rand()}"
        labels = {}  # the real kubectl 1.32 labels its node debug pods with nothing
        annotations = {}
        container = {
            "name": "debugger",
            "image": args.get("--image"),
            "args": args.command,
            "securityContext": {"privileged": profile == "sysadmin"},
        }
    if tool == "oc" and mode == "forbidden-scc":
        return _fail(
            f'Error from server (Forbidden): pods "{name}" is forbidden: unable to validate '
            "against any security context constraint: [provider restricted: "
            ".spec.securityContext.hostNetwork: Invalid value: true: Host network is not "
            "allowed to be used]"
        )
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels, "annotations": annotations},
        "spec": {
            "nodeName": node,
            "hostNetwork": True,
            "restartPolicy": "Never",
            "containers": [container],
        },
        "status": {"phase": "Pending"},
    }
    state.save_pod(pod)
    return _attach(tool, state, args, pod, quiet, temp_ns)


def _attach(
    tool: str, state: State, args: Args, pod: dict[str, Any], quiet: bool, temp_ns: str | None
) -> int:
    node, ns, name = pod["spec"]["nodeName"], pod["metadata"]["namespace"], pod["metadata"]["name"]

    def removed() -> None:
        if not quiet:
            _fail("\nRemoving debug pod ...", 0)
        state.delete_pod(ns, name)
        kill_pod(node, name)

    if tool == "oc":

        def on_signal(signum: int, frame: Any) -> None:
            removed()  # oc's interrupt handler deletes the pod; the temporary namespace stays
            os._exit(1)

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        if not quiet:
            _fail(f"Starting pod/{name} ...", 0)
            _fail(CHROOT_HINT, 0)
    elif not quiet:
        print(f"Creating debugging pod {name} with container debugger on node {node}.", flush=True)
    hang = [n.strip() for n in _env("HANG_NODES").split(",") if n.strip()]
    if node in hang:  # NotReady: the container never starts; oc gives up after 15 minutes
        time.sleep(float(_env("HANG_SECONDS", "900")))
        if tool == "oc":
            removed()
            return _fail("error: timed out waiting for the condition")
        return _fail(f"error: timed out waiting for the condition on pods/{name}")
    time.sleep(float(_env("LATENCY", "0") or 0))
    pod["status"]["phase"] = "Running"
    state.save_pod(pod)
    proc = start_on_node(node, args.command, merge_stderr=(tool == "oc"), pod=name)
    deleted = _stream(proc, state.pod_path(ns, name), node, name)
    if proc.stderr is not None:
        sys.stderr.buffer.write(proc.stderr.read())
        sys.stderr.flush()
    code = proc.wait()
    if deleted:  # someone deleted the pod under us: its container was killed, the stream ended
        if tool == "kubectl":
            return 0  # kubectl's attach just ends
        if temp_ns is not None:
            state.drop_namespace(temp_ns)
        return _fail("error: non-zero exit code from debug container")
    if tool == "kubectl":  # kubectl leaves the finished pod behind
        pod["status"]["phase"] = "Succeeded" if code == 0 else "Failed"
        state.save_pod(pod)
        return 0
    removed()
    if temp_ns is not None:
        state.drop_namespace(temp_ns)
        if not quiet:
            _fail(f"Temporary namespace {temp_ns} was removed.", 0)
    if code != 0:
        return _fail("error: non-zero exit code from debug container")
    return 0


def _stream(proc: Any, pod_file: str, node: str, name: str) -> bool:
    """Copy the container's stdout through until it ends; True when the pod was deleted by
    someone else meanwhile (checked every 0.2 s, as a watch would report it)."""
    import select

    out = sys.stdout.buffer
    fd = proc.stdout.fileno()
    deleted = False
    while True:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                return deleted
            out.write(chunk)
            out.flush()
        elif not deleted and not os.path.exists(pod_file):
            deleted = True
            kill_pod(node, name)  # the runtime kills the container; its output ends


def main(tool: str, argv: list[str]) -> int:
    state = State()
    state.log(tool, argv)
    args = Args(argv)
    sub = args.words[0] if args.words else ""
    if sub == "debug":
        return run_debug(tool, state, args)
    if sub == "get" and len(args.words) > 1 and args.words[1] in ("pod", "pods"):
        return cmd_get_pods(state, args)
    if sub == "delete" and len(args.words) > 2:
        return cmd_delete(state, args)
    if sub == "whoami" and tool == "oc":
        error = _auth_error(tool, None)
        if error is not None:
            return error
        print(_env("USER", "kube:admin"))
        return 0
    return _fail(f'error: unknown command "{sub}" for "{tool}" (stand-in)')
