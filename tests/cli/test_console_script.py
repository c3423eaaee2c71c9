"""The installed ``bondcheck`` console script, run as a user runs it (a real process).

Also proves the start-up promise: ``--version``, ``parse`` and offline ``verify`` never
import kubernetes or paramiko (``python -X importtime`` lists every module a run imports).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bondcheck import __version__

from . import scenarios

HEAVY = ("kubernetes", "paramiko")


def _command() -> list[str]:
    """The console script next to this interpreter (a venv), else on PATH, else -m."""
    script = Path(sys.executable).with_name("bondcheck")
    if script.exists():
        return [str(script)]
    found = shutil.which("bondcheck")
    return [found] if found else [sys.executable, "-m", "bondcheck"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDCHECK_")}
    for key in ("NO_COLOR", "FORCE_COLOR"):
        env.pop(key, None)
    env.update(extra)
    return env


def _run(*args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(**env),
        timeout=120,
        check=False,
    )


_PROBE = """
import json, sys
from bondcheck.cli.app import run
code = run(sys.argv[1:])
sys.stdout = sys.__stdout__
print("@@MODULES@@" + json.dumps(sorted(sys.modules)))
"""


def _imported(*args: str, tmp_path: Path) -> set[str]:
    """Every module a bondcheck run with ``args`` imported (checked in a fresh interpreter),
    plus their top-level packages."""
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("@@MODULES@@"))
    modules = set(json.loads(line.removeprefix("@@MODULES@@")))
    assert "bondcheck.cli.app" in modules  # the probe really ran bondcheck
    return modules | {m.split(".")[0] for m in modules}


@pytest.fixture(scope="module")
def demo_like(tmp_path_factory):
    root = tmp_path_factory.mktemp("capture")
    return scenarios.build(root, {"worker-0": "healthy", "worker-1": "no-partner"})


def test_version_from_the_console_script():
    proc = _run("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"bondcheck {__version__}\n"


def test_verify_json_from_the_console_script(demo_like):
    proc = _run("verify", "--policy-file", str(scenarios.POLICY), "--from-dir", str(demo_like),
                "-o", "json")  # fmt: skip
    assert proc.returncode == 1
    data = json.loads(proc.stdout)
    assert data["summary"]["fail"] == 1 and data["summary"]["pass"] == 1
    assert "2 nodes checked" in proc.stderr


def test_malformed_input_is_one_line_and_exit_2():
    proc = _run("parse", "-", stdin="definitely not\nbonding output\n")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("bondcheck: error: ")


def test_usage_error_is_one_line_and_exit_2():
    proc = _run("verify", "--no-such-flag")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1
    assert "No such option: --no-such-flag" in proc.stderr


def test_no_color_is_honoured_by_the_real_process(demo_like):
    args = ("verify", "--policy-file", str(scenarios.POLICY), "--from-dir", str(demo_like))
    coloured = _run(*args, FORCE_COLOR="1")
    assert "\x1b[" in coloured.stdout and "31m" in coloured.stdout  # red FAIL
    plain = _run(*args, FORCE_COLOR="1", NO_COLOR="1")
    assert "31m" not in plain.stdout and "32m" not in plain.stdout
    piped = _run(*args)
    assert "\x1b[" not in piped.stdout  # not a terminal: no escape codes at all


def test_version_imports_nothing_heavy(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bondcheck", "--version"],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0 and proc.stdout == f"bondcheck {__version__}\n"
    names = {ln.rsplit("|", 1)[1].strip().split(".")[0] for ln in proc.stderr.splitlines()
             if ln.startswith("import time:") and "|" in ln}  # fmt: skip
    assert "bondcheck" in names
    assert not names & {*HEAVY, "typer", "rich", "yaml"}


def test_parse_imports_neither_kubernetes_nor_paramiko(tmp_path):
    text = tmp_path / "bond0"
    text.write_text(scenarios.healthy_text())
    names = _imported("parse", str(text), "-o", "json", tmp_path=tmp_path)
    assert not names & {*HEAVY, "rich"}  # JSON output needs no terminal rendering
    # Only the parse command is built: the other subcommands' modules stay unloaded.
    assert "typer" in names and "bondcheck.cli.parse" in names
    assert not {"bondcheck.cli.verify", "bondcheck.cli.failover", "bondcheck.run"} & names


def test_offline_verify_imports_neither_kubernetes_nor_paramiko(tmp_path, demo_like):
    args = ("verify", "--policy-file", str(scenarios.POLICY), "--from-dir", str(demo_like))
    names = _imported(*args, tmp_path=tmp_path)
    assert not names & set(HEAVY)
    assert not _imported(*args, "-o", "junit", tmp_path=tmp_path) & {*HEAVY, "rich"}


def test_shell_completion_completes_commands_and_choices(tmp_path):
    """bash completion as the shell asks for it (Typer's protocol): commands, then choices."""

    def complete(words: str, cword: int) -> list[str]:
        env = {**_env(), "_BONDCHECK_COMPLETE": "complete_bash", "COMP_WORDS": words,
               "COMP_CWORD": str(cword)}  # fmt: skip
        proc = subprocess.run(
            [sys.executable, "-m", "bondcheck"], capture_output=True, text=True, env=env,
            cwd=tmp_path, timeout=120, check=False,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.split()

    assert complete("bondcheck ver", 1) == ["verify"]
    assert complete("bondcheck verify --via ", 3) == [
        "ssh", "oc-debug", "kubectl-debug", "handler-exec", "nns", "capture",
    ]  # fmt: skip


def test_the_wheel_ships_the_license_and_the_kubectl_and_oc_plugins(tmp_path):
    """Built as pip builds it: the LICENSE file and the three console scripts are in it."""
    import zipfile

    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(root)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    [wheel] = tmp_path.glob("bondcheck-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    scripts = zipfile.ZipFile(wheel).read(entry).decode()
    for script in ("bondcheck", "kubectl-bondcheck", "oc-bondcheck"):
        assert f"{script} = bondcheck.cli.app:main" in scripts


def test_kubectl_runs_bondcheck_as_a_plugin(tmp_path):
    """The real kubectl finds kubectl-bondcheck on PATH and runs it (its plugin convention)."""
    kubectl = shutil.which("kubectl")
    plugin = Path(sys.executable).parent / "kubectl-bondcheck"
    if kubectl is None or not plugin.exists():
        why = "needs kubectl on PATH and bondcheck installed with its console scripts"
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)
    env = {**_env(), "PATH": f"{plugin.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run(
        [kubectl, "bondcheck", "verify", "--bogus"], capture_output=True, text=True, env=env,
        cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "(see 'kubectl bondcheck verify --help')" in proc.stderr
