"""``--via NAME`` resolution: lazy imports, a clear error for an unknown transport."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

from bondcheck.errors import InputError
from bondcheck.transport import factory
from bondcheck.transport.base import Transport
from bondcheck.transport.factory import TRANSPORT_NAMES, make_transport
from bondcheck.transport.options import TransportOptions


def test_names_are_the_documented_transports() -> None:
    assert TRANSPORT_NAMES == ("ssh", "oc-debug", "kubectl-debug", "handler-exec", "nns")


def test_ssh_is_built_from_the_options() -> None:
    from bondcheck.transport.ssh import SshTransport

    transport = make_transport("ssh", TransportOptions(ssh_config=os.devnull))
    assert isinstance(transport, SshTransport)
    assert transport.name == "ssh"
    transport.close()


def test_unknown_transport_lists_the_valid_names() -> None:
    with pytest.raises(InputError) as info:
        make_transport("telnet", TransportOptions())
    assert str(info.value) == (
        "unknown transport 'telnet' (valid: ssh, oc-debug, kubectl-debug, handler-exec, nns)"
    )


@pytest.mark.parametrize("via", TRANSPORT_NAMES)
def test_every_name_maps_to_a_transport_class_of_that_name(via: str) -> None:
    # Constructing some transports needs a cluster, so only the class is checked here; a
    # module or class that is missing fails the import.
    module_name, class_name = factory._CLASSES[via]
    cls = getattr(importlib.import_module(module_name), class_name)
    assert issubclass(cls, Transport)
    assert cls.name == via


def test_offline_imports_do_not_load_paramiko() -> None:
    code = (
        "import sys, bondcheck.transport.factory, bondcheck.fleet;"
        "assert 'paramiko' not in sys.modules, 'paramiko imported';"
        "import bondcheck.transport.ssh;"
        "assert 'paramiko' not in sys.modules, 'ssh module imported paramiko eagerly'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
