"""Booking tests: a real database for the run (migrated with Alembic, dropped at the end), the real
locator app (on its own clone of the run's national data: ``national_data``, root conftest) and booking
served by a real uvicorn server, so that concurrency tests go through real HTTP connections and the real
connection pool.
"""

import asyncio
import datetime as dt
import itertools
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from booking.cli import SERVICE_DIR
from booking.clients.locator import LocatorClient
from booking.config import BookingSettings
from booking.main import create_app
from fs_common.databases import create_and_migrate, drop_database
from fs_testkit.isolation import TEST_EVENT_KEYS, drop_keys, test_database_url, test_key_prefix
from fs_testkit.national import NationalData
from fs_testkit.servers import http_server, serve_in_process, wait_until
from fs_testkit.tokens import AgentKey
from locator.config import LocatorSettings
from locator.main import create_app as create_locator_app

ALL_WEEK = [0, 1, 2, 3, 4, 5, 6]
LOCATOR_ADMIN_TOKEN = "locator-admin-token-for-the-booking-tests"
BUS_OF_VOUZIERS = 47  # a mobile France Services of the national list (Ardennes)


@pytest.fixture(scope="session")
def locator_db(national_data: NationalData) -> Iterator[str]:
    url = national_data.clone("booking_locator")
    yield url
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def locator_client(locator_db: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = LocatorSettings(
        database_url=locator_db, log_json=False, log_level="WARNING", admin_token=LOCATOR_ADMIN_TOKEN
    )
    async with serve_in_process(create_locator_app(settings), "http://locator") as client:
        yield client


@pytest.fixture(scope="session")
def agent_key() -> AgentKey:
    return AgentKey()


@pytest.fixture(scope="session")
def booking_settings(agent_key: AgentKey) -> Iterator[BookingSettings]:
    url = test_database_url("booking")
    create_and_migrate(SERVICE_DIR, url)
    settings = BookingSettings(
        database_url=url,
        log_json=False,
        log_level="WARNING",
        agent_public_key_pem=agent_key.public_pem,
        events_stream=test_key_prefix("booking") + "booking.events",
        events_keys=TEST_EVENT_KEYS,
        relay_interval_s=0.05,
    )
    yield settings
    asyncio.run(drop_database(url))
    asyncio.run(drop_keys(test_key_prefix("booking"), settings.redis_url))


@pytest.fixture(scope="session")
async def booking_app(
    booking_settings: BookingSettings, locator_client: httpx.AsyncClient
) -> AsyncIterator[FastAPI]:
    """Booking served by uvicorn on a free loopback port (``app.state.base_url``)."""
    app = create_app(booking_settings, locator_http=locator_client)
    async with http_server(app, timeout_keep_alive=300) as base_url:
        app.state.base_url = base_url
        yield app
    await asyncio.sleep(0)


@pytest.fixture(scope="session")
async def booking_client(booking_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=300, max_keepalive_connections=300)
    async with httpx.AsyncClient(base_url=booking_app.state.base_url, timeout=120, limits=limits) as client:
        yield client


@pytest.fixture(scope="session")
def make_token(agent_key: AgentKey) -> Callable[..., str]:
    """``make_token(role, sites, expires_in=…)``: an agent token signed with the key booking trusts."""
    return agent_key.token


@pytest.fixture(scope="session")
def admin_headers(make_token: Callable[..., str]) -> dict[str, str]:
    # Made once for the session: it must outlive it, on a busy machine too.
    return {"Authorization": f"Bearer {make_token('national_admin', expires_in=dt.timedelta(hours=3))}"}


_ids = itertools.count(1)


async def locator_sql(locator_db: str, sql: str, **params: object) -> object:
    """Runs one statement on the locator's database, as its admin API or an import would change it."""
    engine = create_async_engine(locator_db)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(sql), params)
            return result.scalar() if result.returns_rows else None
    finally:
        await engine.dispose()


async def new_bus(locator_db: str, locator_client: httpx.AsyncClient, site_id: int) -> None:
    """A mobile France Services of its own (a copy of the bus of Vouziers, in the Ardennes), so that tests
    do not share their agents' days; returns once the locator's site list shows it."""
    await locator_sql(
        locator_db,
        "INSERT INTO site SELECT (jsonb_populate_record(NULL::site, to_jsonb(s) || jsonb_build_object("
        "'id', CAST(:id AS int), 'name', 'Bus de test ' || CAST(:id AS text)))).*"
        " FROM site s WHERE s.id = :model",
        id=site_id,
        model=BUS_OF_VOUZIERS,
    )
    await until_listed(locator_client, site_id, "08")


async def until_listed(locator_client: httpx.AsyncClient, site_id: int, departement: str) -> None:
    """Waits until the locator lists the site: its list is the snapshot, which each worker reloads
    beside its requests a moment after the commit (the sync reads that list)."""

    async def listed() -> bool:
        return any([s.id == site_id async for s in LocatorClient(locator_client).iter_sites(departement)])

    await wait_until(listed, within=20, interval=0.1)


async def new_stop(locator_client: httpx.AsyncClient, site_id: int, name: str) -> dict:
    """A stop added to the bus's itinerary through the locator's admin API."""
    response = await locator_client.post(
        f"/v1/admin/sites/{site_id}/stops",
        json={"name": name, "insee_code": "23096"},
        headers={"Authorization": f"Bearer {LOCATOR_ADMIN_TOKEN}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture
async def stop_agenda(
    booking_client: httpx.AsyncClient,
    admin_headers: dict[str, str],
    locator_client: httpx.AsyncClient,
    locator_db: str,
):
    """Open an agenda for a new bus stop of a new bus (all week, all day unless told otherwise); returns
    its JSON."""

    async def open_agenda(**overrides) -> dict:
        n = next(_ids)
        await new_bus(locator_db, locator_client, 990_000 + n)
        stop_id = (await new_stop(locator_client, 990_000 + n, f"Arrêt de test {n}"))["id"]
        body = {
            "site_id": 990_000 + n,
            "name": f"Arrêt de test {n}",
            "address": "Place de la mairie, 23000 Guéret",
            "timezone": "Europe/Paris",
            "departement": "23",
            "rules": [{"weekdays": ALL_WEEK, "ranges": [["00:00", "24:00"]]}],
            "min_notice_minutes": 0,
            "closed_on_public_holidays": False,
        } | overrides
        response = await booking_client.put(
            f"/v1/agent/stops/{stop_id}/agenda", json=body, headers=admin_headers
        )
        assert response.status_code == 200, response.text
        return response.json()

    return open_agenda
