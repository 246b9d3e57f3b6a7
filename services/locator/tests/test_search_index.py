"""The in-memory search index: it answers as the documented schema says, its cached opening states equal a
fresh evaluation, and it follows the database (changes, a lost connection, a database not there yet)."""

import asyncio
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import orjson
import pytest
from sqlalchemy.engine import make_url

from fs_common.databases import asyncpg_dsn
from fs_testkit.servers import serve_in_process
from locator.config import LocatorSettings
from locator.main import create_app
from locator.sites.index import IndexedSite
from locator.sites.models import Site
from locator.sites.schemas import NearestSitesResponse, SiteOut
from locator.sites.service import site_out
from locator.snapshot.live import APPLICATION_NAME

TEST_SITE_ID = 990_001  # far above the national ids
# A point of the Creuse countryside with no France Services within 5 km.
TEST_LAT, TEST_LON = 46.0, 2.0
WAIT_S = 15.0


async def execute(settings: LocatorSettings, sql: str, *args: object) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(settings.database_url))
    try:
        return await connection.execute(sql, *args)
    finally:
        await connection.close()


@asynccontextmanager
async def site_added(settings: LocatorSettings, name: str) -> AsyncIterator[None]:
    """A site inserted (and committed) while the service runs, deleted afterwards."""
    await execute(
        settings,
        "INSERT INTO site (id, name, kind, is_mobile, address, insee_code, commune_name, postcode,"
        " departement, timezone, location, opening_hours, hours_known, appointment_required, partners)"
        " VALUES ($1, $2, 'fixed', false, '1 place de la Mairie', '23096', 'Guéret', '23000', '23',"
        " 'Europe/Paris', ST_SetSRID(ST_MakePoint($4, $3), 4326)::geography, '{}', false, false,"
        " ARRAY['caf'])",
        TEST_SITE_ID,
        name,
        TEST_LAT,
        TEST_LON,
    )
    try:
        yield
    finally:
        await execute(settings, "DELETE FROM site WHERE id = $1", TEST_SITE_ID)


async def nearest_name(client) -> str:
    response = await client.get("/v1/sites/nearest", params={"lat": TEST_LAT, "lon": TEST_LON, "limit": 1})
    assert response.status_code == 200, response.text
    return response.json()["results"][0]["site"]["name"]


async def eventually_nearest(client, expected: str) -> None:
    """The index follows the database within moments, not at once: wait for it, up to WAIT_S."""
    deadline = time.monotonic() + WAIT_S
    while (name := await nearest_name(client)) != expected and time.monotonic() < deadline:  # noqa: ASYNC110 (an HTTP answer to poll, no event)
        await asyncio.sleep(0.05)
    assert name == expected


async def test_nearest_answer_is_exactly_the_documented_schema(locator_client):
    for lat, lon in [(46.17, 1.87), (48.85, 2.35), (-20.9, 55.45), (4.93, -52.33), (45.9, 6.1)]:
        response = await locator_client.get("/v1/sites/nearest", params={"lat": lat, "lon": lon, "limit": 20})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert NearestSitesResponse.model_validate(body).model_dump(mode="json") == body


async def test_a_site_added_while_serving_is_found_and_its_removal_too(locator_client, locator_settings):
    before = await nearest_name(locator_client)
    async with site_added(locator_settings, "France services ajoutée pendant le service"):
        await eventually_nearest(locator_client, "France services ajoutée pendant le service")
    await eventually_nearest(locator_client, before)


async def test_the_index_listens_again_after_losing_its_connection(locator_client, locator_settings):
    before = await nearest_name(locator_client)
    database = make_url(locator_settings.database_url).database
    ended = await execute(
        locator_settings,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND datname = $2",
        APPLICATION_NAME,
        database,
    )
    assert ended != "SELECT 0"  # the listener of the app serving this database was there
    async with site_added(locator_settings, "France services ajoutée après la coupure"):
        await eventually_nearest(locator_client, "France services ajoutée après la coupure")
    await eventually_nearest(locator_client, before)  # gone again before the next test reads the table


async def test_a_reload_that_fails_keeps_the_old_index_answering_then_catches_up(
    locator_client, locator_settings, caplog
):
    """A reload that fails midway (here the commune table is away when a site is added) leaves the
    old index answering, and the retry after the backoff picks up the change once the table is back."""
    before = await nearest_name(locator_client)
    caplog.set_level(logging.WARNING, logger="locator.snapshot.live")
    await execute(locator_settings, "ALTER TABLE commune RENAME TO commune_away")
    try:
        async with site_added(locator_settings, "France services ajoutée pendant une panne"):
            deadline = time.monotonic() + WAIT_S
            while not any("reload failed" in r.getMessage() for r in caplog.records):
                assert time.monotonic() < deadline, "the reload did not fail"
                await asyncio.sleep(0.05)
            assert await nearest_name(locator_client) == before  # the old index, not a 500 or a 503
            await execute(locator_settings, "ALTER TABLE commune_away RENAME TO commune")
            await eventually_nearest(locator_client, "France services ajoutée pendant une panne")
    finally:
        await execute(locator_settings, "ALTER TABLE IF EXISTS commune_away RENAME TO commune")
    await eventually_nearest(locator_client, before)


async def test_searches_answer_503_until_the_database_is_reachable():
    unreachable = LocatorSettings(
        database_url="postgresql+asyncpg://postgres@127.0.0.1:9/fs_nowhere",
        log_json=False,
        log_level="WARNING",
    )
    async with serve_in_process(create_app(unreachable), "http://locator") as client:
        response = await client.get("/v1/sites/nearest", params={"lat": 46.17, "lon": 1.87})
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "5"
        assert "réessayez" in response.json()["detail"]
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and "search_index" in ready.json()["detail"]


def site_with_lunch_break_in_moselle() -> Site:
    """Metz: Good Friday is a holiday there, the DST change of 28 March 2027 falls in the span."""
    return Site(
        id=1,
        name="France services de Metz",
        kind="fixed",
        is_mobile=False,
        address="1 place d'Armes",
        insee_code="57463",
        commune_name="Metz",
        postcode="57000",
        departement="57",
        timezone="Europe/Paris",
        location="SRID=4326;POINT(6.1757 49.1193)",
        opening_hours={
            "0": [["09:00", "12:00"], ["13:30", "17:00"]],
            "4": [["09:00", "12:00"]],
            "5": [["08:30", "24:00"]],
        },
        hours_known=True,
        partners=["caf"],
    )


@pytest.mark.parametrize("order", ["forward", "backward"])
def test_cached_opening_state_equals_a_fresh_evaluation_at_every_instant(order):
    row = site_with_lunch_break_in_moselle()
    indexed = IndexedSite(row, 49.1193, 6.1757, SiteOut.of(row, 49.1193, 6.1757).model_dump(mode="json"))
    start = dt.datetime(2027, 3, 24, 0, 3, tzinfo=dt.UTC)  # Wednesday, to Saturday 3 April
    instants = [start + dt.timedelta(minutes=7 * i) for i in range(10 * 24 * 60 // 7)]
    if order == "backward":
        instants.reverse()
    for at in instants:
        fresh = site_out(row, 49.1193, 6.1757, at).model_dump(mode="json")
        assert indexed.answer_at(at) == fresh, at
        assert orjson.dumps(indexed.serialised_answer_at(at)) == orjson.dumps(fresh)
