"""One list of processes (``scripts/processes.py``): what ``make run`` starts is what docker-compose.yml
and the Kubernetes base declare, under the same names, with the same commands and images."""

from pathlib import Path

import pytest
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
