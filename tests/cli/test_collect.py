"""``bondcheck collect``: evidence saved from live nodes is judged offline exactly as live.

The round trip runs against a real OpenSSH sshd on loopback (tests/sshd): ``verify --via
ssh`` and ``collect --via ssh`` + ``verify --from-dir`` must agree node by node and result by
result. This host has no bonding driver, so bond0 is absent and BOND-PRESENT fails the same
way both times; the ip -j output, the kernel release and the privileged flag make the trip
too. The usage rules (refusing a non-empty --out, bad --via) need no node at all, and the
``--force`` path uses an in-memory transport that returns real kernel text.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace

import pytest

import bondcheck.transport.factory as factory
from bondcheck import __version__
from bondcheck.policy.loader import load_policy_file
from bondcheck.transport.base import Transport
from bondcheck.transport.capture import read_capture

from . import scenarios

LAB_POLICY = scenarios.FIXTURES / "policies" / "lab" / "802.3ad.yaml"


def _one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("bondcheck: error: ") and "Traceback" not in result.stderr
    return lines[0]


def _comparable(report: dict) -> list[tuple]:
    """Per node: name, status, error, and every result field except the transport."""
    return [
        (
            n["node"],
            n["status"],
            n["error"],
            [json.dumps(r, sort_keys=True) for r in n["results"]],
        )
        for n in report["nodes"]
    ]


# --- usage: nothing is collected, nothing is written ------------------------------------


def test_non_empty_out_is_refused_and_left_alone(cli, tmp_path):
    out = tmp_path / "evidence"
    (out / "worker-0").mkdir(parents=True)
    keep = out / "worker-0" / "ip-addr.json"
    keep.write_text("[]")
    result = cli("collect", "--policy-file", str(LAB_POLICY), "--via", "ssh",
                 "--node", "worker-0", "--out", str(out))  # fmt: skip
    assert result.exit_code == 2
    line = _one_error_line(result)
    assert f"--out {out} is not empty (worker-0)" in line and "--force" in line
    assert keep.read_text() == "[]"
    assert sorted(p.name for p in out.iterdir()) == ["worker-0"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--via", "ssh", "--node", "w0"], "say where to write the evidence: --out DIR"),
        (["--out", "OUT", "--node", "w0"], "say how to reach the nodes: --via ssh|"),
        (["--via", "ssh", "--out", "FILE"], "exists and is not a directory"),
        (["--via", "ssh", "--out", "OUT", "--node", "../x"], "node name '../x' must be"),
    ],
)
def test_usage_errors_exit_2_in_one_line(cli, tmp_path, args, expected):
    (tmp_path / "FILE").write_text("x")
    args = [str(tmp_path / a) if a in ("OUT", "FILE") else a for a in args]
    result = cli("collect", "--policy-file", str(LAB_POLICY), *args)
    assert result.exit_code == 2
    assert expected in _one_error_line(result)
    assert not (tmp_path / "OUT").exists()  # a run that collected nothing leaves no dir


def test_capture_is_not_a_way_to_collect(tmp_path, capsys, monkeypatch):
    # Through the console entry point: a bad choice is one line too, exit 2.
    from bondcheck.cli.app import run

    monkeypatch.delenv("BONDCHECK_VIA", raising=False)
    code = run(["collect", "--policy-file", str(LAB_POLICY), "--via", "capture",
                "--out", str(tmp_path / "o")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("bondcheck: error: Invalid value for '--via'")
    assert "'capture' is not one of 'ssh'" in err
    assert not (tmp_path / "o").exists()


def test_a_policy_is_required(cli, tmp_path):
    result = cli("collect", "--via", "ssh", "--node", "w0", "--out", str(tmp_path / "o"))
    assert result.exit_code == 2
    assert "--policy NAME or --policy-file FILE" in _one_error_line(result)


# --- an in-memory transport: --force, what is written, what is printed ---------------------


class TextTransport(Transport):
    """Returns real kernel text per node; ``None`` in ``texts`` means the node is down."""

    name = "handler-exec"
    default_concurrency = 2

    def __init__(self, texts: dict[str, str | None]) -> None:
        self.texts = texts

    def collect(self, target, bonds, timeout):
        from bondcheck.errors import CollectError

        text = self.texts[target.name]
        if text is None:
            raise CollectError(f"{target.name}: connection refused")
        return replace(scenarios.node(target.name, text), transport="ssh", privileged=True)

    def close(self) -> None:
        return None


def test_force_replaces_collected_nodes_and_keeps_other_entries(cli, tmp_path, monkeypatch):
    out = scenarios.build(tmp_path / "cap", {"w0": "missing", "other": "healthy"})
    stale = out / "w0" / "proc" / "net" / "bonding" / "bond9"
    stale.write_text("stale bond file from an earlier capture\n")
    texts = {"w0": scenarios.no_partner_text(), "w1": None}
    monkeypatch.setattr(factory, "make_transport", lambda via, opts: TextTransport(texts))
    result = cli("collect", "--policy-file", str(scenarios.POLICY), "--via", "ssh",
                 "--node", "w0", "--node", "w1", "--out", str(out), "--force")  # fmt: skip
    assert result.exit_code == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[0] == f"bondcheck: [w0] saved {out / 'w0'}: bond0, ip-addr.json"
    assert lines[1] == (
        f"bondcheck: [w1] not collected: w1: connection refused; see {out / 'w1'}/error.txt"
    )
    assert lines[2] == (
        f"bondcheck: evidence of worker-bond-lacp saved in {out}: 1 of 2 nodes, "
        "1 not collected - w1"
    )
    assert not stale.exists()  # the node's own files were replaced, not merged
    assert (out / "other" / "ip-addr.json").is_file()  # another node's evidence is kept
    meta = json.loads((out / "w0" / "meta.json").read_text())
    assert meta["collected_via"] == "ssh" and meta["privileged"] is True
    items = {i.node: i for i in read_capture(out, ["bond0"])}
    assert items["w0"].bonds["bond0"] == scenarios.no_partner_text()  # byte for byte
    assert items["w1"].message == "w1: connection refused"


def test_all_collected_exits_0_and_quiet_prints_nothing(cli, tmp_path, monkeypatch):
    texts = {"w0": scenarios.healthy_text()}
    monkeypatch.setattr(factory, "make_transport", lambda via, opts: TextTransport(texts))
    out = tmp_path / "new" / "evidence"
    result = cli("collect", "--policy-file", str(scenarios.POLICY), "--via", "ssh",
                 "--node", "w0", "--out", str(out), "-q")  # fmt: skip
    assert result.exit_code == 0 and result.stderr == ""
    offline = cli("verify", "--policy-file", str(scenarios.POLICY), "--from-dir", str(out))
    assert offline.exit_code == 0, offline.stdout


# --- the real thing: SSH to a loopback sshd -----------------------------------------------


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from tests.sshd.env import sshd_environment
    from tests.sshd.fixtures import require_sshd

    require_sshd()
    with sshd_environment(tmp_path_factory.mktemp("collect-ssh")) as env:
        yield env


@pytest.fixture
def ssh_args(sshd, tmp_path, monkeypatch) -> list[str]:
    """SSH options reaching two healthy aliases and one stopped node (nothing listens)."""
    from tests.sshd.server import free_port

    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    known = sshd.write_known_hosts(tmp_path / "known_hosts")
    parts = [
        sshd.write_ssh_config(tmp_path / f"{alias}.conf", alias, known).read_text()
        for alias in ("worker-0", "worker-1")
    ]
    down = sshd.write_ssh_config(tmp_path / "down.conf", "worker-down", known).read_text()
    parts.append(down.replace(f"Port {sshd.port}", f"Port {free_port()}"))
    config = tmp_path / "ssh_config"
    config.write_text("".join(parts))
    return ["--via", "ssh", "--ssh-config", str(config), "--connect-timeout", "5"]


def test_collect_then_verify_offline_equals_verify_live(cli, tmp_path, ssh_args):
    nodes = ["--node", "worker-0", "--node", "worker-1"]
    policy = ["--policy-file", str(LAB_POLICY)]
    live = cli("verify", *policy, *nodes, *ssh_args, "-o", "json")
    out = tmp_path / "evidence"
    collected = cli("collect", *policy, *nodes, *ssh_args, "--out", str(out), "-j", "2")
    offline = cli("verify", *policy, "--from-dir", str(out), "-o", "json")

    assert collected.exit_code == 0, collected.stderr
    assert "2 of 2 nodes, 0 not collected" in collected.stderr
    assert sorted(p.name for p in out.iterdir()) == ["policy.yaml", "worker-0", "worker-1"]
    kernel = (out / "worker-0" / "kernel.txt").read_text().strip()
    assert kernel == os.uname().release
    meta = json.loads((out / "worker-0" / "meta.json").read_text())
    assert meta["bonds_absent"] == ["bond0"]
    # Provenance: when, how and by which bondcheck; and the policy it was collected for.
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["collected_at"])
    assert (meta["transport"], meta["bondcheck_version"]) == ("ssh", __version__)
    saved = load_policy_file(str(out / "policy.yaml"))
    assert (saved.name, saved.bonds) == (load_policy_file(str(LAB_POLICY)).name,
                                         load_policy_file(str(LAB_POLICY)).bonds)  # fmt: skip
    again = cli("verify", "--policy-file", str(out / "policy.yaml"), "--from-dir", str(out))
    assert again.exit_code == 1  # the saved policy judges the capture as the original did

    live_report, offline_report = json.loads(live.stdout), json.loads(offline.stdout)
    assert live.exit_code == offline.exit_code == 1
    assert [n["transport"] for n in live_report["nodes"]] == ["ssh", "ssh"]
    assert [n["transport"] for n in offline_report["nodes"]] == ["capture", "capture"]
    assert _comparable(offline_report) == _comparable(live_report)
    # What the round trip preserved is the host's real state: no bond0 on this kernel.
    for n in offline_report["nodes"]:
        fails = {r["check"] for r in n["results"] if r["status"] == "fail"}
        assert fails == {"BOND-PRESENT"}, n["node"]


def test_a_stopped_node_is_recorded_and_offline_verify_exits_3(cli, tmp_path, ssh_args):
    policy = ["--policy-file", str(LAB_POLICY)]
    out = tmp_path / "evidence"
    collected = cli("collect", *policy, "--node", "worker-down", *ssh_args, "--out", str(out),
                    "--timeout", "20")  # fmt: skip
    assert collected.exit_code == 3, collected.stderr
    error = (out / "worker-down" / "error.txt").read_text()
    assert error.endswith("\n") and len(error.splitlines()) == 1
    assert "worker-down" in collected.stderr and "not collected" in collected.stderr
    offline = cli("verify", *policy, "--from-dir", str(out), "-o", "json")
    assert offline.exit_code == 3
    [node] = json.loads(offline.stdout)["nodes"]
    assert node["status"] == "error" and node["results"] == []
    assert node["error"] == error.strip()
