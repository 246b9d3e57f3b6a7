"""`make run` on a machine where no PostgreSQL nor Redis answers at the configured addresses: it starts
the project's own (data under var/), books through the gateway, stops them on SIGTERM (and Ctrl-C), and a
second run starts them again on the same data. The machine's own servers are never touched."""

import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest

from fs_testkit.servers import free_port, port_open, wait_for

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("locator", "booking", "notify", "gateway")


@pytest.fixture(scope="module")
def setup():
    # Not under pytest's own tmp folder: the project's folder, as a user's would be.
    workdir = Path(tempfile.mkdtemp(prefix="fs-embedded-"))
    silent_pg, silent_redis = free_port(), free_port()
    ports = {name: free_port() for name in (*SERVICES, "smtp")}
    embedded = {"postgres": free_port(), "redis": free_port()}
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(workdir),
        "FS_EMBEDDED_POSTGRES_PORT": str(embedded["postgres"]),
        "FS_EMBEDDED_REDIS_PORT": str(embedded["redis"]),
        "GATEWAY_JWT_PRIVATE_KEY_FILE": str(workdir / "var" / "agent-key.pem"),
    }
    env |= {f"FS_{name.upper()}_PORT": str(port) for name, port in ports.items()}
    env |= {
        f"{s.upper()}_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:{silent_pg}/fs_{s}"
        for s in SERVICES
    }
    env |= {
        f"{s.upper()}_REDIS_URL": f"redis://127.0.0.1:{silent_redis}/0"
        for s in ("booking", "notify", "gateway")
    }
    yield {"workdir": workdir, "env": env, "ports": ports, "embedded": embedded}
    shutil.rmtree(workdir, ignore_errors=True)


def start(setup, run: int) -> subprocess.Popen:
    log = setup["workdir"] / f"run-{run}.log"
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_all.py")],
        cwd=setup["workdir"],
        env=setup["env"],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(lambda: "France Services is up." in log.read_text(), 300, f"make run #{run}")
    except AssertionError:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        raise AssertionError(log.read_text()[-3000:]) from None
    return process


def stop(setup, process: subprocess.Popen, signum: int = signal.SIGINT) -> None:
    process.send_signal(signum)
    assert process.wait(timeout=90) == 0
    assert not any(port_open(port) for port in setup["embedded"].values()), "an embedded server still runs"


def test_make_run_starts_its_own_servers_and_a_second_run_keeps_the_data(setup):
    url = f"http://127.0.0.1:{setup['ports']['gateway']}"
    first = start(setup, 1)
    try:
        assert all(port_open(port) for port in setup["embedded"].values())
        assert (setup["workdir"] / "var" / "postgres" / "PG_VERSION").exists()
        assert (setup["workdir"] / "var" / "redis").is_dir()
        site = httpx.get(f"{url}/v1/sites/nearest", params={"q": "23000", "limit": 1}).json()["results"][0]
        slots = wait_for(
            lambda: (
                httpx.get(
                    f"{url}/v1/sites/{site['site']['id']}/slots",
                    params={"demarche": "ants-carte-identite"},
                    timeout=10,
                )
                .json()
                .get("slots")
            ),
            60,
            "free slots",
        )
        created = httpx.post(
            f"{url}/v1/bookings",
            json={
                "site_id": site["site"]["id"],
                "demarches": ["ants-carte-identite"],
                "starts_at": slots[0]["starts_at"],
                "person": {"name": "Ada Lovelace", "email": "ada@example.org", "consent_contact": True},
            },
            headers={"Idempotency-Key": "embedded-servers-0001"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        token = created.json()["manage_token"]
        wait_for(
            lambda: list((setup["workdir"] / "var" / "mail" / "new").glob("*")), 60, "the confirmation mail"
        )
    finally:
        stop(setup, first, signal.SIGTERM)  # as an orchestrator or systemd stops it

    second = start(setup, 2)
    try:
        again = httpx.post(f"{url}/v1/bookings/manage", json={"token": token}, timeout=10)
        assert again.status_code == 200, again.text
        assert again.json()["starts_at"] == created.json()["starts_at"]
        assert "creating the project's PostgreSQL cluster" not in (setup["workdir"] / "run-2.log").read_text()
    finally:
        stop(setup, second)
