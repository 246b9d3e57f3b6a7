"""``sync-agendas`` follows the locator: changed visits reach the stop agendas still as bootstrapped, and a
stop the bus no longer serves stops offering slots, its bookings already taken being counted. Each
département is its own step: one lost midway is synced again alone."""

import json
import re

import httpx
from fastapi import FastAPI, Request, Response
from sqlalchemy import text

from booking.agendas.service import RETIRED_STOP_TEXT, SyncReport
from booking.agendas.sync import AgendaSync
from booking.clients.locator import LocatorClient

from .conftest import locator_sql, new_bus, new_stop, until_listed
from .helpers import booking_body, free_slots, sync_agendas

SITE = 47  # the bus of the Argonne ardennaise (08), its stops read from the national list
WEDNESDAY_AFTERNOON = [
    {"dates": [], "ranges": [["14:00", "16:00"]], "weekdays": [2], "valid_from": None, "valid_until": None}
]


async def test_sync_follows_the_stops_of_the_locator(
    booking_app, booking_client, booking_settings, locator_client, locator_db
):
    async def sync() -> SyncReport:
        return await sync_agendas(booking_app, locator_client, booking_settings, "08")

    await sync()
    gone, moved = (await locator_client.get(f"/v1/sites/{SITE}/stops")).json()["stops"][:2]
    slot = (await free_slots(booking_client, gone["id"]))[0]
    booked = await booking_client.post("/v1/bookings", json=booking_body(gone["id"], slot["starts_at"]))
    assert booked.status_code == 201, booked.text
    original_visits = await locator_sql(
        locator_db, "SELECT visits::text FROM stop WHERE id = :id", id=moved["id"]
    )

    # An admin removes one stop and moves the other to Wednesday afternoon, in the locator.
    await locator_sql(locator_db, "UPDATE stop SET source = 'removed' WHERE id = :id", id=gone["id"])
    await locator_sql(
        locator_db,
        "UPDATE stop SET visits = CAST(:visits AS jsonb), source = 'admin' WHERE id = :id",
        visits=json.dumps(WEDNESDAY_AFTERNOON),
        id=moved["id"],
    )
    try:
        report = await sync()
        assert len(report.retired) == 1 and report.bookings_at_retired == 1
        assert report.refreshed >= 1
        assert await free_slots(booking_client, gone["id"]) == []
        async with booking_app.state.engine.connect() as conn:
            note = await conn.scalar(
                text("SELECT opening_hours_text FROM agenda WHERE id = :id"), {"id": report.retired[0]}
            )
        assert note == RETIRED_STOP_TEXT  # what agents read on the retired agenda
        starts = {s["starts_at"][11:16] for s in await free_slots(booking_client, moved["id"])}
        assert starts and min(starts) >= "14:00" and max(starts) < "16:00"
        assert (await sync()).retired == [], "a stop is retired once"
    finally:
        await locator_sql(locator_db, "UPDATE stop SET source = 'commentaire' WHERE id = :id", id=gone["id"])
        await locator_sql(
            locator_db,
            "UPDATE stop SET visits = CAST(:visits AS jsonb), source = 'commentaire' WHERE id = :id",
            visits=original_visits,
            id=moved["id"],
        )
        await booking_client.post("/v1/bookings/manage/cancel", json={"token": booked.json()["manage_token"]})
    back = await sync()
    assert back.retired == [] and back.refreshed >= 2, "both stops follow the locator again"
    assert await free_slots(booking_client, gone["id"])


class FlakyLocator:
    """The real locator through a peer that answers 503 to the stops of the buses in ``broken``, as a
    locator still starting or reloading may; it records the buses whose stops it is asked."""

    def __init__(self, locator: httpx.AsyncClient) -> None:
        self.broken: set[int] = set()
        self.stops_asked: list[int] = []
        self.app = FastAPI()

        @self.app.get("/{path:path}")
        async def forward(path: str, request: Request) -> Response:
            if bus := re.fullmatch(r"v1/sites/(\d+)/stops", path):
                self.stops_asked.append(int(bus[1]))
                if int(bus[1]) in self.broken:
                    return Response(status_code=503)
            answer = await locator.get(f"/{path}", params=request.query_params)
            return Response(answer.content, answer.status_code, media_type=answer.headers["content-type"])


async def site_agendas(booking_app, *site_ids: int) -> int:
    """Site agendas of the Ardennes and the Creuse, or of these sites only."""
    where = "site_id = ANY(:ids)" if site_ids else "departement IN ('08', '23') AND stop_id IS NULL"
    async with booking_app.state.engine.connect() as conn:
        return await conn.scalar(text(f"SELECT count(*) FROM agenda WHERE {where}"), {"ids": list(site_ids)})


async def test_a_departement_lost_midway_is_synced_again_alone(
    booking_app, booking_settings, locator_client, locator_db
):
    bus_08, bus_23 = 992_001, 992_002  # a bus of each département, unknown to booking so far
    for bus in (bus_08, bus_23):
        await new_bus(locator_db, locator_client, bus)
        await new_stop(locator_client, bus, f"Arrêt de la reprise {bus}")
    await locator_sql(locator_db, "UPDATE site SET departement = '23' WHERE id = :id", id=bus_23)
    await until_listed(locator_client, bus_23, "23")
    before = await site_agendas(booking_app)
    peer = FlakyLocator(locator_client)
    peer.broken = {bus_08}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(peer.app), base_url="http://locator") as http:
        sync = AgendaSync(booking_app.state.sessionmaker, LocatorClient(http), booking_settings, ("08", "23"))

        assert not await sync.attempt()
        assert sync.done == {"23"} and list(sync.failed) == ["08"]
        # The Creuse is committed, its bus and stop included; the Ardennes step is rolled back whole,
        # down to the agenda of the broken bus itself, written before its stops were asked.
        assert await site_agendas(booking_app, bus_23) == 2
        assert await site_agendas(booking_app, bus_08) == 0

        peer.broken, peer.stops_asked = set(), []
        assert await sync.attempt()
        assert sync.done == {"08", "23"} and sync.failed == {}
        assert bus_08 in peer.stops_asked and bus_23 not in peer.stops_asked, "only the Ardennes again"
    assert await site_agendas(booking_app, bus_08) == 2
    # The report counts both attempts' steps: every site agenda created in the two départements.
    assert sync.report.departements == 2
    assert sync.report.created == await site_agendas(booking_app) - before >= 2
