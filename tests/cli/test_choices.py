"""The CLI's --via choices are the transports the code really has, in every command."""

from __future__ import annotations

import inspect

import pytest

from bondcheck.cli.collect import LiveVia
from bondcheck.cli.common import envvar_for
from bondcheck.cli.failover import Via as FailoverVia
from bondcheck.cli.transport_opts import FIELDS, flag, takes_transport_options
from bondcheck.cli.verify import Via
from bondcheck.failover.shells import FAILOVER_TRANSPORTS
from bondcheck.run import TRANSPORTS
from bondcheck.transport.factory import TRANSPORT_NAMES
from bondcheck.transport.options import TransportOptions


def test_via_choices_match_the_transports() -> None:
    assert {v.value for v in Via} == set(TRANSPORTS) == {*TRANSPORT_NAMES, "capture"}
    assert {v.value for v in LiveVia} == set(TRANSPORT_NAMES)
    assert {v.value for v in FailoverVia} == set(FAILOVER_TRANSPORTS)
    assert set(FAILOVER_TRANSPORTS) <= set(TRANSPORT_NAMES)


@pytest.mark.parametrize("command", ["verify", "collect", "failover"])
def test_every_live_command_takes_every_transport_option(command: str) -> None:
    """The options come from the TransportOptions fields in every live command, each with the
    flag, environment variable and default the field gives."""
    import typer.main

    from bondcheck.cli.app import build_app

    group = typer.main.get_command(build_app(command))
    params = {p.name: p for p in group.commands[command].params}  # type: ignore[attr-defined]
    assert "options" not in params
    for item in FIELDS:
        param = params[item.name]
        assert param.opts == [flag(item.name)]
        assert param.envvar == envvar_for(flag(item.name))
        assert param.default == item.default
    assert params["to_namespace"].opts == ["--to-namespace"]
    assert params["no_sudo"].envvar == "BONDCHECK_NO_SUDO"


def test_transport_option_values_arrive_as_one_transport_options() -> None:
    @takes_transport_options
    def probe(node: str, *, options: TransportOptions) -> tuple[str, TransportOptions]:
        return node, options

    assert [p for p in inspect.signature(probe).parameters][:2] == ["node", "ssh_config"]
    node, options = probe("w0", ssh_user="core", no_sudo=True, oc="/opt/oc", ssh_port=2222)
    assert node == "w0"
    assert (options.ssh_user, options.no_sudo, options.oc, options.ssh_port) == (
        "core", True, "/opt/oc", 2222,
    )  # fmt: skip
    assert probe("w1")[1] == TransportOptions()  # nothing given: the dataclass defaults
