"""Client construction, name validation and error wording (bondcheck/kube/api.py, errors.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from standins.store import FIXTURES

from bondcheck.errors import CollectError, InputError
from bondcheck.kube import api, errors


def status_message(name: str) -> str:
    return json.loads((FIXTURES / "status" / f"{name}.json").read_text())["message"]


@pytest.mark.parametrize(
    "name", ["worker-0", "ip-10-0-27-170.us-west-1.compute.internal", "00-50-56-11-88-33", "a"]
)
def test_valid_node_names(name: str) -> None:
    assert api.dns_subdomain_problem(name) is None
    assert api.check_node_name(name) == name


@pytest.mark.parametrize(
    "name", ["", "-rf", "Worker-0", "a;b", "a b", "node/x", "x-", "a..b", "$(id)", "a" * 254]
)
def test_invalid_node_names_are_rejected(name: str) -> None:
    assert api.dns_subdomain_problem(name)
    with pytest.raises(InputError):
        api.check_node_name(name)


def test_forbidden_message_from_corpus_rbac_status() -> None:
    msg = errors.forbidden_message(status_message("status-403-forbidden-list-nncp-cluster-scope"))
    assert msg == (
        "forbidden: system:serviceaccount:netops:bond-audit cannot list "
        "nodenetworkconfigurationpolicies.nmstate.io at the cluster scope"
    )
    msg = errors.forbidden_message(status_message("status-403-forbidden-pods-exec-RECONSTRUCTED"))
    assert msg == (
        "forbidden: system:serviceaccount:netops:bond-audit cannot create pods/exec "
        "in namespace nmstate"
    )


def test_forbidden_message_keeps_non_rbac_denials() -> None:
    msg = errors.forbidden_message('pods "nginx" is forbidden: error looking up service account')
    assert msg == 'forbidden: pods "nginx" is forbidden: error looking up service account'


def test_scrub_removes_tokens() -> None:
    text = "Authorization: Bearer abcdefghijkl.mnop and token: sha256~AbCdEfGhIjKlMnOp"
    cleaned = errors.scrub(text)
    assert "abcdefghijkl" not in cleaned and "AbCdEfGhIjKlMnOp" not in cleaned
    assert "<redacted>" in cleaned


def test_no_kubeconfig_anywhere_is_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(InputError, match=r"^no kubeconfig found") as err:
        api.new_api_client()
    assert err.value.exit_code == 2


def test_explicit_kubeconfig_must_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        api.new_api_client(str(tmp_path / "nope"))


def test_kubeconfig_env_list_skips_missing_files(
    kubeconfig: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path / 'missing'}:{kubeconfig}")
    assert api.kubeconfig_paths(None) == str(kubeconfig)
    client = api.new_api_client()
    assert client.configuration.host.startswith("http://127.0.0.1:")


def test_unknown_context_is_input_error(kubeconfig: Path) -> None:
    with pytest.raises(InputError, match="context 'prod' not found"):
        api.new_api_client(str(kubeconfig), "prod")


def test_malformed_kubeconfig_is_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("apiVersion: v1\nkind: Config\nclusters: [}\n")
    with pytest.raises(InputError, match=str(bad)):
        api.new_api_client(str(bad))


def test_handshake_failure_uses_status_body_not_headers() -> None:
    body = json.dumps(
        {
            "kind": "Status",
            "message": status_message("status-403-forbidden-pods-exec-RECONSTRUCTED"),
            "code": 403,
        }
    )
    reason = (
        "Handshake status 403 Forbidden -+-+- {'authorization': 'Bearer secret-token-123'} "
        f"-+-+- {body}"
    )
    err = errors.websocket_error(reason, action="exec", host="https://api:6443")
    assert isinstance(err, CollectError)
    assert str(err).startswith("forbidden: system:serviceaccount:netops:bond-audit cannot create")
    assert "secret-token" not in str(err)


def test_importing_the_cluster_modules_loads_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "import bondcheck.kube.cluster, bondcheck.policy.nnce, bondcheck.transport.nns\n"
        "import bondcheck.transport.oc_debug, bondcheck.transport.kubectl_debug\n"
        "import bondcheck.transport.handler_exec\n"
        "print(sorted(m for m in ('kubernetes', 'urllib3', 'websocket', 'pydantic')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
