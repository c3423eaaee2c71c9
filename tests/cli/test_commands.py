"""``bondcheck parse``, ``checks``, ``explain`` and the global options."""

from __future__ import annotations

import json
import re

import pytest

from bondcheck import __version__
from bondcheck.checks.catalog import CATALOG

from . import scenarios

COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-7]|9[0-7]|38;5;\d+|38;2;[\d;]+)m")


@pytest.fixture
def bond_file(tmp_path):
    """A healthy bond saved where the kernel keeps it, so the name comes from the path."""
    path = tmp_path / "proc/net/bonding/bond0"
    path.parent.mkdir(parents=True)
    path.write_text(scenarios.healthy_text())
    return path


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout == f"bondcheck {__version__}\n"


def test_parse_json_follows_the_contract(cli, bond_file):
    result = cli("parse", str(bond_file), "-o", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1
    assert data["bond"] == "bond0"  # from .../bonding/<bond>
    assert data["mode"] == "802.3ad" and data["xmit_hash_policy"] == "layer3+4"
    assert [p["name"] for p in data["ports"]] == ["ens224", "ens256"]
    assert data["ports"][0]["partner_mac"] == "02:fc:ce:91:32:14"


def test_parse_stdin_has_no_name_unless_given(cli):
    text = scenarios.healthy_text()
    assert json.loads(cli("parse", "-", "-o", "json", input=text).stdout)["bond"] is None
    named = cli("parse", "-", "-o", "json", "--name", "bond5", input=text)
    assert json.loads(named.stdout)["bond"] == "bond5"


def test_parse_table(cli, bond_file):
    result = cli("parse", str(bond_file))
    assert result.exit_code == 0
    out = result.stdout
    assert "/proc/net/bonding/bond0" in out
    for needle in ("802.3ad", "layer3+4", "ens224", "ens256", "02:fc:ce:91:32:14", "fast"):
        assert needle in out


def test_parse_malformed_text_is_one_line_exit_2(cli):
    result = cli("parse", "-", input="Hello\nworld\n")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bondcheck: error: <stdin>:1:")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("target", ["missing-file", "."])
def test_parse_unreadable_input_is_exit_2(cli, tmp_path, target):
    path = tmp_path / target if target != "." else tmp_path
    result = cli("parse", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("bondcheck: error: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_parse_rejects_a_bad_name(cli, bond_file):
    result = cli("parse", str(bond_file), "--name", "../x")
    assert result.exit_code == 2
    assert "--name '../x'" in result.stderr


def test_checks_lists_the_catalog(cli):
    result = cli("checks", "-o", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["schema_version"] == 1  # a versioned object, like every JSON output
    ids = [c["id"] for c in data["checks"]]
    assert ids == [c.id for c in CATALOG]
    assert ids[-1] == "EVIDENCE-PARSE"
    table = cli("checks", "--color", "never")
    assert table.exit_code == 0
    for check_id in ("BOND-PRESENT", "LACP-PARTNER", "EVIDENCE-PARSE"):
        assert check_id in table.stdout


def test_explain_prints_the_check(cli):
    result = cli("explain", "lacp-partner")
    assert result.exit_code == 0
    assert result.stdout.startswith("LACP-PARTNER: ")
    assert "Remediation: " in result.stdout
    assert cli("explain", "EVIDENCE-PARSE").exit_code == 0


def test_explain_unknown_id_suggests_close_matches(cli):
    result = cli("explain", "LACP-PARTNR")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "unknown check ID 'LACP-PARTNR'" in lines[0] and "LACP-PARTNER" in lines[0]
    far = cli("explain", "ZZZ")
    assert far.exit_code == 2 and "see 'bondcheck checks'" in far.stderr


def test_colour_flag_and_no_color(cli, bond_file):
    forced = cli("--color", "always", "parse", str(bond_file))
    assert COLOUR.search(forced.stdout)  # the test can see colour when there is some
    assert not COLOUR.search(cli("--color", "never", "parse", str(bond_file)).stdout)
    # auto: FORCE_COLOR would colour, NO_COLOR wins over it.
    assert COLOUR.search(cli("parse", str(bond_file), env={"FORCE_COLOR": "1"}).stdout)
    no_color = cli("parse", str(bond_file), env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not COLOUR.search(no_color.stdout)
    # A per-command --color overrides the global one.
    assert not COLOUR.search(cli("--color", "always", "parse", str(bond_file), "--color",
                                 "never").stdout)  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [
        ["--debug", "verify", "--policy-file", "missing.yaml", "--from-dir", "."],
        ["verify", "--debug", "--policy-file", "missing.yaml", "--from-dir", "."],
        ["verify", "--policy-file", "missing.yaml", "--from-dir", ".", "--debug"],
    ],
)
def test_debug_adds_a_traceback_and_keeps_the_exit_code(args, tmp_path, monkeypatch, capsys):
    """--debug works before or after the subcommand; it shows the traceback and the usual
    one line, and the exit code stays the documented one (2 for a missing policy file)."""
    from bondcheck.cli.app import run

    monkeypatch.chdir(tmp_path)
    assert run([a for a in args if a != "--debug"]) == 2
    plain = capsys.readouterr().err
    assert "Traceback" not in plain and plain.startswith("bondcheck: error: ")
    assert run(args) == 2
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err and "InputError" in err
    assert err.rstrip().splitlines()[-1] == plain.rstrip()


def test_run_as_a_kubectl_or_oc_plugin_names_itself_so() -> None:
    from bondcheck.cli.app import prog_name

    assert prog_name("/usr/local/bin/kubectl-bondcheck") == "kubectl bondcheck"
    assert prog_name("oc-bondcheck") == "oc bondcheck"
    assert prog_name("/venv/bin/bondcheck") == "bondcheck"


def test_no_arguments_prints_help(cli):
    result = cli()
    assert result.exit_code == 2
    assert "verify" in result.stdout and "parse" in result.stdout


def _verify_options(app):
    import typer

    group = typer.main.get_command(app)
    return [p for p in group.commands["verify"].params if p.param_type_name == "option"]


def test_every_verify_option_reads_a_bondcheck_env_var(app):
    missing = [p.name for p in _verify_options(app) if p.name != "help" and not p.envvar]
    assert missing == []
    for param in _verify_options(app):
        if param.envvar:
            assert param.envvar.startswith("BONDCHECK_")


def test_usage_doc_lists_every_env_var_and_option(app):
    doc = (scenarios.ROOT / "docs" / "usage.md").read_text()
    for param in _verify_options(app):
        if param.envvar:
            assert param.envvar in doc, param.envvar
        assert param.opts[0] in doc, param.opts[0]
