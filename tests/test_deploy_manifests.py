"""What deploy/README.md promises of the Kubernetes base, read from the manifests themselves (the schemas
and checkov run in `make deploy-check`)."""

import subprocess
from pathlib import Path

import processes
import yaml

BASE = Path(__file__).resolve().parent.parent / "deploy" / "base"
OBJECTS = [
    doc
    for path in sorted(BASE.glob("*.yaml"))
    if path.name != "kustomization.yaml"
    for doc in yaml.safe_load_all(path.read_text())
    if doc
]


def of_kind(kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in OBJECTS if o["kind"] == kind}


def pod_spec(o: dict) -> dict:
    if o["kind"] == "CronJob":
        return o["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return o["spec"]["template"]["spec"]


# The names come from the one process list; tests/test_processes.py holds commands and images to it.
APIS = {api.name: api.port for api in processes.APIS}
WORKERS = {worker.name for worker in processes.WORKERS}


def test_a_deployment_per_api_and_per_worker_each_with_its_budget_and_policy():
    assert set(of_kind("Deployment")) == set(APIS) | WORKERS
    assert set(of_kind("PodDisruptionBudget")) == set(APIS) | WORKERS
    assert set(of_kind("NetworkPolicy")) == set(APIS) | WORKERS | {"default-deny-ingress"}
    assert set(of_kind("HorizontalPodAutoscaler")) == set(APIS) | {"notify-dispatcher"}
    assert set(of_kind("Job")) == {api.job for api in processes.APIS}
    assert set(of_kind("CronJob")) == {periodic.name for periodic in processes.PERIODIC}


def test_only_the_gateway_is_public():
    (ingress,) = of_kind("Ingress").values()
    backends = {p["backend"]["service"]["name"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]}
    assert backends == {"gateway"}
    assert all(s["spec"].get("type", "ClusterIP") == "ClusterIP" for s in of_kind("Service").values())


def test_each_service_admits_only_the_gateway_and_its_callers_and_workers_admit_nothing():
    policies = of_kind("NetworkPolicy")
    sources = {
        name: [
            f.get("podSelector", {}).get("matchLabels", {}).get("france-services/service")
            for f in rule["from"]
        ]
        for name, p in policies.items()
        for rule in p["spec"].get("ingress", [])
    }
    assert sources["booking"] == ["gateway"] and sources["notify"] == ["gateway"]
    assert sources["locator"] == ["gateway", "booking"]
    assert all(name not in sources for name in WORKERS)
    assert policies["default-deny-ingress"]["spec"]["podSelector"] == {}


def test_apis_probe_http_and_workers_probe_their_heartbeat():
    for name, deployment in of_kind("Deployment").items():
        (container,) = pod_spec(deployment)["containers"]
        if name in APIS:
            assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
            assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        else:
            assert "httpGet" not in container["livenessProbe"]
            assert container["livenessProbe"]["exec"]["command"][:3] == [
                "python",
                "-m",
                "fs_common.heartbeat",
            ]


def test_every_pod_runs_non_root_read_only_with_limits_and_no_secret_in_git():
    for o in [*of_kind("Deployment").values(), *of_kind("Job").values(), *of_kind("CronJob").values()]:
        spec = pod_spec(o)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    assert of_kind("Secret") == {}
    for overlay in ("local", "production"):
        supplied = f"deploy/overlays/{overlay}/secrets/booking.env"
        ignored = subprocess.run(["git", "check-ignore", "-q", supplied], cwd=BASE.parent.parent, check=False)
        assert ignored.returncode == 0, f"{supplied} would be committed"
