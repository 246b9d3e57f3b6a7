import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import text

from booking.agendas.calendar import Calendar
from booking.clients.locator import LocatorClient, LocatorUnavailable
from fs_testkit.servers import free_port

from .helpers import in_days, sync_agendas


async def _site_with_hours(locator_client, departement: str) -> dict:
    page = (await locator_client.get("/v1/sites", params={"departement": departement, "limit": 100})).json()
    return next(s for s in page["items"] if s["hours_known"] and not s["is_mobile"])


def _next(weekday: int, after: dt.date) -> dt.date:
    return after + dt.timedelta(days=(weekday - after.weekday()) % 7 or 7)


async def test_site_agenda_is_bootstrapped_from_the_locator_opening_hours(
    booking_client, locator_client, make_token
):
    site = await _site_with_hours(locator_client, "23")
    response = await booking_client.get(
        f"/v1/sites/{site['id']}/slots", params={"demarche": "ameli-carte-vitale"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timezone"] == "Europe/Paris" and body["duration_minutes"] == 20
    assert body["slots"], "a site with published hours has free slots"
    hours = {d["weekday"]: d["ranges"] for d in site["opening_hours"]}
    now = dt.datetime.now(dt.UTC)
    for slot in body["slots"]:
        start, end = dt.datetime.fromisoformat(slot["starts_at"]), dt.datetime.fromisoformat(slot["ends_at"])
        assert start >= now + dt.timedelta(hours=2), "minimum notice of 2 h"
        assert start <= now + dt.timedelta(days=60), "horizon of 60 days"
        assert slot["remaining"] == 2
        assert any(
            r["opens"] <= start.strftime("%H:%M") and end.strftime("%H:%M") <= r["closes"]
            for r in hours[start.weekday()]
        )
        assert start.date() not in (dt.date(2026, 12, 25), dt.date(2027, 1, 1)), "public holidays closed"
    token = make_token("agent", [site["id"]])
    agenda = await booking_client.get(
        f"/v1/agent/sites/{site['id']}/agenda", headers={"Authorization": f"Bearer {token}"}
    )
    assert agenda.status_code == 200
    assert agenda.json()["source"] == "locator" and agenda.json()["name"] == site["name"]
    assert agenda.json()["opening_hours_text"]


async def test_unknown_site_is_a_french_404(booking_client):
    response = await booking_client.get("/v1/sites/987654321/slots", params={"demarche": "caf-rsa"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "France Services" in response.json()["detail"]


async def test_overseas_site_slots_are_in_its_own_time_zone(booking_client, locator_client):
    site = await _site_with_hours(locator_client, "974")
    assert site["timezone"] == "Indian/Reunion"
    body = (await booking_client.get(f"/v1/sites/{site['id']}/slots", params={"demarche": "caf-rsa"})).json()
    assert body["timezone"] == "Indian/Reunion"
    assert body["slots"]
    first_hours = {r["opens"] for d in site["opening_hours"] for r in d["ranges"]}
    starts = [dt.datetime.fromisoformat(s["starts_at"]) for s in body["slots"]]
    assert all(s.utcoffset() == dt.timedelta(hours=4) for s in starts)
    assert {s.strftime("%H:%M") for s in starts} & first_hours, "slots start at the local opening hours"


def _last_sunday(year: int, month: int) -> dt.date:
    day = dt.date(year, month, 31)
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.parametrize("month", [3, 10])
async def test_slots_keep_local_hours_across_daylight_saving_changes(booking_client, stop_agenda, month):
    today = dt.date.today()
    change = _last_sunday(today.year, month)
    if change - dt.timedelta(days=2) <= today:  # the Friday before must still be ahead
        change = _last_sunday(today.year + 1, month)
    agenda = await stop_agenda(
        rules=[{"weekdays": [0, 1, 2, 3, 4, 5, 6], "ranges": [["09:00", "10:00"]]}], horizon_days=400
    )
    before, after = change - dt.timedelta(days=2), change + dt.timedelta(days=1)
    body = (
        await booking_client.get(
            f"/v1/stops/{agenda['stop_id']}/slots",
            params={"demarche": "caf-rsa", "from": before.isoformat(), "to": after.isoformat()},
        )
    ).json()
    by_day = {}
    for slot in body["slots"]:
        start = dt.datetime.fromisoformat(slot["starts_at"])
        by_day.setdefault(start.date(), []).append(start)
    assert set(by_day) == {before + dt.timedelta(days=i) for i in range(4)}
    for starts in by_day.values():
        assert [s.strftime("%H:%M") for s in starts] == ["09:00", "09:15"]  # 45 min within 09:00–10:00
    utc_before = by_day[before][0].astimezone(dt.UTC).hour
    utc_after = by_day[after][0].astimezone(dt.UTC).hour
    assert utc_before - utc_after == (1 if month == 3 else -1)


async def test_alsace_moselle_has_its_own_public_holidays(booking_client, stop_agenda):
    today = dt.date.today()
    st_stephen = dt.date(today.year if today < dt.date(today.year, 12, 25) else today.year + 1, 12, 26)
    params = {"demarche": "caf-rsa", "from": st_stephen.isoformat(), "to": st_stephen.isoformat()}
    results = {}
    for departement in ("67", "23"):
        agenda = await stop_agenda(departement=departement, closed_on_public_holidays=True, horizon_days=400)
        body = (await booking_client.get(f"/v1/stops/{agenda['stop_id']}/slots", params=params)).json()
        results[departement] = len(body["slots"])
    assert results["67"] == 0
    assert results["23"] > 0


async def test_exceptions_close_a_day_or_open_extra_hours(booking_client, stop_agenda, admin_headers):
    agenda = await stop_agenda(rules=[{"weekdays": [0, 1, 2, 3, 4], "ranges": [["09:00", "12:00"]]}])
    monday = _next(0, dt.date.today() + dt.timedelta(days=1))
    saturday = monday + dt.timedelta(days=5)
    base = f"/v1/agent/agendas/{agenda['id']}/exceptions"
    closed = await booking_client.post(
        base, json={"date": monday.isoformat(), "kind": "closed", "label": "Formation"}, headers=admin_headers
    )
    assert closed.status_code == 201, closed.text
    partly = {
        "date": (monday + dt.timedelta(days=1)).isoformat(),
        "kind": "closed",
        "ranges": [["09:00", "11:00"]],
    }
    assert (await booking_client.post(base, json=partly, headers=admin_headers)).status_code == 201
    extra = {"date": saturday.isoformat(), "kind": "open", "ranges": [["10:00", "11:00"]], "capacity": 1}
    assert (await booking_client.post(base, json=extra, headers=admin_headers)).status_code == 201
    body = (
        await booking_client.get(
            f"/v1/stops/{agenda['stop_id']}/slots",
            params={"demarche": "ameli-carte-vitale", "from": monday.isoformat(), "to": saturday.isoformat()},
        )
    ).json()
    days: dict[dt.date, list[str]] = {}
    for slot in body["slots"]:
        start = dt.datetime.fromisoformat(slot["starts_at"]).astimezone(ZoneInfo("Europe/Paris"))
        days.setdefault(start.date(), []).append(start.strftime("%H:%M"))
    assert monday not in days
    assert days[monday + dt.timedelta(days=1)] == ["11:00", "11:15", "11:30"]
    assert days[saturday] == ["10:00", "10:15", "10:30"]
    assert [s["remaining"] for s in body["slots"] if s["starts_at"].startswith(saturday.isoformat())] == [
        1,
        1,
        1,
    ]


async def test_several_demarches_add_up_their_durations(booking_client, stop_agenda):
    agenda = await stop_agenda(rules=[{"weekdays": [0, 1, 2, 3, 4, 5, 6], "ranges": [["09:00", "11:00"]]}])
    day = dt.date.today() + dt.timedelta(days=3)
    params = [("demarche", "caf-rsa"), ("demarche", "dgfip-declaration-revenus")]
    params += [("from", day.isoformat()), ("to", day.isoformat())]
    body = (await booking_client.get(f"/v1/stops/{agenda['stop_id']}/slots", params=params)).json()
    assert body["duration_minutes"] == 75
    starts = [dt.datetime.fromisoformat(s["starts_at"]).strftime("%H:%M") for s in body["slots"]]
    assert starts == ["09:00", "09:15", "09:30", "09:45"]


async def test_unknown_or_not_offered_demarche_is_refused(booking_client, stop_agenda):
    agenda = await stop_agenda(demarches=["caf-rsa"])
    unknown = await booking_client.get(f"/v1/stops/{agenda['stop_id']}/slots", params={"demarche": "nope"})
    assert unknown.status_code == 422
    not_offered = await booking_client.get(
        f"/v1/stops/{agenda['stop_id']}/slots", params={"demarche": "ameli-carte-vitale"}
    )
    assert not_offered.status_code == 422
    assert "n'est pas proposée" in not_offered.json()["detail"]


async def test_buffer_after_an_appointment_holds_the_next_unit(booking_client, stop_agenda, admin_headers):
    agenda = await stop_agenda(
        capacity=1,
        buffer_minutes=10,
        rules=[{"weekdays": [0, 1, 2, 3, 4, 5, 6], "ranges": [["09:00", "11:00"]]}],
    )
    day = dt.date.today() + dt.timedelta(days=3)
    params = {"demarche": "ameli-carte-vitale", "from": day.isoformat(), "to": day.isoformat()}
    slots = (await booking_client.get(f"/v1/stops/{agenda['stop_id']}/slots", params=params)).json()["slots"]
    nine = next(s for s in slots if s["starts_at"][11:16] == "09:00")
    body = {
        "stop_id": agenda["stop_id"],
        "demarches": ["ameli-carte-vitale"],
        "starts_at": nine["starts_at"],
        "person": {"name": "Camille Martin", "phone": "0612345678"},
    }
    assert (await booking_client.post("/v1/bookings", json=body)).status_code == 201
    after = (await booking_client.get(f"/v1/stops/{agenda['stop_id']}/slots", params=params)).json()["slots"]
    starts = [s["starts_at"][11:16] for s in after]
    # 20 minutes + 10 of buffer = 2 units of 15 minutes: 09:00 and 09:15 held, 08:45 does not exist
    assert starts[:2] == ["09:30", "09:45"]
    # and the unit grid cannot change under a booked future
    changed = await booking_client.patch(
        f"/v1/agent/agendas/{agenda['id']}", json={"slot_minutes": 20}, headers=admin_headers
    )
    assert changed.status_code == 409 and "durée des créneaux" in changed.json()["detail"]


async def test_an_unreachable_locator_is_a_french_502():
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}", timeout=1) as http:
        with pytest.raises(LocatorUnavailable) as error:
            await LocatorClient(http).get_site(1203)
    assert error.value.status == 502 and "ne répond pas" in error.value.detail


async def test_bus_stops_get_their_agenda_from_the_locator_visits(booking_client, locator_client, make_token):
    itinerary = (await locator_client.get("/v1/sites/47/stops")).json()
    monthois = next(s for s in itinerary["stops"] if s["name"] == "Mairie de Monthois")
    agenda = await booking_client.get(
        "/v1/agent/sites/47/agenda", headers={"Authorization": f"Bearer {make_token('agent', [47])}"}
    )
    assert agenda.status_code == 200, agenda.text
    body = (
        await booking_client.get(
            f"/v1/stops/{monthois['id']}/slots",
            params={"demarche": "caf-rsa", "from": in_days(1), "to": in_days(22)},
        )
    ).json()
    assert body["stop_id"] == monthois["id"] and body["site_id"] == 47
    starts = [dt.datetime.fromisoformat(s["starts_at"]) for s in body["slots"]]
    assert starts, "the bus comes on Mondays"
    assert {s.weekday() for s in starts} == {0}
    visit_hours = {v["start"][11:16] for v in monthois["next_visits"] if v["start"]}
    assert {s.strftime("%H:%M") for s in starts} & visit_hours


def test_visit_rules_by_week_of_month_and_parity():
    rules = (
        {"weekdays": [0], "ranges": [["09:00", "10:00"]], "weeks_of_month": [1, -1]},
        {"weekdays": [2], "ranges": [["14:00", "15:00"]], "week_parity": "even"},
    )
    calendar = Calendar(
        "Europe/Paris", "08", rules, capacity=2, slot_minutes=30, closed_on_public_holidays=False
    )
    mondays = [dt.date(2027, 3, d) for d in (1, 8, 15, 22, 29)]
    assert [bool(calendar.day_units(d)) for d in mondays] == [True, False, False, False, True]
    wednesdays = [dt.date(2027, 3, 3), dt.date(2027, 3, 10)]  # ISO weeks 9 and 10
    assert [bool(calendar.day_units(d)) for d in wednesdays] == [False, True]
    assert calendar.day_units(dt.date(2027, 3, 10)) == {14 * 60: 2, 14 * 60 + 30: 2}


async def test_sync_creates_every_agenda_of_a_departement_once(booking_app, booking_settings, locator_client):
    total = (await locator_client.get("/v1/sites", params={"departement": "08", "limit": 1})).json()["total"]
    await sync_agendas(booking_app, locator_client, booking_settings, "08")
    again = await sync_agendas(booking_app, locator_client, booking_settings, "08")
    assert (again.created, again.refreshed, again.retired) == (0, 0, []), "idempotent"
    async with booking_app.state.engine.connect() as conn:
        sites = await conn.scalar(
            text("SELECT count(*) FROM agenda WHERE departement = '08' AND stop_id IS NULL")
        )
        stops = await conn.scalar(
            text("SELECT count(*) FROM agenda WHERE site_id = 47 AND stop_id IS NOT NULL")
        )
    assert sites == total
    assert stops == len((await locator_client.get("/v1/sites/47/stops")).json()["stops"])


@pytest.mark.parametrize("path", ["/v1/sites/99999999999999999999/slots", "/v1/stops/0/slots"])
async def test_ids_outside_the_database_integers_are_a_422(booking_client, path):
    response = await booking_client.get(path, params={"demarche": "caf-rsa"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
