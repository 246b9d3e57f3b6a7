"""``sync-agendas`` follows the locator: changed visits reach the stop agendas still as bootstrapped, and a
stop the bus no longer serves stops offering slots, its bookings already taken being counted."""

import json

from sqlalchemy import text

from booking.agendas.service import RETIRED_STOP_TEXT, SyncReport, sync_sites
from booking.clients.locator import LocatorClient

from .conftest import locator_sql
from .helpers import booking_body, free_slots

SITE = 47  # the bus of the Argonne ardennaise (08), its stops read from the national list
WEDNESDAY_AFTERNOON = [
    {"dates": [], "ranges": [["14:00", "16:00"]], "weekdays": [2], "valid_from": None, "valid_until": None}
]


async def test_sync_follows_the_stops_of_the_locator(
    booking_app, booking_client, booking_settings, locator_client, locator_db
):
    async def sync() -> SyncReport:
        async with booking_app.state.sessionmaker() as session, session.begin():
            return await sync_sites(session, LocatorClient(locator_client), booking_settings, "08")

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
