"""Two of everything on one machine: two gateways, two of each API and of each worker, started with the
commands of ``make run`` (``scripts/processes.py``), sharing the machine's PostgreSQL (databases of
their own) and Redis (keys under a prefix of their own), each API behind a stand-in for a Kubernetes
Service, and mails going to a local SMTP server.

A partner key's quota holds across both gateways, a key revoked on one is refused by the other at once;
then a burst of bookings, alternating between the gateways, loses one replica of every part (SIGKILL)
midway, and yet: each booking exists once, no slot holds more than its capacity, each booking brings
one confirmation mail.
"""

import asyncio
import contextlib
import itertools
import os
import secrets
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from processes import APIS, PERIODIC, WORKERS, wiring

from fs_common.databases import asyncpg_dsn, drop_database
from fs_testkit import isolation
from fs_testkit.servers import free_port
from fs_testkit.standins import Mailbox, smtp_server

REPLICAS = 2
PREFIX = isolation.test_key_prefix("scale-out")
DATABASES = {api.name: isolation.test_database_url(f"scale_{api.name}") for api in APIS}
DISPATCH_CONCURRENCY = 8
DEMARCHE = "ants-carte-identite"
# The platform's start (its data imported, eighteen processes) and a burst on a loaded 2-core machine.
pytestmark = pytest.mark.timeout(900)


async def wait_for(predicate, timeout_s: float, what: str):
    """Polls ``predicate`` (sync or async) until it returns something true; fails after ``timeout_s``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        result = predicate()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        await asyncio.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        writer.close()


class Balancer:
    """What a Kubernetes Service does for the replicas of one API: each connection goes to the next
    replica that accepts it (a dead one refuses, as its endpoint would be gone)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = itertools.count()
        self.server: asyncio.Server | None = None

    async def start(self) -> str:
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _relay(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        for _ in self.ports:
            port = self.ports[next(self.turn) % len(self.ports)]
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                continue
            await asyncio.gather(_pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer))
            return
        client_writer.close()

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()


@dataclass
class Replica:
    name: str
    command: list[str]
    log: Path
    process: subprocess.Popen | None = None
    killed: bool = False

    def start(self, env: dict[str, str], cwd: Path) -> None:
        with self.log.open("w") as log:
            self.process = subprocess.Popen(self.command, env=env, cwd=cwd, stdout=log, stderr=log)

    def tail(self) -> str:
        return f"--- {self.name} ---\n" + self.log.read_text(errors="replace")[-2000:]


@dataclass
class Platform:
    gateways: list[str]
    replicas: list[Replica]
    mailbox: Mailbox
    admin: dict[str, str]
    workdir: Path
    env: dict[str, str]
    apis: dict[str, list[str]]  # each API's replicas, by their own address

    def of(self, name: str) -> list[Replica]:
        return [r for r in self.replicas if r.name.rsplit("#", 1)[0] == name]

    def logs(self) -> str:
        return "\n".join(r.tail() for r in self.replicas)


async def _ready(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(f"{url}/readyz", timeout=5)).status_code == 200
    except httpx.HTTPError:
        return False


async def _prepare(command: list[str], env: dict[str, str], workdir: Path) -> None:
    log = workdir / f"prepare-{'-'.join(command)}.log"
    with log.open("w") as out:
        process = await asyncio.create_subprocess_exec(
            *command, env=env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
        )
        code = await process.wait()
    assert code == 0, log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("scale-out")
    (workdir / "var").mkdir()
    api_ports = {api.name: [free_port() for _ in range(REPLICAS)] for api in APIS}
    balancers = {name: Balancer(ports) for name, ports in api_ports.items()}
    admin_token = secrets.token_urlsafe(24)
    async with contextlib.AsyncExitStack() as stack:
        mailbox, smtp_port = await stack.enter_async_context(smtp_server())
        urls = {name: await balancer.start() for name, balancer in balancers.items()}
        for balancer in balancers.values():
            stack.push_async_callback(balancer.stop)
        env = (
            dict(os.environ)
            | wiring(urls, smtp_port=smtp_port)
            | {f"{name.upper()}_DATABASE_URL": url for name, url in DATABASES.items()}
            | {f"{name}_REDIS_URL": isolation.REDIS_BASE for name in ("BOOKING", "NOTIFY", "GATEWAY")}
            | {
                "NOTIFY_SMTP_HOST": "127.0.0.1",
                "BOOKING_EVENTS_STREAM": PREFIX + "booking.events",
                "NOTIFY_STREAM": PREFIX + "booking.events",
                "GATEWAY_REDIS_PREFIX": PREFIX + "gw:",
                # Shared files, as replicas share a volume or a Secret: the first to start creates them.
                "BOOKING_EVENTS_KEYS_FILE": str(workdir / "var" / "events-keys"),
                "NOTIFY_EVENTS_KEYS_FILE": str(workdir / "var" / "events-keys"),
                "GATEWAY_JWT_PRIVATE_KEY_FILE": str(workdir / "var" / "agent-key.pem"),
                "GATEWAY_ADMIN_TOKEN": admin_token,
                # One test client is one IP: its anonymous ceiling must not be what refuses the burst.
                "GATEWAY_ANONYMOUS_PER_MINUTE": "100000",
                # A dead replica's work taken over sooner than in production (a minute each).
                "NOTIFY_CLAIM_MIN_IDLE_MS": "5000",
                "NOTIFY_LEASE_S": "25",
                "NOTIFY_SMTP_TIMEOUT_S": "5",
                "NOTIFY_WEBHOOK_TIMEOUT_S": "5",
                "NOTIFY_DISPATCH_CONCURRENCY": str(DISPATCH_CONCURRENCY),
            }
        )
        for name in ("BOOKING_EVENTS_KEYS", "NOTIFY_EVENTS_KEYS", "GATEWAY_JWT_PRIVATE_KEY_PEM"):
            env.pop(name, None)
        stack.push_async_callback(isolation.drop_keys, PREFIX)
        for url in DATABASES.values():
            stack.push_async_callback(drop_database, url)
        for api in APIS:
            await _prepare(list(api.prepare), env, workdir)

        replicas = [
            Replica(
                f"{api.name}#{i + 1}", api.command("127.0.0.1", port), workdir / f"{api.name}-{i + 1}.log"
            )
            for api in APIS
            for i, port in enumerate(api_ports[api.name])
        ] + [
            Replica(f"{worker.name}#{i + 1}", worker.run_command(), workdir / f"{worker.name}-{i + 1}.log")
            for worker in (*WORKERS, *PERIODIC)
            for i in range(REPLICAS)
        ]
        for replica in replicas:
            replica.start(env, workdir)
        stack.callback(_stop, replicas)
        platform = Platform(
            gateways=[f"http://127.0.0.1:{port}" for port in api_ports["gateway"]],
            replicas=replicas,
            mailbox=mailbox,
            admin={"Authorization": f"Bearer {admin_token}"},
            workdir=workdir,
            env=env,
            apis={name: [f"http://127.0.0.1:{port}" for port in ports] for name, ports in api_ports.items()},
        )
        async with httpx.AsyncClient() as client:
            for name, ports in api_ports.items():
                for port in ports:
                    url = f"http://127.0.0.1:{port}"
                    try:
                        await wait_for(lambda url=url: _ready(client, url), 240, f"{name} at {url}")
                    except AssertionError as exc:
                        raise AssertionError(f"{exc}\n{platform.logs()}") from None
        yield platform


def _stop(replicas: list[Replica]) -> None:
    running = [r.process for r in replicas if r.process is not None and r.process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def _create_key(client: httpx.AsyncClient, platform: Platform, **quotas: int) -> dict:
    created = await client.post(
        f"{platform.gateways[0]}/admin/partner-keys",
        json={"partner": "CAF de la Creuse (test de montée en charge)", **quotas},
        headers=platform.admin,
    )
    assert created.status_code == 201, created.text
    return created.json()


async def test_a_partner_keys_quota_holds_across_both_gateways(platform):
    quota = 10
    async with httpx.AsyncClient(timeout=30) as client:
        key = (await _create_key(client, platform, per_minute=10_000, per_day=quota))["key"]

        async def call(gateway: int) -> tuple[int, int]:
            answer = await client.get(
                f"{platform.gateways[gateway]}/v1/sites", params={"limit": 1}, headers={"X-Api-Key": key}
            )
            return gateway, answer.status_code

        answers: list[tuple[int, int]] = []
        for _ in range(3 * quota // REPLICAS):  # one call at each gateway at the same time
            answers += await asyncio.gather(*(call(gateway) for gateway in range(REPLICAS)))
    accepted = [gateway for gateway, status in answers if status == 200]
    refused = [gateway for gateway, status in answers if status == 429]
    assert len(accepted) == quota, answers
    assert set(accepted) == set(refused) == set(range(REPLICAS)), answers
    assert sorted(status for _, status in answers) == [200] * quota + [429] * (2 * quota)


async def test_a_key_revoked_on_one_gateway_is_refused_by_the_other_at_once(platform):
    first, second = platform.gateways
    async with httpx.AsyncClient(timeout=30) as client:
        key = await _create_key(client, platform, per_minute=1000, per_day=1000)
        headers = {"X-Api-Key": key["key"]}
        for gateway in (first, second):  # each has used the key (and whatever it keeps of it)
            assert (
                await client.get(f"{gateway}/v1/sites", params={"limit": 1}, headers=headers)
            ).status_code == 200
        revoked = await client.delete(f"{first}/admin/partner-keys/{key['id']}", headers=platform.admin)
        assert revoked.status_code == 200, revoked.text
        refused = await client.get(f"{second}/v1/sites", params={"limit": 1}, headers=headers)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Clé d'API inconnue ou révoquée."


async def test_an_agent_signed_in_at_one_gateway_is_known_to_every_replica(platform):
    """Both gateways sign with the one key they share (created by whichever started first), so a token
    from one is accepted by the other and by each booking replica, which fetch the JWKS from either."""
    first, second = platform.gateways
    async with httpx.AsyncClient(timeout=30) as client:
        nearest = await client.get(f"{first}/v1/sites/nearest", params={"q": "23000", "limit": 1})
        site_id = nearest.json()["results"][0]["site"]["id"]
        email, password = f"agent.{secrets.token_hex(4)}@fs-gueret.fr", secrets.token_urlsafe(16)
        created = await asyncio.create_subprocess_exec(
            "gateway", "create-agent", "--email", email, "--sites", str(site_id),
            env=platform.env | {"GATEWAY_AGENT_PASSWORD": password}, cwd=platform.workdir,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        assert await created.wait() == 0
        login = await client.post(f"{first}/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        day = f"/v1/agent/sites/{site_id}/bookings"
        for gateway in (second, first, second, first):
            answer = await client.get(f"{gateway}{day}", params={"date": "2030-01-07"}, headers=headers)
            assert answer.status_code == 200, answer.text


async def test_searches_go_on_while_every_locator_replica_reloads_a_change(platform):
    """Each locator replica searches its own snapshot, and a write to ``site`` (an import, an edit)
    reloads them all at the same commit: meanwhile every search through either gateway still answers,
    and then every replica answers with the change."""
    async with httpx.AsyncClient(timeout=30) as client:

        async def nearest_name(url: str) -> str:
            answer = await client.get(f"{url}/v1/sites/nearest", params={"q": "23000", "limit": 1})
            assert answer.status_code == 200, (url, answer.text)
            return answer.json()["results"][0]["site"]["name"]

        async def every_replica_says(name: str) -> bool:
            for gateway in platform.gateways:
                await nearest_name(gateway)
            return {await nearest_name(locator) for locator in platform.apis["locator"]} == {name}

        before = await nearest_name(platform.gateways[0])
        renamed = f"{before} ({secrets.token_hex(3)})"
        for old, new in ((before, renamed), (renamed, before)):  # and back, for the tests that follow
            await _query("locator", "UPDATE site SET name = $1 WHERE name = $2", new, old)
            await wait_for(lambda new=new: every_replica_says(new), 90, f"every locator to show {new!r}")


@dataclass
class Outcome:
    index: int
    email: str
    answers: list[int | str] = field(default_factory=list)
    booking_id: str | None = None

    @property
    def final(self) -> int | str | None:
        return self.answers[-1] if self.answers else None


async def _book(
    client: httpx.AsyncClient, platform: Platform, outcome: Outcome, site_id: int, starts_at: str, run: str
) -> None:
    """As a client behind a load balancer does: on no answer or a 502/503/504, the same request with the
    same Idempotency-Key at the other gateway, a little later."""
    body = {
        "site_id": site_id,
        "demarches": [DEMARCHE],
        "starts_at": starts_at,
        "person": {"name": f"Personne {outcome.index}", "email": outcome.email, "consent_contact": True},
    }
    headers = {"Idempotency-Key": f"scale-out-{run}-{outcome.index:03d}"}
    for attempt in range(12):
        gateway = platform.gateways[(outcome.index + attempt) % REPLICAS]
        try:
            answer = await client.post(f"{gateway}/v1/bookings", json=body, headers=headers)
        except httpx.HTTPError as exc:
            outcome.answers.append(type(exc).__name__)
        else:
            outcome.answers.append(answer.status_code)
            if answer.status_code in (200, 201):
                outcome.booking_id = answer.json()["id"]
                return
            if answer.status_code not in (502, 503, 504):
                return
        await asyncio.sleep(min(0.5 * 2**attempt, 4))


async def _slots(client: httpx.AsyncClient, platform: Platform) -> tuple[int, list[dict]]:
    gateway = platform.gateways[0]
    nearest = await client.get(f"{gateway}/v1/sites/nearest", params={"q": "23000", "limit": 1})
    assert nearest.status_code == 200, nearest.text
    site_id = nearest.json()["results"][0]["site"]["id"]

    async def free() -> list[dict]:
        answer = await client.get(f"{gateway}/v1/sites/{site_id}/slots", params={"demarche": DEMARCHE})
        return answer.json().get("slots", []) if answer.status_code == 200 else []

    return site_id, await wait_for(free, 180, "free slots (the agenda sync)")


def _kill_one_of_each(platform: Platform) -> list[str]:
    killed = []
    for name in {r.name.rsplit("#", 1)[0] for r in platform.replicas}:
        replica = platform.of(name)[0]
        assert replica.process is not None and replica.process.poll() is None, replica.tail()
        replica.process.send_signal(signal.SIGKILL)
        replica.killed = True
        killed.append(replica.name)
    return killed


async def _query(database: str, sql: str, *args):
    connection = await asyncpg.connect(asyncpg_dsn(DATABASES[database]))
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


async def test_a_burst_of_bookings_survives_the_loss_of_one_replica_of_everything(platform):
    run = secrets.token_hex(4)
    async with httpx.AsyncClient(timeout=20) as client:
        site_id, slots = await _slots(client, platform)
        # Slots asked more often than they have room: each of the first ones, once more than its capacity.
        requests: list[str] = []
        for slot in slots:
            requests += [slot["starts_at"]] * (slot["remaining"] + 1)
            if len(requests) >= 60:
                break
        outcomes = [Outcome(i, f"scale.{run}.{i:03d}@example.org") for i in range(len(requests))]
        midway = asyncio.Event()
        done = 0
        in_flight = asyncio.Semaphore(8)

        async def one(outcome: Outcome, starts_at: str) -> None:
            nonlocal done
            async with in_flight:
                await _book(client, platform, outcome, site_id, starts_at, run)
            done += 1
            if done == len(outcomes) // 3:
                midway.set()

        burst = asyncio.gather(*(one(o, s) for o, s in zip(outcomes, requests, strict=True)))
        await midway.wait()
        killed = _kill_one_of_each(platform)
        await burst
    assert len(killed) == len(APIS) + len(WORKERS) + len(PERIODIC)

    acknowledged = [o for o in outcomes if o.booking_id]
    refused = [o for o in outcomes if o.final == 409]
    unanswered = [o for o in outcomes if o not in acknowledged and o not in refused]
    assert acknowledged and refused, [o.answers for o in outcomes]
    assert not any(answer == 500 for o in outcomes for answer in o.answers), [o.answers for o in outcomes]
    assert all(isinstance(o.final, str) or o.final in (502, 503, 504) for o in unanswered), [
        o.answers for o in unanswered
    ]

    # Each booking once: the acknowledged ones with the id they were given, the others at most once.
    rows = await _query(
        "booking", "SELECT id::text, email, status FROM booking WHERE email LIKE $1", f"scale.{run}.%"
    )
    per_email: dict[str, list[str]] = {}
    for row in rows:
        per_email.setdefault(row["email"], []).append(row["id"])
    assert all(len(ids) == 1 for ids in per_email.values()), per_email
    assert {o.email: [o.booking_id] for o in acknowledged}.items() <= per_email.items()
    assert not {o.email for o in refused} & per_email.keys(), "a refused booking was made"

    # No slot beyond its capacity, counted from the bookings themselves.
    overbooked = await _query(
        "booking",
        "SELECT b.agenda_id, unit, count(*) AS held, a.capacity FROM booking b"
        " JOIN agenda a ON a.id = b.agenda_id, unnest(b.units) AS unit"
        " WHERE b.status = 'confirmed' GROUP BY b.agenda_id, unit, a.capacity HAVING count(*) > a.capacity",
    )
    assert overbooked == []

    # One confirmation per booking: wait until the delivery log has settled (what a dead dispatcher held
    # is taken over when its lease runs out), then count what the SMTP server received.
    booked = set(per_email)
    await wait_for(
        lambda: all(
            any("est confirmé" in str(m["Subject"]) for m in platform.mailbox.for_recipient(e))
            for e in booked
        ),
        180,
        "a confirmation mail for every booking",
    )

    async def settled() -> bool:
        rows = await _query(
            "notify", "SELECT count(*) AS n FROM deliveries WHERE status NOT IN ('sent', 'skipped', 'dead')"
        )
        return rows[0]["n"] == 0

    await wait_for(settled, 120, "the delivery log to settle")
    confirmations = {
        email: [m for m in platform.mailbox.for_recipient(email) if "est confirmé" in str(m["Subject"])]
        for email in booked
    }
    distinct = {email: {m["Message-ID"] for m in mails} for email, mails in confirmations.items()}
    assert all(len(ids) == 1 for ids in distinct.values()), distinct
    # A copy of the same message can only come from the dead dispatcher's last sends: accepted by the
    # SMTP server, not yet recorded (at most its concurrency); mail readers merge them by Message-ID.
    copies = sum(len(mails) - 1 for mails in confirmations.values())
    assert copies <= DISPATCH_CONCURRENCY, confirmations
    assert not any(platform.mailbox.for_recipient(o.email) for o in refused)

    survivors = [r for r in platform.replicas if not r.killed]
    assert all(r.process is not None and r.process.poll() is None for r in survivors), platform.logs()
