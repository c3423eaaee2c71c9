"""The node-side scripts: validation, quoting, order of steps, and shell syntax.

Every generated script is checked by the real POSIX shell parser (``sh -n``), and the
restore timer is exercised for real in a network namespace when the machine allows it
(root and ``ip netns``): arm, pull, fire after N seconds, or disarm.
"""

from __future__ import annotations

import os
import shlex
import subprocess

import pytest

from bondcheck.failover import deadman
from bondcheck.failover.deadman import PingSpec, PullSpec
from bondcheck.failover.node import Script, shell_command
from bondcheck.failover.target import target_script

PING = PingSpec("192.168.100.1", interval_s=0.01, timestamps=True, numeric=True)


def spec(**kw: object) -> PullSpec:
    base: dict[str, object] = dict(
        token="0123abcd", base_dir="/run/bondcheck", bond="bond0", port="ens224",
        restore_after=30, pull_seconds=5, ping=PING, watch=("ens224", "ens256"),
    )  # fmt: skip
    base.update(kw)
    return PullSpec(**base)  # type: ignore[arg-type]


def sh_syntax_ok(text: str) -> None:
    proc = subprocess.run(["sh", "-n"], input=text, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


@pytest.mark.parametrize(
    "field",
    [
        {"port": "ens224;reboot"},
        {"port": "a b"},
        {"port": "$(id)"},
        {"port": "averyveryverylongname"},
        {"bond": "bond0'"},
        {"watch": ("ens224", "x`id`")},
        {"token": "XYZ"},
        {"base_dir": "/run/../etc"},
        {"base_dir": "relative"},
        {"base_dir": "/run/bond check"},
        {"netns": "sw;x"},
        {"restore_after": 0},
        {"pull_seconds": 30},  # not shorter than the restore timer
        {"ping": PingSpec("192.168.100.1; reboot")},
        {"ping": PingSpec("gateway.example.com")},
    ],
)
def test_invalid_values_never_reach_a_script(field: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        spec(**field)


def test_target_is_canonicalised() -> None:
    assert deadman.checked_target(" 2001:DB8::1 ") == "2001:db8::1"
    assert PING.argv(deadline_s=9) == ["ping", "-n", "-D", "-i", "0.01", "-w", "9", "192.168.100.1"]
    busybox = PingSpec("10.0.0.1", interval_s=0.2, timestamps=False, numeric=False)
    assert busybox.command(count=3) == "ping -i 0.2 -c 3 10.0.0.1"


def test_pull_arms_before_it_pulls_in_one_script() -> None:
    text = deadman.pull_script(spec(), "abc123").text()
    sh_syntax_ok(text)
    arm = text.index("setsid /bin/sh /run/bondcheck/failover-0123abcd/restorer")
    check = text.index('if [ -z "$ARMED" ]; then undo; fail')
    probe = text.index("ping -n -D -i 0.01 -w 120 192.168.100.1")
    pull = text.index("ip link set dev ens224 down")
    assert arm < check < probe < pull
    assert (
        "ip link set dev ens224 up" not in text.split(deadman.EOF_MARK)[-1]
    )  # restore is separate
    assert text.count("ip link set dev ens224 down") == 1
    assert "systemd-run --quiet --unit=bondcheck-restore-0123abcd --on-active=30s" in text
    assert "AccuracySec=100ms" in text  # the default accuracy is a minute


def test_lock_is_taken_atomically_before_anything_else() -> None:
    text = deadman.pull_script(spec(), "abc123").text()
    assert text.index("mkdir /run/bondcheck/lock") < text.index("cat > /run/bondcheck/failover-")


def test_restore_files() -> None:
    restore = deadman.restore_file(spec())
    sh_syntax_ok(restore)
    assert "if ip link set dev ens224 up; then ok=yes; break; fi" in restore
    assert "rm -rf /run/bondcheck/lock" in restore
    restorer = deadman.restorer_file(spec(restore_after=17))
    sh_syntax_ok(restorer)
    assert "trap '' INT QUIT PIPE" in restorer
    assert "sleep 17 & s=$!" in restorer
    assert restorer.rstrip().endswith("exec /bin/sh /run/bondcheck/failover-0123abcd/restore")


def test_switch_side_pull_in_a_netns() -> None:
    s = spec(netns="switch", device="sw-ens224")
    assert s.link_command("down") == "ip -n switch link set dev sw-ens224 down"
    assert "ip -n switch link set dev sw-ens224 up" in deadman.restore_file(s)


def test_ephemeral_transport_variant() -> None:
    text = deadman.pull_script(spec(require_systemd=True, probe_detached=False), "ab").text()
    sh_syntax_ok(text)
    assert 'if [ "$HAVE_SYSTEMD" != 1 ]; then undo; fail' in text
    assert "ping -n -D -i 0.01 -w 7 192.168.100.1" in text  # ends with the pull (0.5 + 5 + 1)
    assert "begin probe@@" in text


@pytest.mark.parametrize("disarm", [True, False])
def test_other_scripts_parse(disarm: bool) -> None:
    s = spec()
    for script in (
        deadman.restore_script(s, "ab12", 10, 0.1),
        deadman.sample_script(s, "ab12", 10, 0.1),
        deadman.finish_script(s, "ab12", disarm=disarm, tail_s=1.0),
        target_script("192.168.100.1", "ab12"),
    ):
        sh_syntax_ok(script.text())
    finish = deadman.finish_script(s, "ab12", disarm=disarm).text()
    assert ("kill -USR1" in finish) is disarm  # never TERM: a session stop must restore
    assert ("rm -rf /run/bondcheck/failover-0123abcd" in finish) is disarm


def test_command_round_trips_through_the_remote_shell() -> None:
    text = deadman.pull_script(spec(), "abc123").text()
    for sudo in (False, True):
        words = shlex.split(shell_command(text, sudo=sudo))
        assert words[-3:] == ["sh", "-c", text]
        assert (words[:2] == ["sudo", "-n"]) is sudo


def test_script_sections_have_markers_and_an_empty_body_is_valid() -> None:
    s = Script("ab12").section("x")
    sh_syntax_ok(s.text())
    out = subprocess.run(["sh", "-c", s.text()], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == [
        "@@BONDCHECK ab12 begin x@@",
        "",
        "@@BONDCHECK ab12 end x rc=0@@",
        "@@BONDCHECK ab12 done @@",
    ]


@pytest.mark.parametrize(
    ("via", "ephemeral"),
    [("ssh", False), ("handler-exec", True), ("oc-debug", True), ("kubectl-debug", True)],
)
def test_only_ssh_keeps_the_restore_timer_outside_a_pod(via: str, ephemeral: bool) -> None:
    """A pod's processes end with the pod (a debug pod per command, the handler pod with an
    nmstate upgrade or a drain): those transports need the host's systemd timer."""
    from bondcheck.failover.shells import open_shells
    from bondcheck.transport.options import TransportOptions

    shells = open_shells(via, TransportOptions(ssh_config=os.devnull))
    try:
        assert shells.ephemeral is ephemeral
    finally:
        shells.close()
