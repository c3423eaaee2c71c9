"""Fixtures for the cluster-side tests: the API server and oc/kubectl stand-ins."""

from __future__ import annotations

import pytest
from standins.fixtures import apiserver, debug_cli, kubeconfig  # noqa: F401 - pytest fixtures


@pytest.fixture(autouse=True)
def _own_kubectl_cache(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each real_kubectl test gets a kubectl cache of its own (KUBECACHEDIR), as a fresh
    cluster would: ~/.kube/cache is keyed by host and port, which stand-ins reuse, and gcloud's
    kubectl dispatcher takes /version from it for up to an hour (it asks with max-age=3600), so
    an earlier stand-in's answer on the same port picked the wrong kubectl release."""
    if request.node.get_closest_marker("real_kubectl"):
        monkeypatch.setenv("KUBECACHEDIR", str(tmp_path_factory.mktemp("kubecache")))
