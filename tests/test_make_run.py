"""`make run` as a new user meets it: everything starts from empty databases, answers through the
gateway, a booking sends its confirmation mail, and Ctrl-C stops every process."""

import asyncio
import email
import os
import shutil
import signal
import subprocess
import sys
import uuid
from email import policy
from pathlib import Path

import asyncpg
import httpx
import pytest

from fs_common.databases import asyncpg_dsn, drop_database
from fs_testkit import isolation
from fs_testkit.servers import free_port, port_open, wait_for

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("locator", "booking", "notify", "gateway")


class OwnRedis:
    """A redis-server of the test's own on a free port (never the machine's, which others use),
    persisting to its folder, so that a restart keeps the stream as a real one does."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
            "--appendonly", "yes", "--save", "",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open(self.port), 10, "redis-server")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """``scripts/run_all.py`` (what ``make run`` runs) on free ports, fresh databases and a Redis of its
    own."""
    workdir = tmp_path_factory.mktemp("make-run")
    ports = {name: free_port() for name in (*SERVICES, "smtp")}
    prefix = isolation.test_key_prefix("make-run")
    own_redis = OwnRedis(workdir / "redis")
    own_redis.start()
    env = (
        os.environ
        | {f"FS_{name.upper()}_PORT": str(port) for name, port in ports.items()}
        | {f"{s.upper()}_DATABASE_URL": isolation.test_database_url(f"run_{s}") for s in SERVICES}
        | {f"{s}_REDIS_URL": own_redis.url for s in ("BOOKING", "NOTIFY", "GATEWAY")}
        | {
            "BOOKING_EVENTS_STREAM": prefix + "booking.events",
            "NOTIFY_STREAM": prefix + "booking.events",
            "GATEWAY_REDIS_PREFIX": prefix + "gw:",
            "GATEWAY_JWT_PRIVATE_KEY_FILE": str(workdir / "var" / "agent-key.pem"),
            # A consumer that died: its entries taken over after 5 s instead of a minute.
            "NOTIFY_CLAIM_MIN_IDLE_MS": "5000",
        }
    )
    env.pop("NOTIFY_SMTP_HOST", None)
    log = (workdir / "run.log").open("w")
    # Started as `make run &` from a script starts it: with SIGINT ignored, which Ctrl-C must still stop.
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "run_all.py")],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=log,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        wait_for(lambda: "France Services is up." in (workdir / "run.log").read_text(), 240, "make run")
        yield {
            "url": f"http://127.0.0.1:{ports['gateway']}",
            "ports": ports,
            "workdir": workdir,
            "process": process,
            "redis": own_redis,
        }
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)
        log.close()
        own_redis.stop()
        for service in SERVICES:
            asyncio.run(drop_database(isolation.test_database_url(f"run_{service}")))


def test_the_public_api_answers_through_the_gateway(platform):
    url = platform["url"]
    assert httpx.get(f"{url}/readyz").json()["status"] == "ok"
    nearest = httpx.get(f"{url}/v1/sites/nearest", params={"q": "23000", "limit": 3}).json()
    assert nearest["origin"]["label"].startswith("Guéret") and len(nearest["results"]) == 3
    assert httpx.get(f"{url}/demo").headers["content-type"].startswith("text/html")
    assert len(httpx.get(f"{url}/v1/sites", params={"limit": 1}).json()["items"]) == 1
    assert httpx.get(f"{url}/v1/sites", params={"limit": 1}).json()["total"] == 2845


def test_a_booking_sends_its_confirmation_mail(platform):
    url, workdir = platform["url"], platform["workdir"]
    site = httpx.get(f"{url}/v1/sites/nearest", params={"q": "23000", "limit": 1}).json()["results"][0][
        "site"
    ]
    slots = wait_for(
        lambda: (
            httpx.get(
                f"{url}/v1/sites/{site['id']}/slots", params={"demarche": "ants-carte-identite"}, timeout=10
            )
            .json()
            .get("slots")
        ),
        60,
        "free slots",
    )
    booking = httpx.post(
        f"{url}/v1/bookings",
        json={
            "site_id": site["id"],
            "demarches": ["ants-carte-identite"],
            "starts_at": slots[0]["starts_at"],
            "person": {"name": "Marie Curie", "email": "marie@example.org", "consent_contact": True},
        },
        headers={"Idempotency-Key": "make-run-test-0001"},
        timeout=10,
    )
    assert booking.status_code == 201, booking.text
    assert booking.json()["manage_url"].startswith(f"{url}/rendez-vous#")
    mails = wait_for(lambda: list((workdir / "var" / "mail" / "new").glob("*")), 60, "the confirmation mail")
    message = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default)
    assert message["To"] == "marie@example.org"
    assert "est confirmé" in message["Subject"]


def book(url: str, site_id: int, starts_at: str, person: dict, key: str) -> httpx.Response:
    return httpx.post(
        f"{url}/v1/bookings",
        json={
            "site_id": site_id,
            "demarches": ["ants-carte-identite"],
            "starts_at": starts_at,
            "person": person | {"consent_contact": True},
        },
        headers={"Idempotency-Key": key},
        timeout=10,
    )


def free_slots(url: str, site_id: int) -> list[dict]:
    return wait_for(
        lambda: (
            httpx.get(
                f"{url}/v1/sites/{site_id}/slots", params={"demarche": "ants-carte-identite"}, timeout=10
            )
            .json()
            .get("slots")
        ),
        60,
        "free slots",
    )


def mails_to(workdir: Path, address: str) -> list[email.message.EmailMessage]:
    messages = [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)
        for path in (workdir / "var" / "mail" / "new").glob("*")
    ]
    return [m for m in messages if m["To"] == address]  # type: ignore[misc]


def test_a_life_cycle_leaves_no_personal_data_in_any_log(platform):
    """Book, look, reschedule, cancel, and a few refusals on the way: no log line of any service (all
    in run.log) holds the person's name, e-mail or phone, nor a manage token."""
    url, workdir = platform["url"], platform["workdir"]
    unique = uuid.uuid4().hex[:10]
    person = {
        "name": f"Zéphyrin Logtrace{unique}",
        "email": f"z.{unique}@example.org",
        "phone": "06 48 21 97 35",
    }
    site = httpx.get(f"{url}/v1/sites/nearest", params={"q": "23000", "limit": 1}).json()["results"][0][
        "site"
    ]
    slots = free_slots(url, site["id"])
    created = book(url, site["id"], slots[-1]["starts_at"], person, f"logs-{unique}")
    assert created.status_code == 201, created.text
    tokens = [created.json()["manage_token"]]
    manage = f"{url}/v1/bookings/manage"
    assert httpx.post(manage, json={"token": tokens[0]}).status_code == 200
    # Refusals: the same key for another body, a slot that is no slot, a token one letter off.
    assert book(url, site["id"], slots[-2]["starts_at"], person, f"logs-{unique}").status_code in (409, 422)
    wrong_slot = httpx.post(
        f"{manage}/reschedule", json={"token": tokens[0], "starts_at": "2020-01-01T09:00:00+01:00"}
    )
    assert wrong_slot.status_code in (409, 422)
    assert httpx.post(manage, json={"token": tokens[0][:-1] + "x"}).status_code == 404
    moved = httpx.post(f"{manage}/reschedule", json={"token": tokens[0], "starts_at": slots[-2]["starts_at"]})
    assert moved.status_code == 200, moved.text
    tokens.append(moved.json()["manage_token"])
    assert httpx.post(f"{manage}/cancel", json={"token": tokens[1]}).status_code == 200
    assert httpx.post(f"{manage}/cancel", json={"token": tokens[1]}).status_code == 409
    wait_for(lambda: len(mails_to(workdir, person["email"])) >= 3, 60, "the three mails")
    log = (workdir / "run.log").read_text(errors="replace")
    for secret in (person["name"], f"Logtrace{unique}", person["email"], "48 21 97 35", *tokens):
        assert secret not in log, f"{secret!r} found in the logs"


async def terminate_connections(databases: list[str]) -> int:
    """What a PostgreSQL restart or failover does to the services: every connection of the run's own
    databases cut (never another run's)."""
    connection = await asyncpg.connect(asyncpg_dsn(f"{isolation.PG_BASE}/postgres"))
    try:
        return await connection.fetchval(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = ANY($1::text[]) AND pid <> pg_backend_pid()) AS cut",
            databases,
        )
    finally:
        await connection.close()


def child_pid(parent: int, *words: str) -> int:
    """The process started by the supervisor whose command line holds ``words``."""
    for pid in Path(f"/proc/{parent}/task/{parent}/children").read_text().split():
        command = [Path(arg.decode()).name for arg in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
        if all(word in command for word in words):
            return int(pid)
    raise AssertionError(f"no child process {' '.join(words)}")


def test_the_platform_outlives_a_database_failover_a_redis_restart_and_a_killed_worker(platform):
    """Each fault in turn: every PostgreSQL connection of the services cut, Redis restarted, the event
    consumer killed. Within 30 s everything answers again, and a booking made just before and one
    made after each fault each bring exactly one mail."""
    url, workdir = platform["url"], platform["workdir"]
    site = httpx.get(f"{url}/v1/sites/nearest", params={"q": "23000", "limit": 1}).json()["results"][0][
        "site"
    ]
    slots = iter(free_slots(url, site["id"])[10:])
    run = uuid.uuid4().hex[:8]
    addresses: list[str] = []

    def book_within_30_s(tag: str) -> None:
        address = f"{tag}.{run}@example.org"
        slot = next(slots)

        def booked() -> bool:
            try:
                response = book(
                    url,
                    site["id"],
                    slot["starts_at"],
                    {"name": "Alix Panne", "email": address},
                    f"{tag}-{run}",
                )
            except httpx.HTTPError:
                return False
            return response.status_code == 201

        wait_for(booked, 30, f"a booking ({tag})")
        addresses.append(address)

    def everything_answers() -> None:
        wait_for(lambda: _ready(url), 30, "the platform to answer again")

    book_within_30_s("avant-coupure-base")
    databases = [isolation.test_database_url(f"run_{s}").rpartition("/")[2] for s in SERVICES]
    assert asyncio.run(terminate_connections(databases)) > 0
    everything_answers()
    book_within_30_s("apres-coupure-base")

    platform["redis"].restart()
    everything_answers()
    book_within_30_s("apres-redemarrage-redis")

    consumer = child_pid(platform["process"].pid, "notify", "consume")
    os.kill(consumer, signal.SIGKILL)
    book_within_30_s("apres-arret-consommateur")
    wait_for(
        lambda: "notify-consumer stopped (exit -9); restarting" in (workdir / "run.log").read_text(),
        30,
        "the supervisor to restart the consumer",
    )
    everything_answers()
    book_within_30_s("apres-relance-consommateur")

    for address in addresses:
        wait_for(lambda a=address: mails_to(workdir, a), 90, f"the mail to {address}")
    counts = {address: len(mails_to(workdir, address)) for address in addresses}
    assert counts == dict.fromkeys(addresses, 1), counts
    assert platform["process"].poll() is None, "the supervisor kept running"


def _ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def test_ctrl_c_stops_every_process(platform):
    process = platform["process"]
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert not any(port_open(port) for port in platform["ports"].values())
