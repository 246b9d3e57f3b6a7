"""A bus stop belongs to the mobile France Services whose itinerary the locator lists it in: an agent of
another site cannot open its agenda (and so cannot read the names of the people booked there), and an
agenda claimed under the wrong site before this rule is given back, with its bookings, by the sync."""

from sqlalchemy import text

from .conftest import ALL_WEEK, new_bus, new_stop
from .helpers import booking_body, free_slots, in_days, sync_agendas
from .test_agent import bearer

OWNER, INTRUDER = 991_001, 991_002  # two buses of the Ardennes (copies of the bus of Vouziers)


def agenda_body(site_id: int) -> dict:
    return {
        "site_id": site_id,
        "name": "Place de l'église",
        "address": "Place de l'église, 08400 Vouziers",
        "timezone": "Europe/Paris",
        "departement": "08",
        "rules": [{"weekdays": ALL_WEEK, "ranges": [["09:00", "12:00"]]}],
        "min_notice_minutes": 0,
    }


async def test_a_stop_belongs_to_the_bus_that_serves_it(
    booking_app, booking_client, booking_settings, locator_client, locator_db, make_token
):
    for site in (OWNER, INTRUDER):
        await new_bus(locator_db, locator_client, site)
    stop = await new_stop(locator_client, OWNER, "Place de l'église")
    url = f"/v1/agent/stops/{stop['id']}/agenda"

    # The intruder names its own site in the body: the locator says the stop is not on its itinerary.
    takeover = await booking_client.put(
        url, json=agenda_body(INTRUDER), headers=bearer(make_token("site_admin", [INTRUDER]))
    )
    assert takeover.status_code == 403, takeover.text
    assert "n'est pas desservi" in takeover.json()["detail"]
    # ... or names the owner: not one of its sites.
    posing = await booking_client.put(
        url, json=agenda_body(OWNER), headers=bearer(make_token("site_admin", [INTRUDER]))
    )
    assert posing.status_code == 403
    # Even a national admin cannot file a stop under a bus that does not serve it.
    misfiled = await booking_client.put(
        url, json=agenda_body(INTRUDER), headers=bearer(make_token("national_admin"))
    )
    assert misfiled.status_code == 403
    # A stop the locator does not know at all, and another site's id beyond the integers.
    unknown = await booking_client.put(
        "/v1/agent/stops/2147483000/agenda",
        json=agenda_body(OWNER),
        headers=bearer(make_token("site_admin", [OWNER])),
    )
    assert unknown.status_code == 403
    huge = await booking_client.put(
        url, json=agenda_body(2**40), headers=bearer(make_token("national_admin"))
    )
    assert huge.status_code == 422

    mine = await booking_client.put(
        url, json=agenda_body(OWNER), headers=bearer(make_token("site_admin", [OWNER]))
    )
    assert mine.status_code == 200 and mine.json()["site_id"] == OWNER

    # As it was before ownership was checked: the agenda and a booking filed under the intruder.
    day = in_days(2)
    slot = (await free_slots(booking_client, stop["id"], **{"from": day, "to": day}))[0]
    booked = await booking_client.post(
        "/v1/bookings", json=booking_body(stop["id"], slot["starts_at"], name="Léa Capturée")
    )
    assert booked.status_code == 201, booked.text
    async with booking_app.state.engine.begin() as conn:
        await conn.execute(
            text("UPDATE agenda SET site_id = :s WHERE id = :id"), {"s": INTRUDER, "id": mine.json()["id"]}
        )
        await conn.execute(
            text("UPDATE booking SET site_id = :s WHERE agenda_id = :id"),
            {"s": INTRUDER, "id": mine.json()["id"]},
        )

    report = await sync_agendas(booking_app, locator_client, booking_settings, "08")
    assert report.reclaimed == [mine.json()["id"]]

    def day_of(site: int):
        return booking_client.get(
            f"/v1/agent/sites/{site}/bookings",
            params={"date": day},
            headers=bearer(make_token("agent", [site])),
        )

    assert [b["person"]["name"] for b in (await day_of(OWNER)).json()] == ["Léa Capturée"]
    assert (await day_of(INTRUDER)).json() == []
    again = await booking_client.put(
        url, json=agenda_body(INTRUDER), headers=bearer(make_token("site_admin", [INTRUDER]))
    )
    assert again.status_code == 403
    assert (await sync_agendas(booking_app, locator_client, booking_settings, "08")).reclaimed == []
