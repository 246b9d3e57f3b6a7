import asyncio

from sqlalchemy import text
from typer.testing import CliRunner

from booking.cli import app
from booking.config import get_settings

from .helpers import booking_body, free_slots, in_days


async def test_anonymise_command_clears_old_bookings_only(
    booking_client, booking_app, booking_settings, stop_agenda
):
    agenda = await stop_agenda()
    day = in_days(3)
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    old, recent = [
        (
            await booking_client.post("/v1/bookings", json=booking_body(agenda["stop_id"], s["starts_at"]))
        ).json()
        for s in slots[:2]
    ]
    async with booking_app.state.engine.begin() as conn:  # as if it had taken place 800 days ago
        await conn.execute(
            text("UPDATE booking SET starts_at = starts_at - interval '800 days' WHERE id = :id"),
            {"id": old["id"]},
        )
    get_settings.cache_clear()
    env = {"BOOKING_DATABASE_URL": booking_settings.database_url, "BOOKING_LOG_JSON": "false"}
    result = await asyncio.to_thread(CliRunner().invoke, app, ["anonymise"], env=env)
    get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    async with booking_app.state.engine.connect() as conn:
        rows = {
            str(r.id): r
            for r in await conn.execute(
                text(
                    "SELECT id, person_name, email, phone, note, anonymised_at "
                    "FROM booking WHERE id IN (:a, :b)"
                ),
                {"a": old["id"], "b": recent["id"]},
            )
        }
    gone = rows[old["id"]]
    assert (gone.person_name, gone.email, gone.phone, gone.note) == (None, None, None, None)
    assert gone.anonymised_at is not None
    assert rows[recent["id"]].person_name == "Camille Martin" and rows[recent["id"]].anonymised_at is None
    view = await booking_client.post("/v1/bookings/manage", json={"token": old["manage_token"]})
    assert view.status_code == 200 and view.json()["person"] is None
