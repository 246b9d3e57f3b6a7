"""One list of processes (``scripts/processes.py``): what ``make run`` starts is what docker-compose.yml
and the Kubernetes base declare, under the same names, with the same commands and images."""

from pathlib import Path

import pytest
import run_all
import yaml
from processes import APIS, PERIODIC, WORKERS

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
INFRASTRUCTURE = {"postgres", "redis", "mailpit"}  # images of others, not ours
K8S = [
    doc
    for path in sorted((ROOT / "deploy" / "base").glob("*.yaml"))
    if path.name != "kustomization.yaml"
    for doc in yaml.safe_load_all(path.read_text())
    if doc
]


def image_dir(image: str) -> str:
    return "gateway" if image == "gateway" else f"services/{image}"


def k8s(kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in K8S if o["kind"] == kind}


def container(o: dict) -> dict:
    spec = o["spec"]["jobTemplate"]["spec"] if o["kind"] == "CronJob" else o["spec"]
    (only,) = spec["template"]["spec"]["containers"]
    return only


def test_compose_runs_the_same_processes_with_the_same_commands():
    ours = {name: service for name, service in COMPOSE.items() if name not in INFRASTRUCTURE}
    assert set(ours) == {p.name for p in (*APIS, *WORKERS, *PERIODIC)}
    for api in APIS:
        prepare_then_serve = f"{' '.join(api.prepare)} && exec {' '.join(api.command('0.0.0.0'))}"
        assert ours[api.name]["command"] == ["sh", "-c", prepare_then_serve], api.name
    for worker in (*WORKERS, *PERIODIC):
        assert ours[worker.name]["command"] == worker.run_command(), worker.name
        assert ours[worker.name]["healthcheck"]["test"][1:4] == ["python", "-m", "fs_common.heartbeat"]
    for process in (*APIS, *WORKERS, *PERIODIC):
        build = ours[process.name]["build"]
        assert (build["args"]["SERVICE"], build["args"]["SERVICE_DIR"]) == (
            process.image,
            image_dir(process.image),
        )


def test_kubernetes_runs_the_same_processes_with_the_same_commands():
    deployments, jobs, cron_jobs = k8s("Deployment"), k8s("Job"), k8s("CronJob")
    assert set(deployments) == {p.name for p in (*APIS, *WORKERS)}
    assert set(jobs) == {api.job for api in APIS}
    assert set(cron_jobs) == {task.name for task in PERIODIC}
    for api in APIS:
        assert container(deployments[api.name])["command"] == api.command("0.0.0.0"), api.name
        assert container(jobs[api.job])["command"] == list(api.prepare), api.job
    for worker in WORKERS:
        assert container(deployments[worker.name])["command"] == worker.run_command(), worker.name
    for task in PERIODIC:
        assert container(cron_jobs[task.name])["command"] == list(task.command), task.name
        assert cron_jobs[task.name]["spec"]["schedule"] == task.schedule, task.name
    for o in (*deployments.values(), *jobs.values(), *cron_jobs.values()):
        name = o["metadata"]["name"]
        process = next(p for p in (*APIS, *WORKERS, *PERIODIC) if name in (p.name, getattr(p, "job", "")))
        assert container(o)["image"] == f"france-services/{process.image}", name


@pytest.mark.parametrize("task", PERIODIC, ids=lambda t: t.name)
def test_a_periodic_task_has_the_same_period_everywhere(task):
    """``every_s`` (make run, compose) and the CronJob's schedule: hourly or daily, the same."""
    minute, hour, *rest = task.schedule.split()
    assert minute.isdigit() and rest == ["*", "*", "*"]
    assert task.every_s == (3600 if hour == "*" else 86400 if hour.isdigit() else None)


def sms_told(env: dict) -> tuple[bool, bool]:
    """(notify sends SMS, the agents' console says so) in this environment."""
    says = str(env.get("GATEWAY_SMS_NOTIFICATIONS")).lower() == "true"
    return bool(env.get("NOTIFY_SMS_PROVIDER_URL")), says


def test_the_agents_console_says_sms_exactly_when_notify_sends_them(monkeypatch):
    """``GATEWAY_SMS_NOTIFICATIONS`` (``/agents`` tells agents whether people are told by SMS) follows
    ``NOTIFY_SMS_PROVIDER_URL`` in compose, in the Kubernetes base and each overlay, and under make run."""
    for name in ("gateway", "notify-dispatcher"):
        assert sms_told(COMPOSE[name]["environment"]) == (False, False), name
    base = dict(
        line.split("=", 1)
        for line in (ROOT / "deploy" / "base" / "config.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert sms_told(base) == (False, False)
    for overlay in sorted((ROOT / "deploy" / "overlays").iterdir()):
        kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text())
        literals = [
            literal
            for generator in kustomization.get("configMapGenerator", [])
            if generator["name"] == "fs-config"
            for literal in generator.get("literals", [])
        ]
        env = base | dict(literal.split("=", 1) for literal in literals)
        told = sms_told(env)
        assert told[0] == told[1], overlay.name

    monkeypatch.delenv("GATEWAY_SMS_NOTIFICATIONS", raising=False)
    monkeypatch.delenv("NOTIFY_SMS_PROVIDER_URL", raising=False)
    assert sms_told(run_all.service_environment()) == (False, False)
    monkeypatch.setenv("NOTIFY_SMS_PROVIDER_URL", "https://sms.example/v1/sms")
    assert sms_told(run_all.service_environment()) == (True, True)
