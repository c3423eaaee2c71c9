"""The Typer-free fast path (``bondcheck.cli.fast``) prints exactly what the Typer path prints.

Every argument list of the matrix runs both ways in this process (``run(args)`` and
``run(args, fast=False)``) and stdout, stderr and the exit code must be byte-identical; the
fast path must also really have taken the form (else the comparison would prove nothing).
Forms the fast path does not fully understand must be left to Typer, so help texts and usage
errors stay Typer's. A few checks run the real console script in a child process.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from bondcheck.cli import fast
from bondcheck.cli.app import build_app, run

from . import scenarios

LAB = scenarios.FIXTURES / "captures" / "lab"
CAPTURES = sorted(LAB.glob("*/proc/net/bonding/*"))


@pytest.fixture
def bond_file(tmp_path: Path) -> Path:
    """A healthy bond where the kernel keeps it (the name comes from the path)."""
    path = tmp_path / "proc/net/bonding/bond0"
    path.parent.mkdir(parents=True)
    path.write_text(scenarios.healthy_text())
    return path


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("NO_COLOR", "FORCE_COLOR", "COLUMNS", "_BONDCHECK_COMPLETE"):
        monkeypatch.delenv(key, raising=False)


def _both(capsys, monkeypatch, args: list[str], stdin: str = "") -> tuple[tuple, tuple]:
    """(exit code, stdout, stderr) of the fast path and of the Typer path."""
    outcomes = []
    for use_fast in (True, False):
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = run(args, fast=use_fast)
        out, err = capsys.readouterr()
        outcomes.append((code, out, err))
    return outcomes[0], outcomes[1]


# (argument list with {f} for a bond file, environment, stdin)
MATRIX: list[tuple[list[str], dict[str, str], str]] = [
    (["parse", "{f}"], {}, ""),
    (["parse", "{f}", "-o", "json"], {}, ""),
    (["parse", "{f}", "--output", "table"], {}, ""),
    (["parse", "--output=json", "{f}"], {}, ""),
    (["parse", "-o", "json", "{f}", "--name", "bond7"], {}, ""),
    (["parse", "{f}", "--name=bond9"], {}, ""),
    (["parse", "{f}", "--name", "../x"], {}, ""),
    (["parse", "{f}", "--name="], {}, ""),
    (["parse", "-"], {}, scenarios.healthy_text()),
    (["parse", "-", "-o", "json", "--name", "bond5"], {}, scenarios.healthy_text()),
    (["parse", "-"], {}, "Hello\nworld\n"),
    (["parse", "-"], {}, ""),
    (["parse", "{f}.missing"], {}, ""),
    (["parse", "{d}"], {}, ""),
    (["parse", ""], {}, ""),
    (["--color", "always", "parse", "{f}"], {}, ""),
    (["--color=never", "parse", "{f}"], {"FORCE_COLOR": "1"}, ""),
    (["parse", "{f}", "--color", "always"], {}, ""),
    (["--color", "always", "parse", "{f}", "--color", "never"], {}, ""),
    (["--color", "never", "parse", "{f}"], {"BONDCHECK_COLOR": "always"}, ""),
    (["parse", "{f}"], {"BONDCHECK_COLOR": "always", "COLUMNS": "60"}, ""),
    (["parse", "{f}"], {"FORCE_COLOR": "1"}, ""),
    (["parse", "{f}"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, ""),
    (["parse", "{f}"], {"BONDCHECK_PARSE_OUTPUT": "json"}, ""),
    (["parse", "{f}", "-o", "table"], {"BONDCHECK_PARSE_OUTPUT": "json"}, ""),
    (["parse", "{f}"], {"BONDCHECK_PARSE_OUTPUT": ""}, ""),
    (["parse", "{f}"], {"BONDCHECK_DEBUG": "0"}, ""),
    (["--debug", "parse", "{f}"], {}, ""),
    (["checks"], {}, ""),
    (["checks", "-o", "json"], {}, ""),
    (["--color", "always", "checks"], {}, ""),
    (["checks", "--color", "never", "--output=table"], {"BONDCHECK_CHECKS_OUTPUT": "json"}, ""),
    (["checks"], {"BONDCHECK_CHECKS_OUTPUT": "json"}, ""),
    (["explain", "lacp-partner"], {}, ""),
    (["explain", "EVIDENCE-PARSE"], {}, ""),
    (["explain", "LACP-PARTNR"], {}, ""),
    (["explain", "-"], {}, ""),
    (["--debug", "explain", "bond-mode"], {}, ""),
]


@pytest.mark.parametrize(("template", "env", "stdin"), MATRIX)
def test_fast_and_typer_paths_print_the_same(
    capsys, monkeypatch, bond_file, template, env, stdin
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = [a.format(f=bond_file, d=bond_file.parent) for a in template]
    assert fast.understand(args, os.environ) is not None  # the fast path really runs it
    fast_result, typer_result = _both(capsys, monkeypatch, args, stdin)
    assert fast_result == typer_result
    code, out, err = fast_result
    assert out or err  # each form prints something: equal empty outputs would prove little
    assert code == 0 or (not out and err.startswith("bondcheck: error: ") and err.count("\n") == 1)


@pytest.mark.parametrize("capture", CAPTURES, ids=lambda p: p.parts[-5])
@pytest.mark.parametrize("color", ["always", "never"])
def test_every_lab_capture_renders_the_same_both_ways(capsys, monkeypatch, capture, color):
    fast_result, typer_result = _both(
        capsys, monkeypatch, ["parse", str(capture), "--color", color]
    )
    assert fast_result == typer_result
    assert fast_result[0] == 0 and capture.name in fast_result[1]


def test_an_internal_error_is_one_line_both_ways(capsys, monkeypatch, bond_file):
    import bondcheck.parse.procfs as procfs

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(procfs, "parse_bonding", broken)
    fast_result, typer_result = _both(capsys, monkeypatch, ["parse", str(bond_file)])
    assert fast_result == typer_result
    assert fast_result == (
        2,
        "",
        "bondcheck: error: internal error: RuntimeError: boom (rerun with --debug for a "
        "traceback)\n",
    )


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--debug", "parse", "{f}.missing"], {}),
        (["parse", "{f}.missing"], {"BONDCHECK_DEBUG": "1"}),
        (["--debug", "explain", "NOPE"], {}),
    ],
)
def test_debug_raises_the_same_exception_both_ways(monkeypatch, bond_file, args, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = [a.format(f=bond_file) for a in args]
    assert fast.understand(args, os.environ) is not None
    raised = []
    for use_fast in (True, False):
        with pytest.raises(Exception) as info:
            run(args, fast=use_fast)
        raised.append((type(info.value), str(info.value)))
    assert raised[0] == raised[1]
    assert raised[0][0].__name__ == "InputError"


# Forms the fast path must leave to Typer (help, usage errors, anything unusual).
DECLINED: list[tuple[list[str], dict[str, str]]] = [
    (["parse"], {}),
    (["parse", "--help"], {}),
    (["parse", "-h"], {}),
    (["--help"], {}),
    ([], {}),
    (["--debug"], {}),
    (["parse", "{f}", "-o", "xml"], {}),
    (["parse", "{f}", "--output="], {}),
    (["parse", "{f}", "--bogus"], {}),
    (["parse", "{f}", "{f}"], {}),
    (["parse", "{f}", "--"], {}),
    (["parse", "--", "{f}"], {}),
    (["parse", "-ojson", "{f}"], {}),
    (["parse", "-o=json", "{f}"], {}),
    (["parse", "{f}", "--name"], {}),
    (["parse", "{f}", "--name", "-x"], {}),
    (["parse", "{f}", "-o", "table", "-o", "json"], {}),
    (["parse", "-1"], {}),
    (["--version", "parse", "{f}"], {}),
    (["-V", "parse", "{f}"], {}),
    (["parse", "{f}", "--debug"], {}),
    (["--debug=1", "parse", "{f}"], {}),
    (["--debug", "--debug", "parse", "{f}"], {}),
    (["--color", "parse", "{f}"], {}),
    (["--color", "purple", "parse", "{f}"], {}),
    (["parse", "{f}", "--color", "Always"], {}),
    (["parse", "{f}"], {"BONDCHECK_PARSE_OUTPUT": "xml"}),
    (["parse", "{f}"], {"BONDCHECK_COLOR": "purple"}),
    (["parse", "{f}"], {"BONDCHECK_DEBUG": "yes"}),
    (["parse", "{f}"], {"_BONDCHECK_COMPLETE": "bash_source"}),
    (["explain"], {}),
    (["explain", "A", "B"], {}),
    (["explain", "--help"], {}),
    (["checks", "extra"], {}),
    (["checks", "-o", "junit"], {}),
    (["checks", "--name", "x"], {}),
    (["verify", "--policy-file", "p.yaml"], {}),
    (["nosuchcommand"], {}),
]


@pytest.mark.parametrize(("template", "env"), DECLINED)
def test_unusual_forms_are_left_to_typer(monkeypatch, bond_file, template, env):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    args = [a.format(f=bond_file) for a in template]
    assert fast.understand(args, os.environ) is None


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["parse", "{f}", "-o", "xml"], "Invalid value for '--output' / '-o'"),
        (["parse", "{f}", "--bogus"], "No such option: --bogus"),
        (["parse"], "Missing argument"),
        (["explain", "A", "B"], "unexpected extra argument"),
    ],
)
def test_declined_usage_errors_are_typers_own(capsys, monkeypatch, bond_file, args, needle):
    args = [a.format(f=bond_file) for a in args]
    fast_result, typer_result = _both(capsys, monkeypatch, args)
    assert fast_result == typer_result
    code, out, err = fast_result
    assert code == 2 and out == "" and needle in err and err.count("\n") == 1


def test_help_is_typers_own(capsys, monkeypatch):
    fast_result, typer_result = _both(capsys, monkeypatch, ["parse", "--help"])
    assert fast_result == typer_result
    assert fast_result[0] == 0 and "--output" in fast_result[1] and "--name" in fast_result[1]


def _click_params(command) -> tuple[dict[str, str], dict[str, str], dict[str, tuple], set[str]]:
    """Option spelling -> parameter, parameter -> envvar, parameter -> choices, flags."""
    spellings: dict[str, str] = {}
    envvars: dict[str, str] = {}
    choices: dict[str, tuple] = {}
    flags: set[str] = set()
    for param in command.params:
        if param.param_type_name != "option":
            continue
        for spelling in [*param.opts, *param.secondary_opts]:
            spellings[spelling] = param.name
        if param.envvar:
            envvars[param.name] = param.envvar
        if hasattr(param.type, "choices"):
            choices[param.name] = tuple(str(getattr(c, "value", c)) for c in param.type.choices)
        if getattr(param, "is_flag", False):
            flags.update(param.opts)
    return spellings, envvars, choices, flags


def test_the_front_matches_the_typer_definitions():
    """The fast front's spellings, variables and choices are the Typer options' own, so an
    option changed in the Typer signature cannot be read differently by the fast path."""
    group = typer.main.get_command(build_app())
    for name, (positional, options, envvars) in fast.COMMANDS.items():
        command = group.commands[name]
        spellings, click_env, choices, flags = _click_params(command)
        assert options == spellings, name
        assert envvars == click_env, name
        assert not flags, name
        for param, values in choices.items():
            assert set(fast.CHOICES[param] or ()) == set(values), (name, param)
        arguments = [p.name for p in command.params if p.param_type_name == "argument"]
        assert arguments == ([positional] if positional else []), name
    spellings, root_env, choices, flags = _click_params(group)
    eager = {"--version", "-V"}  # answered by app.run before either path
    assert {**fast.ROOT_OPTIONS, **{f: "debug" for f in fast.ROOT_FLAGS}} == {
        s: p for s, p in spellings.items() if s not in eager
    }
    assert set(fast.ROOT_FLAGS) == flags - eager
    assert {p: e for p, e in root_env.items() if p != "debug"} == fast.ROOT_ENV
    assert root_env["debug"] == "BONDCHECK_DEBUG"
    assert set(fast.CHOICES["color"] or ()) == set(choices["color"])


# --- the real console script ----------------------------------------------------------------


def _script() -> list[str]:
    script = Path(sys.executable).with_name("bondcheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bondcheck"]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BONDCHECK_")}
    for key in ("NO_COLOR", "FORCE_COLOR", "COLUMNS"):
        env.pop(key, None)
    return {**env, **extra}


_TYPER_ONLY = (
    "import sys; from bondcheck.cli.app import run; sys.exit(run(sys.argv[1:], fast=False))"
)
_MODULES = """
import json, sys
from bondcheck.cli.app import run
code = run(sys.argv[1:])
sys.stdout = sys.__stdout__
print("@@MODULES@@" + json.dumps(sorted(sys.modules)))
"""


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["parse", "{f}"], {"FORCE_COLOR": "1", "COLUMNS": "100"}),
        (["parse", "{f}", "-o", "json"], {}),
        (["parse", "{f}.missing"], {}),
        (["checks", "--color", "never"], {}),
    ],
)
def test_console_script_matches_the_typer_path(bond_file, args, env):
    args = [a.format(f=bond_file) for a in args]
    runs = [
        subprocess.run(
            argv, capture_output=True, text=True, env=_env(**env), timeout=120, check=False
        )
        for argv in ([*_script(), *args], [sys.executable, "-c", _TYPER_ONLY, *args])
    ]
    assert (runs[0].returncode, runs[0].stdout, runs[0].stderr) == (
        runs[1].returncode,
        runs[1].stdout,
        runs[1].stderr,
    )
    assert runs[0].stdout or runs[0].stderr


def test_parse_table_does_not_import_typer(bond_file, tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", _MODULES, "parse", str(bond_file)],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("@@MODULES@@"))
    modules = set(json.loads(line.removeprefix("@@MODULES@@")))
    assert "bondcheck.cli.actions" in modules and "rich.table" in modules  # the table ran
    assert not {m for m in modules if m == "typer" or m.startswith(("typer.", "click"))}
    # Only the classes parse needs are created (bondcheck.model loads them per stage).
    assert {"bondcheck.model.kernel"} <= modules
    assert not {"bondcheck.model.policy", "bondcheck.model.evidence"} & modules


@pytest.mark.parametrize("extra", [[], ["-o", "json"]])
def test_a_closed_pipe_ends_quietly_both_ways(bond_file, extra):
    """The reader went away (``| head``): exit 1 and no traceback, as Click does it, also
    with block-buffered stdout (no PYTHONUNBUFFERED)."""
    env = _env()
    env.pop("PYTHONUNBUFFERED", None)
    results = []
    for argv in ([*_script(), "parse", str(bond_file), *extra],
                 [sys.executable, "-c", _TYPER_ONLY, "parse", str(bond_file), *extra]):  # fmt: skip
        read, write = os.pipe()
        os.close(read)
        try:
            proc = subprocess.run(argv, stdout=write, stderr=subprocess.PIPE, text=True,
                                  env=env, timeout=120, check=False)  # fmt: skip
        finally:
            os.close(write)
        results.append((proc.returncode, proc.stderr))
    assert results[0] == results[1] == (1, "")
