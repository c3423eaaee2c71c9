"""Security and failure paths of `verify --via ssh` against the lab's real nodes.

Host keys, client keys, hung and stopped nodes and ProxyJump chains are exercised against
real OpenSSH servers on real bonded guests, through bondcheck's own SSH transport. Every test
keeps at least one node reachable and asserts it is still judged: one bad node must never
spoil the verdicts of the others. The test that stops a node is last, and boots it again.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.lab.harness import Lab
from tests.lab.sshconn import keygen
from tests.sshd.env import sshd_environment
from tests.sshd.fixtures import require_sshd

from .livekit import (
    HEALTHY,
    NODES,
    Picture,
    arrange,
    by_node,
    known_hosts_by_node,
    lab_host_options,
    partner_macs,
    restore_healthy,
    run_in_process,
    run_subprocess,
    switch_mac,
    verify_args,
    write_ssh_config,
)


def _healthy(lab: Lab, nodes: tuple[str, ...] = NODES) -> None:
    arrange(lab, {n: Picture(HEALTHY) for n in nodes})


def _judged(node: dict[str, object], index: int) -> None:
    """The node passed, read from its own kernel (its own switch is its LACP partner)."""
    assert node["status"] == "pass", node
    assert partner_macs(node) == {switch_mac(index)}, node


def _fingerprint(public_line: str, tmp_path: Path) -> str:
    """ssh-keygen's own SHA256 fingerprint of a known_hosts line's key."""
    keyfile = tmp_path / "fp.pub"
    keyfile.write_text(" ".join(public_line.split()[1:3]) + "\n")
    out = subprocess.run(["ssh-keygen", "-l", "-f", str(keyfile)], capture_output=True,
                         text=True, check=True, timeout=30).stdout  # fmt: skip
    return out.split()[1]


def test_unknown_and_changed_host_keys_are_refused_and_accept_new_records(
    lab: Lab, tmp_path: Path
) -> None:
    """known_hosts without worker-0 and with a wrong key for worker-1's address: worker-0 is
    refused as unknown (with the key's fingerprint and the way out), worker-1 as CHANGED,
    worker-2 is judged, exit 3, and the file is untouched. With --accept-new-host-keys
    worker-0's key is recorded (exactly the lab's key line) and worker-0 judged, while the
    changed key of worker-1 is still refused and never overwritten."""
    _healthy(lab)
    lines = known_hosts_by_node(lab)
    w0_name, w0_type, w0_blob = lines["worker-0"].split()
    w1_name = lines["worker-1"].split()[0]
    known_hosts = tmp_path / "known_hosts"
    known_hosts.write_text(f"{w1_name} {w0_type} {w0_blob}\n{lines['worker-2']}\n")
    before = known_hosts.read_text()
    args = verify_args(lab.ssh_config_path, NODES, extra=["--known-hosts", str(known_hosts)])

    refused = run_in_process(args)
    assert refused.code == 3, refused.output
    got = by_node(refused.report())
    assert got["worker-0"]["status"] == "error"
    error0 = got["worker-0"]["error"]
    assert f"host key for {w0_name} is not known" in error0
    assert "--accept-new-host-keys" in error0
    assert _fingerprint(lines["worker-0"], tmp_path) in error0
    assert got["worker-1"]["status"] == "error"
    error1 = got["worker-1"]["error"]
    assert f"host key for {w1_name} has CHANGED" in error1
    assert f"{known_hosts}:1" in error1 and "man-in-the-middle" in error1
    assert _fingerprint(lines["worker-1"], tmp_path) in error1  # what the server offered
    _judged(got["worker-2"], 2)
    assert known_hosts.read_text() == before

    accepted = run_in_process([*args, "--accept-new-host-keys"])
    assert accepted.code == 3, accepted.output
    got = by_node(accepted.report())
    _judged(got["worker-0"], 0)
    assert got["worker-1"]["status"] == "error"
    assert "has CHANGED" in got["worker-1"]["error"]
    _judged(got["worker-2"], 2)
    assert known_hosts.read_text() == before + f"{w0_name} {w0_type} {w0_blob}\n"


def test_a_wrong_client_key_fails_authentication_without_leaking_key_material(
    lab: Lab, tmp_path: Path
) -> None:
    """worker-0's IdentityFile is a key the node does not authorize: worker-0 is an error
    naming the failed login, worker-1 is judged, exit 3, and no private key text (neither
    the rejected key nor the lab's working one) appears anywhere in the output."""
    _healthy(lab, ("worker-0", "worker-1"))
    wrong = tmp_path / "id_wrong"
    keygen(wrong, "not-authorized")
    config = write_ssh_config(
        tmp_path / "ssh_config",
        {
            "worker-0": {**lab_host_options(lab, "worker-0"), "IdentityFile": wrong},
            "worker-1": lab_host_options(lab, "worker-1"),
        },
    )
    run = run_in_process(verify_args(config, ["worker-0", "worker-1"]))
    assert run.code == 3, run.output
    got = by_node(run.report())
    assert got["worker-0"]["status"] == "error"
    assert "authentication failed for root@127.0.0.1" in got["worker-0"]["error"]
    _judged(got["worker-1"], 1)
    secrets = [
        line
        for key in (wrong, lab.key_path)
        for line in key.read_text().splitlines()
        if line and not line.startswith("-----")
    ]
    assert secrets
    assert not [s for s in secrets if s in run.output]
    assert "PRIVATE KEY" not in run.output


def test_proxyjump_chains_reach_real_bonded_nodes(lab: Lab, tmp_path: Path) -> None:
    """Two real ProxyJump chains to real bonded kernels, judged in one call.

    The guests cannot reach each other or the host: QEMU's user network runs with
    restrict=on, so the guest-to-guest chain "worker-1 via worker-0" is not possible in this
    lab (a connection from a guest to 10.0.2.2 is refused). What is possible, and used:

    * a loopback OpenSSH server (tests/sshd) as the bastion in front of lab nodes: worker-1
      is reached through it. The bastion only permits forwarding to worker-1's address
      (PermitOpen), so worker-2, configured behind the same bastion, is refused by the
      bastion itself - proof that the traffic really goes through it, where a direct dial
      would have succeeded. The bastion is logged into once for both (a shared connection).
    * a lab node as the jump host: "worker-0-inner" is 127.0.0.1:22 as seen from inside
      worker-0, so its connection is a direct-tcpip channel opened by worker-0's real sshd to
      itself. Nothing listens on the test machine's port 22, so a direct dial could not work.
    """
    require_sshd()
    _healthy(lab)
    lines = known_hosts_by_node(lab)
    _, w0_type, w0_blob = lines["worker-0"].split()
    w1, w2 = lab.node("worker-1"), lab.node("worker-2")
    permit = f"PermitOpen {w1.host}:{w1.port}"
    with sshd_environment(tmp_path / "bastion", extra_config=permit) as bastion:
        known_hosts = tmp_path / "known_hosts"
        known_hosts.write_text(
            "\n".join([*lines.values(), bastion.host_key_line, f"127.0.0.1 {w0_type} {w0_blob}"])
            + "\n"
        )

        def lab_opts(node: str) -> dict[str, object]:
            return lab_host_options(lab, node, known_hosts)

        config = write_ssh_config(
            tmp_path / "ssh_config",
            {
                "bastion": {
                    "HostName": bastion.host,
                    "Port": bastion.port,
                    "User": bastion.user,
                    "IdentityFile": bastion.client_key.path,
                    "IdentitiesOnly": "yes",
                    "UserKnownHostsFile": known_hosts,
                    "StrictHostKeyChecking": "yes",
                },
                "worker-1": {**lab_opts("worker-1"), "ProxyJump": "bastion"},
                "worker-2": {**lab_opts("worker-2"), "ProxyJump": "bastion"},
                "worker-0": lab_opts("worker-0"),
                "worker-0-inner": {
                    **lab_opts("worker-0"),
                    "HostName": "127.0.0.1",
                    "Port": 22,
                    "ProxyJump": "worker-0",
                },
            },
        )
        run = run_in_process(verify_args(config, ["worker-1", "worker-2", "worker-0-inner"]))
        bastion_log = bastion.server.log()
    assert run.code == 3, run.output
    got = by_node(run.report())
    _judged(got["worker-1"], 1)
    _judged(got["worker-0-inner"], 0)
    assert got["worker-2"]["status"] == "error"
    assert f"the jump host could not connect to {w2.host}:{w2.port}" in got["worker-2"]["error"]
    assert bastion_log.count("Accepted publickey for") == 1, bastion_log


def test_hung_and_stopped_nodes_are_errors_while_the_others_are_judged(lab: Lab) -> None:
    """worker-1's sshd is frozen (SIGSTOP: TCP still connects, no banner ever comes - a hung
    node) and worker-2 is powered off (lab.stop_node). As a real process with --timeout 15:
    worker-1 times out with the timeout in the message, worker-2 is refused, worker-0 is
    judged, exit 3 because nothing failed, stderr holds one-line notes and no traceback, and
    the hung node holds the run for its timeout, not for the default 60 s.

    Why not a tiny --timeout against a healthy node: the CLI refuses values below 1 s, and
    whether a TCG guest finishes its handshake within 1 s depends on the machine's load. A
    frozen sshd times out deterministically; the timeout is generous so that worker-0 is
    judged even on a loaded machine (the same timeout applies to every node). A dead-man
    `kill -CONT` in the guest resumes sshd after 120 s even if this test's connection were
    lost."""
    _healthy(lab)
    freeze = (
        'pid=$(cat /run/sshd.pid); kill -STOP "$pid" || exit 1; '
        '( sleep 120; kill -CONT "$pid" ) >/dev/null 2>&1 </dev/null &'
    )
    w2 = lab.node("worker-2")
    try:
        lab.check("worker-1", freeze, mutates=False)
        lab.stop_node("worker-2")
        run = run_subprocess(verify_args(lab.ssh_config_path, NODES, extra=["--timeout", "15"]))
    finally:
        lab.check("worker-1", "kill -CONT $(cat /run/sshd.pid)", mutates=False)
        restore_healthy(lab, ["worker-2"])
    assert run.code == 3, run.output
    got = by_node(run.report())
    _judged(got["worker-0"], 0)
    assert got["worker-1"]["status"] == "error"
    assert got["worker-1"]["error"] == "worker-1: timed out after 15s"
    assert got["worker-2"]["status"] == "error"
    assert f"connection to {w2.host}:{w2.port} refused" in got["worker-2"]["error"]
    assert "Traceback" not in run.stderr
    assert all(ln.startswith("bondcheck: ") for ln in run.stderr.splitlines() if ln.strip())
    assert run.seconds < 55, f"the run took {run.seconds:.0f} s"
    # and the node is back, healthy, for whatever runs next
    assert lab.alive("worker-2") and lab.current_scenario("worker-2") == HEALTHY
