"""Fixtures for the cluster-side tests: the API server and oc/kubectl stand-ins."""

from __future__ import annotations

from standins.fixtures import apiserver, debug_cli, kubeconfig  # noqa: F401 - pytest fixtures
