"""Booking: slot search and booking throughput through a real HTTP server, on a throw-away database.

1. Slot search over 60 days for one site with two desks offering the 25 démarches of the starter
   catalogue: p50/p99 of the server time (measured inside the ASGI app) and as the client sees it.
   Target (issue 3): p50 under 20 ms.
2. Booking throughput on distinct slots with 32 concurrent clients (wrk, ``POST /v1/bookings``:
   idempotency claim, agenda rules, capacity rows under lock, booking row, outbox event, commit) on one
   server process, next to a bare ``INSERT`` of the same booking rows into a copy of the table over 32
   connections, and the ratio.
"""

import asyncio
import datetime as dt
import json
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.harness import LoadResult, closed_loop
from booking.cli import SERVICE_DIR
from booking.config import BookingSettings
from booking.main import create_app
from fs_common.databases import asyncpg_dsn, create_and_migrate, drop_database
from fs_testkit.isolation import PG_BASE, RUN_ID, TEST_EVENT_KEYS
from fs_testkit.servers import http_server

SEARCH_SITE, BOOKING_SITE = 1, 2
CLIENTS = 32
WRK_THREADS = 2
WRK_SECONDS = 8
SEARCHES = 400
WEEK_HOURS = [
    {"weekdays": [0, 1, 2, 3, 4], "ranges": [["08:30", "12:00"], ["13:30", "17:30"]]},
    {"weekdays": [5], "ranges": [["09:00", "12:00"]]},
]
ALL_DAY = [{"weekdays": [0, 1, 2, 3, 4, 5, 6], "ranges": [["00:00", "24:00"]]}]


class ServerTimer:
    """Wraps the app: how long each request spends inside it (milliseconds)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.samples: list[float] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.samples.append((time.perf_counter() - start) * 1000)

    def take(self) -> LoadResult:
        samples, self.samples = self.samples, []
        return LoadResult(len(samples), 1.0, samples)


async def _agendas(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        for site_id, rules in ((SEARCH_SITE, WEEK_HOURS), (BOOKING_SITE, ALL_DAY)):
            await conn.execute(
                """INSERT INTO agenda (site_id, name, address, timezone, departement, opening_hours_text,
                       rules, capacity, slot_minutes, buffer_minutes, min_notice_minutes, horizon_days,
                       closed_on_public_holidays, source)
                   VALUES ($1, $2, '2 place Bonnyaud, 23000 Guéret', 'Europe/Paris', '23', NULL, $3::jsonb,
                       2, 15, 0, 120, $4, true, 'locator')""",
                site_id,
                f"France services de banc d'essai {site_id}",
                json.dumps(rules),
                60 if site_id == SEARCH_SITE else 400,  # enough distinct slots for the booking run
            )
    finally:
        await conn.close()


async def _bare_insert(dsn: str) -> LoadResult:
    """The same booking rows, one INSERT per row into a copy of the table, 32 connections."""
    setup = await asyncpg.connect(dsn)
    try:
        await setup.execute("CREATE TABLE booking_bare (LIKE booking INCLUDING ALL)")
        rows = await setup.fetch("SELECT * FROM booking WHERE site_id = $1", BOOKING_SITE)
    finally:
        await setup.close()
    columns = list(rows[0].keys())
    statement = (
        f"INSERT INTO booking_bare ({', '.join(columns)}) "
        f"VALUES ({', '.join(f'${i + 1}' for i in range(len(columns)))})"
    )
    pool = await asyncpg.create_pool(dsn, min_size=CLIENTS, max_size=CLIENTS)
    try:

        async def insert(i: int) -> None:
            await pool.execute(statement, *rows[i].values())

        return await closed_loop(insert, concurrency=CLIENTS, total=len(rows), warmup=0)
    finally:
        await pool.close()


def _cycle(items: list[str]) -> Callable[[int], str]:
    return lambda i: items[i % len(items)]


async def main() -> None:
    url = f"{PG_BASE}/fs_bench_{RUN_ID}_booking"
    dsn = asyncpg_dsn(url)
    await asyncio.to_thread(create_and_migrate, SERVICE_DIR, url)
    try:
        await _agendas(dsn)
        settings = BookingSettings(
            database_url=url,
            log_json=False,
            log_level="WARNING",
            db_pool_size=CLIENTS,
            events_keys=TEST_EVENT_KEYS,
        )
        timer = ServerTimer(create_app(settings))
        async with http_server(timer) as base, httpx.AsyncClient(base_url=base, timeout=60) as client:  # type: ignore[arg-type]
            codes = [d["code"] for d in (await client.get("/v1/demarches")).json()]
            await _search_bench(client, timer, _cycle(codes))
            await _booking_bench(client, dsn)
    finally:
        await drop_database(url)


async def _search_bench(
    client: httpx.AsyncClient, timer: ServerTimer, demarche: Callable[[int], str]
) -> None:
    sizes = []

    async def search(i: int) -> None:
        response = await client.get(f"/v1/sites/{SEARCH_SITE}/slots", params={"demarche": demarche(i)})
        response.raise_for_status()
        sizes.append(len(response.json()["slots"]))

    client_side = await closed_loop(search, concurrency=1, total=SEARCHES, warmup=25)
    server = timer.take()
    server.latencies_ms = server.latencies_ms[25 + 1 :]  # warm-up (and the catalogue call) left out
    print(f"slot search, 60 days, 2 desks, 25 démarches offered ({min(sizes)}–{max(sizes)} free starts)")
    print(
        f"  server time   p50 {server.percentile(50):7.2f} ms   p99 {server.percentile(99):7.2f} ms"
        "   (target: p50 under 20 ms)"
    )
    print(
        f"  client-side   p50 {client_side.percentile(50):7.2f} ms   p99 {client_side.percentile(99):7.2f} ms"
    )


WRK_SCRIPT = """
starts = {%(starts)s}
threads = %(threads)d
offset, counter, next_offset = 0, 0, 0
function setup(thread)
  thread:set("offset", next_offset)
  next_offset = next_offset + 1
end
function request()
  local i = offset + counter * threads
  counter = counter + 1
  local body = '{"site_id": %(site)d, "demarches": ["ameli-carte-vitale"], "starts_at": "' .. starts[i + 1]
    .. '", "person": {"name": "Camille Martin", "email": "camille@example.org"}}'
  local key = string.format("bench-%%08d", i)
  local headers = {["Content-Type"] = "application/json", ["Idempotency-Key"] = key}
  return wrk.format("POST", "/v1/bookings", headers, body)
end
"""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def _wrk(base: str, starts: list[str]) -> tuple[float, float, float]:
    """POST /v1/bookings from wrk (its own process: the server is measured, not the load generator)."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "book.lua"
        quoted = ", ".join(f'"{s}"' for s in starts)
        script.write_text(WRK_SCRIPT % {"starts": quoted, "threads": WRK_THREADS, "site": BOOKING_SITE})
        process = await asyncio.create_subprocess_exec(
            "wrk", f"-t{WRK_THREADS}", f"-c{CLIENTS}", f"-d{WRK_SECONDS}s", "--latency", "-s", str(script),
            base,
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out = (await process.communicate())[0].decode()
    if "Non-2xx" in out or process.returncode:
        raise RuntimeError(f"bookings failed during the benchmark:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = _ms(*re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups())
    p99 = _ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups())
    return rate, p50, p99


async def _booking_bench(client: httpx.AsyncClient, dsn: str) -> None:
    params = {"demarche": "ameli-carte-vitale"}
    slots = (await client.get(f"/v1/sites/{BOOKING_SITE}/slots", params=params)).json()["slots"]
    starts, last = [], None  # a 20-minute démarche holds two 15-minute units: keep starts 30 minutes apart
    for slot in slots:
        start = dt.datetime.fromisoformat(slot["starts_at"])
        if last is None or start - last >= dt.timedelta(minutes=30):
            starts.append(slot["starts_at"])
            last = start
    rate, p50, p99 = await _wrk(str(client.base_url), starts)
    bare = await _bare_insert(dsn)
    print(f"bookings on distinct slots, {CLIENTS} concurrent clients, {bare.requests} bookings")
    print(
        f"  {'POST /v1/bookings (wrk, 1 process)':<38} {rate:9.0f} req/s   "
        f"p50 {p50:7.2f} ms   p99 {p99:7.2f} ms"
    )
    print("  " + bare.line("bare INSERT of the same rows"))
    print(f"  ratio: the API books at {rate / bare.rate:.1%} of the bare INSERT rate")
