"""The run's one cluster client is closed however the run ends.

Node selection may still be reading the cluster on its own thread when the run ends early
(Ctrl-C, a failed collection). A client built after the run closed its handle would never be
closed; instead that late request gets CollectError and nothing is left open.
"""

from __future__ import annotations

import threading
from typing import ClassVar

import pytest

import bondcheck.kube.cluster as cluster_mod
from bondcheck.errors import CollectError
from bondcheck.live import _Lazy
from bondcheck.run import VerifyRequest


class Client:
    made: ClassVar[list[Client]] = []

    def __init__(self) -> None:
        self.closed = False
        Client.made.append(self)

    @classmethod
    def from_options(cls, options: object) -> Client:
        return cls()

    def close(self) -> None:
        self.closed = True


@pytest.fixture(autouse=True)
def client(monkeypatch: pytest.MonkeyPatch) -> None:
    Client.made = []
    monkeypatch.setattr(cluster_mod, "Cluster", Client)


def test_one_client_per_run_closed_once() -> None:
    lazy = _Lazy(VerifyRequest())
    first = lazy.get()
    assert lazy.get() is first
    lazy.close()
    assert [c.closed for c in Client.made] == [True]


def test_a_request_after_close_builds_nothing_and_says_why() -> None:
    lazy = _Lazy(VerifyRequest())
    lazy.close()
    with pytest.raises(CollectError, match="interrupted"):
        lazy.get()
    assert Client.made == []


def test_close_waits_for_a_client_being_built_then_closes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    building, release = threading.Event(), threading.Event()

    def slow(options: object) -> Client:
        building.set()
        release.wait(5)
        return Client()

    monkeypatch.setattr(Client, "from_options", staticmethod(slow))
    lazy = _Lazy(VerifyRequest())
    selector = threading.Thread(target=lazy.get)
    selector.start()
    assert building.wait(5)
    closer = threading.Thread(target=lazy.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # close() waits for the build instead of missing the client
    release.set()
    selector.join(5)
    closer.join(5)
    assert [c.closed for c in Client.made] == [True]
