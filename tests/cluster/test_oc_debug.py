"""oc-debug against the ``oc`` stand-in: argv, quiet output, errors, timeouts and cleanup."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from standins.fixtures import DebugCli, serve_bonding

from bondcheck.errors import CollectError, InputError
from bondcheck.model import NodeTarget
from bondcheck.transport.oc_debug import OcDebugTransport, sanitized_node
from bondcheck.transport.options import TransportOptions

PROCFS = Path(__file__).resolve().parents[2] / "fixtures" / "procfs" / "corpus"
BOND_TEXT = (PROCFS / "ubuntu-6.8-8023ad-root-healthy-partner-fast-state63.txt").read_text()
TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def bonding_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return serve_bonding(tmp_path, monkeypatch, BOND_TEXT)


def oc(**opts: str) -> OcDebugTransport:
    return OcDebugTransport(TransportOptions(**opts))  # type: ignore[arg-type]


def test_collect_runs_quiet_oc_debug_and_parses_the_script(
    debug_cli: DebugCli, bonding_dir: Path
) -> None:
    ev = oc(kubeconfig="/tmp/kc", context="admin").collect(
        NodeTarget("worker-0"), ["bond0", "bond1"], timeout=20
    )
    assert ev.bonds == {"bond0": BOND_TEXT, "bond1": None}
    assert ev.transport == "oc-debug" and ev.kernel == os.uname().release
    (argv,) = debug_cli.calls()
    assert argv[:7] == [
        "--kubeconfig",
        "/tmp/kc",
        "--context",
        "admin",
        "debug",
        "-q",
        "node/worker-0",
    ]
    assert argv[7:12] == ["--", "chroot", "/host", "sh", "-c"]
    assert "/proc/net/bonding/bond0" in argv[12]
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []  # oc cleaned up itself


def test_namespace_and_image_are_passed(debug_cli: DebugCli, bonding_dir: Path) -> None:
    oc(to_namespace="bondcheck-debug", image="mirror.local/support-tools:4.16").collect(
        NodeTarget("worker-1"), ["bond0"], timeout=20
    )
    (argv,) = debug_cli.calls()
    assert argv[:7] == [
        "debug",
        "-q",
        "node/worker-1",
        "--to-namespace",
        "bondcheck-debug",
        "--image",
        "mirror.local/support-tools:4.16",
    ]


def test_chatter_on_stderr_is_ignored(debug_cli: DebugCli, bonding_dir: Path) -> None:
    class Chatty(OcDebugTransport):
        def debug_argv(self, node: str, script: str) -> list[str]:
            argv = super().debug_argv(node, script)
            argv.remove("-q")
            return argv

    ev = Chatty(TransportOptions()).collect(NodeTarget("worker-0"), ["bond0"], timeout=20)
    assert ev.bonds["bond0"] == BOND_TEXT


@pytest.mark.parametrize(
    ("line", "chatter"),
    [
        ("Starting pod/ip-10-0-18-226ec2internal-debug-rtfr8 ...", True),
        ("To use host binaries, run `chroot /host`", True),
        ("To use host binaries, run chroot /host", True),  # markdown-mangled corpus copy
        ("Temporary namespace openshift-debug-qtf5q was removed.", True),
        ("Removing debug pod ...", True),
        ("If you dont see a command prompt, try pressing enter.", True),
        ("error: non-zero exit code from debug container", False),
    ],
)
def test_chatter_lines_from_the_corpus(line: str, chatter: bool) -> None:
    assert OcDebugTransport.is_chatter(line) is chatter


def test_unreadable_bond_reports_the_scripts_own_status(
    debug_cli: DebugCli, bonding_dir: Path
) -> None:
    (bonding_dir / "bond1").mkdir()  # exists, but cat fails
    with pytest.raises(
        CollectError,
        match=r"^worker-0: reading /proc/net/bonding/bond1 "
        r"failed \(rc=1\)$",
    ):
        oc().collect(NodeTarget("worker-0"), ["bond1"], timeout=20)


@pytest.mark.parametrize(
    ("env", "node", "message"),
    [
        (
            {"AUTH": "unauthorized"},
            "worker-0",
            "worker-0: not logged in: run `oc login` (the API server rejected the credentials)",
        ),
        (
            {"AUTH": "forbidden"},
            "worker-0",
            "worker-0: forbidden: developer cannot get nodes at the cluster scope",
        ),
        (
            {"AUTH": "forbidden-scc"},
            "worker-0",
            "worker-0: forbidden: the debug pod needs the privileged SCC (cluster-admin, or "
            "`oc adm policy add-scc-to-user privileged <user>`)",
        ),
        (
            {"AUTH": "forbidden-namespace", "USER": "netops"},
            "worker-0",
            "worker-0: forbidden: netops cannot create namespaces at the cluster scope; pass "
            "--to-namespace with a namespace labelled "
            "pod-security.kubernetes.io/enforce=privileged",
        ),
        ({"NODES": "worker-0,worker-1"}, "worker-9", "worker-9: node worker-9 not found"),
    ],
)
def test_oc_failures_become_one_line(
    debug_cli: DebugCli, env: dict[str, str], node: str, message: str
) -> None:
    debug_cli.set(**env)
    with pytest.raises(CollectError) as err:
        oc().collect(NodeTarget(node), ["bond0"], timeout=20)
    assert str(err.value) == message
    assert err.value.exit_code == 3


def test_missing_oc_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    transport = oc()
    with pytest.raises(CollectError) as err:
        transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=5)
    assert str(err.value) == "oc not found on PATH; install the OpenShift CLI or use --via ssh"
    with pytest.raises(InputError, match=r"^oc not found on PATH"):
        transport.preflight()


def test_invalid_node_name_never_reaches_oc(debug_cli: DebugCli) -> None:
    with pytest.raises(InputError):
        oc().collect(NodeTarget("worker-0;reboot"), ["bond0"], timeout=5)
    with pytest.raises(InputError):
        oc().collect(NodeTarget("--as=system:admin"), ["bond0"], timeout=5)
    assert debug_cli.calls() == []


def test_timeout_kills_oc_and_removes_its_pod_and_namespace(debug_cli: DebugCli) -> None:
    debug_cli.set(HANG_NODES="worker-2")
    start = time.monotonic()
    with pytest.raises(CollectError) as err:
        oc().collect(NodeTarget("worker-2"), ["bond0"], timeout=1.5)
    assert time.monotonic() - start < 10
    assert str(err.value) == "worker-2: oc debug gave no result within 1.5s; debug pod removed"
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []
    calls = debug_cli.calls()
    assert calls[1] == [
        "get",
        "pods",
        "--all-namespaces",
        "-l",
        "debug.openshift.io/managed-by=oc-debug",
        "-o",
        "json",
    ]
    assert calls[2][:3] == [
        "delete",
        "pod",
        f"{sanitized_node('worker-2')}-debug-" + calls[2][2][-5:],
    ]
    assert calls[3][:3] == ["delete", "namespace", calls[2][4]]


def test_timeout_cleanup_spares_other_debug_pods(debug_cli: DebugCli) -> None:
    # Somebody else's `oc debug node/worker-2` session is running in the same namespace.
    debug_cli.set(HANG_NODES="worker-2", HANG_SECONDS="60")
    other = subprocess.Popen(
        [
            "oc",
            "debug",
            "node/worker-2",
            "--to-namespace",
            "ops",
            "--",
            "chroot",
            "/host",
            "sh",
            "-c",
            "sleep 60",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while not debug_cli.pods() and time.monotonic() < deadline:
            time.sleep(0.05)
        (theirs,) = debug_cli.pods()
        with pytest.raises(CollectError):
            oc(to_namespace="ops").collect(NodeTarget("worker-2"), ["bond0"], timeout=1)
        assert debug_cli.pods() == [theirs]
    finally:
        other.kill()
        other.wait()


def test_close_from_another_thread_stops_and_cleans_up(debug_cli: DebugCli) -> None:
    debug_cli.set(HANG_NODES="worker-0,worker-1")
    transport = oc(to_namespace="bondcheck")
    errors: list[BaseException] = []

    def work(node: str) -> None:
        try:
            transport.collect(NodeTarget(node), ["bond0"], timeout=60)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("worker-0", "worker-1")]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while len(debug_cli.pods()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(debug_cli.pods()) == 2
    transport.close()  # what the CLI does on Ctrl-C / SIGTERM
    for thread in threads:
        thread.join(10)
    assert sorted(str(e) for e in errors) == [
        "worker-0: interrupted; oc debug stopped",
        "worker-1: interrupted; oc debug stopped",
    ]
    assert debug_cli.pods() == []


def test_sigterm_to_bondcheck_cleans_up(debug_cli: DebugCli, tmp_path: Path) -> None:
    """A process that turns SIGTERM into KeyboardInterrupt (as the CLI does) leaves no pod."""
    debug_cli.set(HANG_NODES="worker-0")
    driver = tmp_path / "driver.py"
    driver.write_text(
        textwrap.dedent(f"""
        import signal, sys
        sys.path.insert(0, {str(TESTS)!r})
        from bondcheck.model import NodeTarget
        from bondcheck.transport.oc_debug import OcDebugTransport
        from bondcheck.transport.options import TransportOptions

        def interrupt(signum, frame):
            raise KeyboardInterrupt
        signal.signal(signal.SIGTERM, interrupt)
        transport = OcDebugTransport(TransportOptions(to_namespace="bondcheck"))
        try:
            transport.collect(NodeTarget("worker-0"), ["bond0"], timeout=120)
        except KeyboardInterrupt:
            print("interrupted", flush=True)
            sys.exit(130)
    """)
    )
    proc = subprocess.Popen([sys.executable, str(driver)], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 20
    while not debug_cli.pods() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(debug_cli.pods()) == 1
    proc.send_signal(signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert (proc.returncode, out) == (130, "interrupted\n")
    assert debug_cli.pods() == []


def test_ten_nodes_in_parallel(debug_cli: DebugCli, bonding_dir: Path) -> None:
    debug_cli.set(LATENCY="0.5")
    transport = oc(to_namespace="bondcheck")
    nodes = [f"worker-{i}" for i in range(10)]
    results: dict[str, str | None] = {}

    def work(node: str) -> None:
        results[node] = transport.collect(NodeTarget(node), ["bond0"], timeout=30).bonds["bond0"]

    start = time.monotonic()
    threads = [threading.Thread(target=work, args=(n,)) for n in nodes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    elapsed = time.monotonic() - start
    assert results == dict.fromkeys(nodes, BOND_TEXT)
    assert elapsed < 10  # serially this would take > 10 * 0.5 s plus ten oc start-ups
    assert debug_cli.pods() == []


def test_failover_shell_runs_commands_and_its_timeout_removes_its_pod(debug_cli: DebugCli) -> None:
    """The failover's debug-pod shell goes through the same run_debug as collect: output comes
    back, and on a timeout the pod carrying this command's own nonce is found and deleted."""
    from bondcheck.failover.shells import DebugPodShell

    shell = DebugPodShell(oc(), "worker-0")
    rc, out, _ = shell.run("echo pulled; echo more", timeout=20)
    assert rc == 0 and out.splitlines()[-2:] == ["pulled", "more"]
    assert debug_cli.pods() == []

    debug_cli.set(HANG_NODES="worker-2")
    with pytest.raises(CollectError, match=r"no result within 1\.5s; debug pod removed"):
        DebugPodShell(oc(), "worker-2").run("sleep 30", timeout=1.5)
    assert debug_cli.pods() == [] and debug_cli.namespaces() == []
    debug_calls = [c for c in debug_cli.calls() if "debug" in c and "node/worker-2" in c]
    assert debug_calls and debug_calls[-1][-1].startswith(": bondcheck-")


def test_failover_script_cut_short_in_its_debug_pod_says_why(debug_cli: DebugCli) -> None:
    """A failover script whose output stops before its last marker was killed with its pod:
    the error names that, not the CLI's chatter (pod deletion itself is shown on real
    kernels in tests/failover/test_lab_systemd_failover.py)."""
    from bondcheck.failover.node import RootShell, Script
    from bondcheck.failover.shells import EARLY_END, DebugPodShell

    root = RootShell(DebugPodShell(oc(), "worker-0"), "worker-0")
    whole = Script("0123abcd")
    whole.section("x", "echo one")
    assert whole.nonce and root.sections(whole, 20)["x"].text.strip() == "one"
    cut = Script("0123abcd")
    cut.section("x", "echo one")
    cut.add("kill -KILL $$")  # dies before its done marker, as a killed container does
    with pytest.raises(CollectError) as caught:
        root.sections(cut, 20)
    message = str(caught.value)
    assert message.startswith("worker-0: script output ended early (rc=1: the command ended ")
    assert EARLY_END in message
    assert debug_cli.pods() == []
