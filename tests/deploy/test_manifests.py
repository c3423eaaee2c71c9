"""deploy/ rendered by the real ``kubectl kustomize`` and every object validated strictly
against the Kubernetes schemas (kubernetes-validate); the RBAC held to least privilege and
the agent's pod to the security context docs/incluster.md explains.

OpenShift's SecurityContextConstraints and the Prometheus Operator's PodMonitor have no schema
in kubernetes-validate (they are not Kubernetes types): their fields are checked here.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S_VERSION = "1.30.0"  # the oldest Kubernetes release these manifests support
NOT_KUBERNETES = {"SecurityContextConstraints", "PodMonitor"}


@cache
def render(overlay: str) -> tuple[dict[str, Any], ...]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl is needed to render deploy/ (it is on the machines' PATH)"
    proc = subprocess.run([kubectl, "kustomize", str(DEPLOY / overlay)], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return tuple(doc for doc in yaml.safe_load_all(proc.stdout) if doc)


def objects(overlay: str, kind: str) -> list[dict[str, Any]]:
    return [o for o in render(overlay) if o["kind"] == kind]


def one(overlay: str, kind: str, name: str) -> dict[str, Any]:
    found = [o for o in objects(overlay, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, (kind, name)
    return found[0]


@pytest.mark.parametrize("overlay", ["", "openshift"])
def test_every_object_is_valid_kubernetes(overlay: str) -> None:
    docs = render(overlay)
    kinds = {d["kind"] for d in docs}
    assert {"Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role",
            "RoleBinding", "DaemonSet", "Service", "CronJob"} <= kinds  # fmt: skip
    for doc in docs:
        if doc["kind"] in NOT_KUBERNETES:
            continue
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


def test_the_validator_would_catch_a_mistake() -> None:
    daemonset = dict(one("", "DaemonSet", "bondcheck-agent"))
    broken = yaml.safe_load(yaml.safe_dump(daemonset))
    broken["spec"]["template"]["spec"]["hostNetwrok"] = True
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)


def _rules(overlay: str, kind: str, name: str) -> set[tuple[str, str, str]]:
    rules = set()
    for rule in one(overlay, kind, name)["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                for verb in rule["verbs"]:
                    rules.add((group, resource, verb))
    return rules


READ = ("get", "list", "watch")
NMSTATE = ("nodenetworkconfigurationpolicies", "nodenetworkconfigurationenactments",
           "nodenetworkstates")  # fmt: skip
CLUSTER_READ = {("", "nodes", v) for v in READ} | {
    ("nmstate.io", r, v) for r in NMSTATE for v in READ
}


def test_rbac_is_exactly_what_the_agent_and_the_cronjob_need() -> None:
    assert _rules("", "ClusterRole", "bondcheck-agent") == CLUSTER_READ
    assert _rules("", "ClusterRole", "bondcheck-verify") == CLUSTER_READ
    handler = one("", "Role", "bondcheck-handler-exec")
    assert handler["metadata"]["namespace"] == "nmstate"
    assert _rules("", "Role", "bondcheck-handler-exec") == {
        ("", "pods", "get"), ("", "pods", "list"),
        ("", "pods/exec", "create"), ("", "pods/exec", "get"),
    }  # fmt: skip
    assert one("openshift", "Role", "bondcheck-handler-exec")["metadata"]["namespace"] == (
        "openshift-nmstate"
    )
    assert _rules("openshift", "ClusterRole", "bondcheck-agent-scc") == {
        ("security.openshift.io", "securitycontextconstraints", "use")
    }
    scc_role = one("openshift", "ClusterRole", "bondcheck-agent-scc")
    assert scc_role["rules"][0]["resourceNames"] == ["bondcheck-agent"]


@pytest.mark.parametrize("overlay", ["", "openshift"])
def test_no_wildcards_no_secrets_no_writes_outside_exec(overlay: str) -> None:
    for kind in ("ClusterRole", "Role"):
        for role in objects(overlay, kind):
            for rule in role["rules"]:
                for key in ("apiGroups", "resources", "verbs"):
                    assert "*" not in rule[key], (role["metadata"]["name"], rule)
                assert "secrets" not in rule["resources"]
                writes = set(rule["verbs"]) - {"get", "list", "watch", "use"}
                assert not writes or rule["resources"] == ["pods/exec"], rule


def test_bindings_name_the_service_accounts_that_exist() -> None:
    accounts = {(o["metadata"]["namespace"], o["metadata"]["name"])
                for o in objects("", "ServiceAccount")}  # fmt: skip
    for kind in ("ClusterRoleBinding", "RoleBinding"):
        for binding in objects("", kind):
            for subject in binding["subjects"]:
                assert (subject["namespace"], subject["name"]) in accounts
            role_kind = binding["roleRef"]["kind"]
            assert one("", role_kind, binding["roleRef"]["name"])


def test_the_agent_pod_holds_net_admin_and_nothing_else() -> None:
    pod = one("", "DaemonSet", "bondcheck-agent")["spec"]["template"]["spec"]
    assert pod["hostNetwork"] is True
    assert pod["serviceAccountName"] == "bondcheck-agent"
    assert {"operator": "Exists", "effect": "NoSchedule"} in pod["tolerations"]
    (container,) = pod["containers"]
    sc = container["securityContext"]
    assert sc["capabilities"] == {"drop": ["ALL"], "add": ["NET_ADMIN"]}
    assert sc["privileged"] is False
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["readOnlyRootFilesystem"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert "volumes" not in pod and "volumeMounts" not in container  # no host paths
    limits, requests = container["resources"]["limits"], container["resources"]["requests"]
    assert limits["memory"] and limits["cpu"] and requests["memory"] and requests["cpu"]
    env = {e["name"]: e for e in container["env"]}
    assert env["BONDCHECK_NODE"]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    assert container["args"][0] == "agent"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"metrics": 9808}


def test_the_cronjob_runs_verify_unprivileged() -> None:
    job = one("", "CronJob", "bondcheck-verify")
    pod = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["args"][:3] == ["verify", "--via", "handler-exec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert "hostNetwork" not in pod
    assert job["spec"]["concurrencyPolicy"] == "Forbid"


def test_the_agents_args_are_options_bondcheck_has() -> None:
    """The manifests run the real CLI: every option they pass must parse."""
    from typer.testing import CliRunner

    from bondcheck.cli.app import build_app

    for kind, name in (("DaemonSet", "bondcheck-agent"), ("CronJob", "bondcheck-verify")):
        obj = one("", kind, name)
        spec = obj["spec"].get("jobTemplate", {}).get("spec", obj["spec"])
        args = spec["template"]["spec"]["containers"][0]["args"]
        result = CliRunner().invoke(build_app(), [*args, "--help"])
        assert result.exit_code == 0, (args, result.output)


def test_openshift_scc_allows_only_what_the_agent_asks_for() -> None:
    (scc,) = objects("openshift", "SecurityContextConstraints")
    assert scc["apiVersion"] == "security.openshift.io/v1"
    assert scc["allowHostNetwork"] is True
    assert scc["allowPrivilegedContainer"] is False
    assert scc["allowPrivilegeEscalation"] is False
    assert scc["allowedCapabilities"] == ["NET_ADMIN"]
    assert scc["allowHostDirVolumePlugin"] is False
    assert scc["allowHostPID"] is False and scc["allowHostIPC"] is False
    assert scc["readOnlyRootFilesystem"] is True
    assert "hostPath" not in scc["volumes"]


def test_podmonitor_selects_the_agent_pods() -> None:
    monitor = yaml.safe_load((DEPLOY / "prometheus" / "podmonitor.yaml").read_text())
    assert monitor["apiVersion"] == "monitoring.coreos.com/v1"
    labels = one("", "DaemonSet", "bondcheck-agent")["spec"]["template"]["metadata"]["labels"]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "metrics"
