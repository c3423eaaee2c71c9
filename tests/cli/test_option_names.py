"""Every ``--option`` a message or a document tells people to type exists.

A hint that names an option bondcheck does not have sends the operator the wrong way at the
worst moment. The real options are read from the command tree Typer builds; the names are
scanned in bondcheck's string literals (messages, help texts) and in README.md and docs/.
Flags of other tools that the texts quote on purpose are listed with the tool they belong to.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import typer.main

from bondcheck.cli.app import build_app

ROOT = Path(__file__).resolve().parents[2]
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9]*(?:-[a-z0-9]+)*")

#: Options of other programs that bondcheck's texts quote, and whose they are.
FOREIGN = {
    "--all-namespaces": "kubectl get pods --all-namespaces (debug pod clean-up)",
    "--as": "kubectl auth can-i --as (docs/transports.md)",
    "--attach": "kubectl debug --attach",
    "--stdin": "kubectl debug --stdin",
    "--tty": "kubectl debug --tty",
    "--ignore-not-found": "kubectl delete --ignore-not-found",
    "--variant": "mmdebstrap --variant=minbase (docs/lab.md, the systemd guest)",
    "--scope": "systemd-run --scope (docs/lab.md, the stand-ins' pod cgroups)",
    "--wait": "kubectl delete --wait",
    "--show-labels": "oc/kubectl get --show-labels (an enactment hint)",
    "--description": "systemd-run --description (the failover restore timer)",
    "--on-active": "systemd-run --on-active",
    "--timer-property": "systemd-run --timer-property",
    "--unit": "systemd-run --unit",
    "--series": "bench/fleet.py --series",
    "--memory": "bench/fleet_profile.py --memory",
    "--json": "the bench/ scripts' --json",
    "--nodes": "bench/fleet.py --nodes",
    "--profile": "kubectl debug --profile",
    "--mib": "bench/worst_case.py --mib",
    "--check": "ruff format --check (CONTRIBUTING.md)",
    "--save": "a 'verify --save' the collect docstring explains bondcheck does not have",
    "--collector": "node_exporter --collector.textfile.directory (docs/metrics.md)",
    "--data-binary": "curl --data-binary, pushing to a Pushgateway (docs/metrics.md)",
    "--client": "kubectl version --client (bondcheck/transport/kubectl_debug.py)",
    "--field-selector": "kubectl get pods --field-selector (the leftover debug pod lookup)",
    "--runtime": "podman --runtime (docs/incluster.md: PODMAN_FLAGS)",
    "--cgroup-manager": "podman --cgroup-manager",
    "--storage-driver": "podman --storage-driver",
}


def real_options() -> set[str]:
    group = typer.main.get_command(build_app())
    names = {"--help"}  # every command's, from the app's help_option_names
    for command in [group, *group.commands.values()]:  # type: ignore[attr-defined]
        for param in command.params:
            names.update(o for o in [*param.opts, *param.secondary_opts] if o.startswith("--"))
    return names


def named_in_sources() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / "bondcheck").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                for name in OPTION.findall(node.value):
                    found.setdefault(name, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def named_in_docs() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in [
        ROOT / "README.md",
        ROOT / "CONTRIBUTING.md",
        *sorted((ROOT / "docs").glob("*.md")),
    ]:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for name in OPTION.findall(line):
                found.setdefault(name, f"{path.relative_to(ROOT)}:{number}")
    return found


def test_every_option_named_in_a_message_or_a_document_exists() -> None:
    real = real_options()
    named = {**named_in_docs(), **named_in_sources()}
    unknown = {name: where for name, where in named.items() if name not in real | set(FOREIGN)}
    assert unknown == {}


def test_every_foreign_option_is_still_quoted_somewhere() -> None:
    """The list above stays exactly as long as the texts need it."""
    named = {**named_in_docs(), **named_in_sources()}
    assert set(FOREIGN) - set(named) == set()
    assert set(FOREIGN) & real_options() == set()


def test_the_scan_finds_real_options_and_would_catch_a_wrong_one() -> None:
    real = real_options()
    assert {"--to-namespace", "--image", "--no-sudo", "--from-dir", "--only"} <= real
    assert "--debug-namespace" not in real and "--debug-namespace" not in FOREIGN
    assert "--debug" in real  # the root command's own options count
    assert OPTION.findall("pass --debug-namespace with x; or --to-namespace") == [
        "--debug-namespace",
        "--to-namespace",
    ]
