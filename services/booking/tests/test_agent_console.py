"""What the agents' console needs from booking: bookings made for someone, walk-ins, activity figures.

Every endpoint is tried by an agent of the site (allowed) and by an agent of another site (403)."""

import csv
import datetime as dt
import io
from collections import Counter

from sqlalchemy import text

from .helpers import booking_body, free_slots, in_days


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def agent_body(stop_id: int, starts_at: str, **extra) -> dict:
    return {
        "stop_id": stop_id,
        "demarches": ["ameli-carte-vitale"],
        "starts_at": starts_at,
        "person": {"name": "Jeanne Petit", "phone": "06 12 34 56 78"},
    } | extra


async def agent_slots(client, stop_id: int, headers: dict, **params) -> list[dict]:
    response = await client.get(
        f"/v1/agent/stops/{stop_id}/slots",
        params={"demarche": "ameli-carte-vitale"} | params,
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()["slots"]


async def test_an_agent_books_for_someone_without_minimum_notice_and_with_only_a_name(
    booking_client, stop_agenda, make_token
):
    agenda = await stop_agenda(min_notice_minutes=24 * 60)
    stop_id, site_id = agenda["stop_id"], agenda["site_id"]
    mine = bearer(make_token("agent", [site_id]))
    window = {"from": in_days(0), "to": in_days(2)}
    public = await free_slots(booking_client, stop_id, **window)
    offered = await agent_slots(booking_client, stop_id, mine, **window)
    soon = offered[0]["starts_at"]
    assert dt.datetime.fromisoformat(soon) < dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert all(
        dt.datetime.fromisoformat(s["starts_at"]) > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
        for s in public
    )

    too_soon_online = await booking_client.post("/v1/bookings", json=booking_body(stop_id, soon))
    assert too_soon_online.status_code == 422
    name_only = agent_body(stop_id, soon, person={"name": "Jeanne Petit"})
    made = await booking_client.post(
        "/v1/agent/bookings", json=name_only, headers=mine | {"Idempotency-Key": f"guichet-{stop_id}"}
    )
    assert made.status_code == 201, made.text
    booking = made.json()
    assert booking["channel"] == "agent" and booking["created_by"] == "agent:agent-1"
    assert booking["person"] == {
        "name": "Jeanne Petit",
        "email": None,
        "phone": None,
        "consent_contact": False,
    }
    assert booking["manage_url"] and booking["demarches"][0]["documents"]
    again = await booking_client.post(
        "/v1/agent/bookings", json=name_only, headers=mine | {"Idempotency-Key": f"guichet-{stop_id}"}
    )
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == booking["id"]

    day = await booking_client.get(
        f"/v1/agent/sites/{site_id}/bookings", params={"date": soon[:10]}, headers=mine
    )
    listed = next(b for b in day.json() if b["id"] == booking["id"])
    assert listed["channel"] == "agent" and listed["created_by"] == "agent:agent-1"

    # the same capacity guarantee: the slot holds two, the third is refused with alternatives
    second = await booking_client.post("/v1/agent/bookings", json=agent_body(stop_id, soon), headers=mine)
    assert second.status_code == 201
    full = await booking_client.post("/v1/agent/bookings", json=agent_body(stop_id, soon), headers=mine)
    assert full.status_code == 409 and full.json()["alternatives"]


async def test_only_agents_of_the_site_book_for_someone_there(booking_client, stop_agenda, make_token):
    agenda, other = await stop_agenda(), await stop_agenda()
    stranger = bearer(make_token("agent", [other["site_id"]]))
    slot = (await free_slots(booking_client, agenda["stop_id"], **{"from": in_days(2), "to": in_days(2)}))[0]
    body = agent_body(agenda["stop_id"], slot["starts_at"])
    refused = await booking_client.post("/v1/agent/bookings", json=body, headers=stranger)
    assert refused.status_code == 403 and "habilité" in refused.json()["detail"]
    by_site = await booking_client.post(
        "/v1/agent/bookings", json=body | {"stop_id": None, "site_id": agenda["site_id"]}, headers=stranger
    )
    assert by_site.status_code == 403
    assert (await booking_client.post("/v1/agent/bookings", json=body)).status_code == 401
    slots = await booking_client.get(
        f"/v1/agent/stops/{agenda['stop_id']}/slots",
        params={"demarche": "ameli-carte-vitale"},
        headers=stranger,
    )
    assert slots.status_code == 403
    site_slots = await booking_client.get(
        f"/v1/agent/sites/{agenda['site_id']}/slots",
        params={"demarche": "ameli-carte-vitale"},
        headers=stranger,
    )
    assert site_slots.status_code == 403
    past = agent_body(agenda["stop_id"], (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).isoformat())
    mine = bearer(make_token("agent", [agenda["site_id"]]))
    assert (await booking_client.post("/v1/agent/bookings", json=past, headers=mine)).status_code == 422
    hostile = [
        agent_body(agenda["stop_id"], slot["starts_at"], person={"name": "x" * 101}),
        agent_body(agenda["stop_id"], slot["starts_at"], person={"name": "Jeanne", "phone": "=1+1"}),
        agent_body(agenda["stop_id"], slot["starts_at"], note="n" * 501),
        agent_body(agenda["stop_id"], "9999-12-31T23:59:59+00:00"),
        agent_body(agenda["stop_id"], slot["starts_at"]) | {"stop_id": 2**40},
    ]
    for bad in hostile:
        assert (await booking_client.post("/v1/agent/bookings", json=bad, headers=mine)).status_code == 422, (
            bad
        )


async def test_an_agent_reschedules_for_the_person_but_not_at_another_site(
    booking_client, stop_agenda, make_token
):
    agenda = await stop_agenda()
    mine = bearer(make_token("agent", [agenda["site_id"]]))
    slots = await agent_slots(
        booking_client, agenda["stop_id"], mine, **{"from": in_days(2), "to": in_days(2)}
    )
    made = (
        await booking_client.post("/v1/bookings", json=booking_body(agenda["stop_id"], slots[0]["starts_at"]))
    ).json()
    url = f"/v1/agent/bookings/{made['id']}/reschedule"
    stranger = bearer(make_token("agent", [1]))
    refused = await booking_client.post(url, json={"starts_at": slots[3]["starts_at"]}, headers=stranger)
    assert refused.status_code == 403
    moved = await booking_client.post(url, json={"starts_at": slots[3]["starts_at"]}, headers=mine)
    assert moved.status_code == 200, moved.text
    assert (
        moved.json()["starts_at"] == slots[3]["starts_at"]
        and moved.json()["manage_token"] != made["manage_token"]
    )
    unknown = await booking_client.post(
        "/v1/agent/bookings/00000000-0000-4000-8000-000000000000/reschedule",
        json={"starts_at": slots[3]["starts_at"]},
        headers=mine,
    )
    assert unknown.status_code == 404


async def test_an_agent_cancels_for_the_person_within_the_hour_but_not_at_another_site(
    booking_client, stop_agenda, make_token, booking_app
):
    """On the phone, the person asks to cancel: no cut-off for the agent, the place is free again and the
    event says the person cancelled (their message is "your booking is cancelled", not "the site
    cancelled it")."""
    agenda = await stop_agenda()
    mine = bearer(make_token("agent", [agenda["site_id"]]))
    window = {"from": in_days(0), "to": in_days(2)}
    soon = (await agent_slots(booking_client, agenda["stop_id"], mine, **window))[0]
    made = (
        await booking_client.post(
            "/v1/agent/bookings", json=agent_body(agenda["stop_id"], soon["starts_at"]), headers=mine
        )
    ).json()
    url = f"/v1/agent/bookings/{made['id']}"
    stranger = bearer(make_token("agent", [1]))
    refused = await booking_client.patch(url, json={"status": "cancelled"}, headers=stranger)
    assert refused.status_code == 403
    cancelled = await booking_client.patch(url, json={"status": "cancelled"}, headers=mine)
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_by"] == "person"
    again = await booking_client.patch(url, json={"status": "cancelled"}, headers=mine)
    assert again.status_code == 409
    after = await agent_slots(booking_client, agenda["stop_id"], mine, **window)
    assert next(s for s in after if s["starts_at"] == soon["starts_at"])["remaining"] == soon["remaining"]
    async with booking_app.state.engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT type, payload->'booking'->>'status', payload->'booking'->>'cancelled_by' FROM outbox "
                "WHERE payload->'booking'->>'booking_id' = :id ORDER BY seq"
            ),
            {"id": made["id"]},
        )
        assert [tuple(r) for r in rows] == [
            ("booking.created", "confirmed", None),
            ("booking.cancelled", "cancelled", "person"),
        ]


async def test_walk_ins_are_recorded_without_personal_data_and_only_by_the_sites_agents(
    booking_client, stop_agenda, make_token
):
    agenda = await stop_agenda()
    site_id = agenda["site_id"]
    mine, stranger = bearer(make_token("agent", [site_id])), bearer(make_token("agent", [site_id + 1]))
    url = f"/v1/agent/sites/{site_id}/visits"
    body = {"partner": "caf", "demarches": ["caf-rsa"], "duration_minutes": 20, "outcome": "redirected"}
    made = await booking_client.post(url, json=body, headers=mine)
    assert made.status_code == 201, made.text
    visit = made.json()
    assert (
        visit["partner"] == "caf"
        and visit["outcome"] == "redirected"
        and visit["created_by"] == "agent:agent-1"
    )
    assert set(visit) == {
        "id",
        "site_id",
        "day",
        "occurred_at",
        "partner",
        "demarches",
        "label",
        "duration_minutes",
        "outcome",
        "created_by",
    }
    minimal = await booking_client.post(url, json={"partner": "la_poste", "label": "Colis"}, headers=mine)
    assert minimal.status_code == 201 and minimal.json()["duration_minutes"] == 15
    listed = await booking_client.get(url, params={"date": visit["day"]}, headers=mine)
    assert [v["id"] for v in listed.json()] == [visit["id"], minimal.json()["id"]]

    assert (await booking_client.post(url, json=body, headers=stranger)).status_code == 403
    assert (await booking_client.get(url, params={"date": visit["day"]}, headers=stranger)).status_code == 403
    assert (await booking_client.post(url, json=body)).status_code == 401
    now = dt.datetime.now(dt.UTC)
    hostile = [
        body | {"partner": "inconnu"},
        body | {"demarches": ["n'existe-pas"]},
        body | {"demarches": ["caf-rsa", "caf-rsa"]},
        body | {"label": "ligne\u0000nulle"},
        body | {"label": "x" * 121},
        body | {"duration_minutes": 0},
        body | {"duration_minutes": 10**9},
        body | {"occurred_at": (now + dt.timedelta(days=2)).isoformat()},
        body | {"occurred_at": (now - dt.timedelta(days=40)).isoformat()},
        body | {"occurred_at": "9999-12-31T23:59:59+00:00"},
        body | {"demarches": ["caf-rsa"] * 6},
    ]
    for bad in hostile:
        assert (await booking_client.post(url, json=bad, headers=mine)).status_code == 422, bad
    huge = await booking_client.post(
        f"/v1/agent/sites/{2**40}/visits", json=body, headers=bearer(make_token("national_admin"))
    )
    assert huge.status_code == 422


async def test_activity_figures_of_a_month_equal_the_counts_of_what_happened(
    booking_client, stop_agenda, make_token
):
    """Seed a site's month (online and agent bookings, statuses, walk-ins), then compare every figure
    with counts computed here from what the test did."""
    agenda = await stop_agenda()
    site_id, stop_id = agenda["site_id"], agenda["stop_id"]
    mine = bearer(make_token("site_admin", [site_id]))
    day = in_days(3)
    slots = await agent_slots(booking_client, stop_id, mine, **{"from": day, "to": day})
    plan = [  # (channel, démarches, final status)
        ("online", ["ameli-carte-vitale"], "honoured"),
        ("online", ["caf-rsa", "ameli-carte-vitale"], "honoured"),
        ("agent", ["caf-rsa"], "honoured"),
        ("agent", ["ameli-carte-vitale"], "no_show"),
        ("online", ["caf-rsa"], "excused"),
        ("online", ["ameli-carte-vitale"], "cancelled_by_site"),
        ("agent", ["caf-prime-activite"], "confirmed"),
    ]
    seeded = []
    for (channel, demarches, status), slot in zip(plan, slots[::8], strict=False):
        body = booking_body(stop_id, slot["starts_at"], demarches)
        if channel == "online":
            made = await booking_client.post("/v1/bookings", json=body)
        else:
            made = await booking_client.post("/v1/agent/bookings", json=body, headers=mine)
        assert made.status_code == 201, made.text
        if status != "confirmed":
            changed = await booking_client.patch(
                f"/v1/agent/bookings/{made.json()['id']}", json={"status": status}, headers=mine
            )
            assert changed.status_code == 200, changed.text
        seeded.append((made.json()["starts_at"][:7], channel, demarches, status))
    walk_ins = [("caf", ["caf-rsa"], "solved"), ("france_travail", [], "redirected"), ("caf", [], "solved")]
    visits = []
    for partner, demarches, outcome in walk_ins:
        made = await booking_client.post(
            f"/v1/agent/sites/{site_id}/visits",
            json={"partner": partner, "demarches": demarches, "outcome": outcome},
            headers=mine,
        )
        visits.append((made.json()["day"][:7], partner, demarches, outcome))

    partner_of = {"ameli-carte-vitale": "assurance_maladie", "caf-rsa": "caf", "caf-prime-activite": "caf"}
    for month in sorted({m for m, *_ in seeded} | {m for m, *_ in visits}):
        b = [s for s in seeded if s[0] == month]
        v = [s for s in visits if s[0] == month]
        honoured = [s for s in b if s[3] == "honoured"]
        by_partner = Counter(p for s in honoured for p in {partner_of[c] for c in s[2]}) + Counter(
            s[1] for s in v
        )
        by_demarche = Counter(c for s in honoured for c in s[2]) + Counter(c for s in v for c in s[2])
        response = await booking_client.get(
            "/v1/agent/activity", params={"month": month, "site_id": site_id}, headers=mine
        )
        assert response.status_code == 200, response.text
        figures = response.json()
        assert figures["accompaniments"] == len(honoured) + len(v)
        assert figures["bookings_honoured"] == len(honoured)
        assert figures["walk_ins"] == len(v)
        assert figures["walk_ins_redirected"] == sum(1 for s in v if s[3] == "redirected")
        assert figures["no_shows"] == sum(1 for s in b if s[3] == "no_show")
        assert figures["excused"] == sum(1 for s in b if s[3] == "excused")
        assert figures["cancellations"] == sum(1 for s in b if s[3].startswith("cancelled"))
        assert figures["bookings_total"] == len(b)
        assert figures["bookings_online"] == sum(1 for s in b if s[1] == "online")
        assert figures["bookings_by_agent"] == sum(1 for s in b if s[1] == "agent")
        assert {p["partner"]: p["count"] for p in figures["by_partner"]} == dict(by_partner)
        assert {d["code"]: d["count"] for d in figures["by_demarche"]} == dict(by_demarche)
        if b:
            assert 0 < figures["median_lead_time_hours"] < 24 * 5
        national = await booking_client.get(
            "/v1/agent/activity", params={"month": month}, headers=bearer(make_token("national_admin"))
        )
        assert national.status_code == 200 and national.json()["site_id"] is None
        assert national.json()["accompaniments"] >= figures["accompaniments"]
        exported = await booking_client.get(
            "/v1/agent/activity", params={"month": month, "site_id": site_id, "format": "csv"}, headers=mine
        )
        rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
        assert rows[0] == ["rubrique", "code", "libellé", "nombre"]
        assert ["total", "accompaniments"] == rows[1][:2] and rows[1][3] == str(figures["accompaniments"])
        assert not any(name in exported.text for name in ("Camille", "Martin", "@"))


async def test_activity_is_scoped_to_the_agents_sites(booking_client, stop_agenda, make_token):
    agenda = await stop_agenda()
    month = in_days(0)[:7]
    url = "/v1/agent/activity"
    stranger = bearer(make_token("agent", [agenda["site_id"] + 1]))
    other = await booking_client.get(
        url, params={"month": month, "site_id": agenda["site_id"]}, headers=stranger
    )
    assert other.status_code == 403
    national = await booking_client.get(url, params={"month": month}, headers=stranger)
    assert national.status_code == 403 and "nationaux" in national.json()["detail"]
    assert (await booking_client.get(url, params={"month": month})).status_code == 401
    mine = bearer(make_token("agent", [agenda["site_id"]]))
    for bad in ("2026-13", "2026-1", "99999-01", "1900-01", "2026-01\n", ""):
        response = await booking_client.get(
            url, params={"month": bad, "site_id": agenda["site_id"]}, headers=mine
        )
        assert response.status_code == 422, bad
    huge = await booking_client.get(url, params={"month": month, "site_id": 2**40}, headers=mine)
    assert huge.status_code == 422
