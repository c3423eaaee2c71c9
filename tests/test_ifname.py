"""Interface names are the only node- or policy-supplied words that reach a shell."""

import pytest

from bondcheck.ifname import ifname_problem


@pytest.mark.parametrize(
    "name", ["bond0", "ens1f0", "eth0.102", "bond007", "br-ex", "enp0s31f6", "a" * 15, "veth_1+x"]
)
def test_valid_names(name: str) -> None:
    assert ifname_problem(name) is None


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "empty"),
        ("a" * 16, "at most 15"),
        (".", "'.'"),
        ("..", "'.'"),
        ("eth0/1", "'/'"),
        ("eth0:1", "':'"),
        ("bond 0", "' '"),
        ("bond0;reboot", "';'"),
        ("$(id)", "'$'"),
        ("bond0\n", "'\\n'"),
        (7, "string"),
    ],
)
def test_invalid_names_say_why(name: object, why: str) -> None:
    problem = ifname_problem(name)
    assert problem is not None
    assert why in problem
