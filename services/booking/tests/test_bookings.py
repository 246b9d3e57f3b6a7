import asyncio
import datetime as dt
import random
import uuid

from sqlalchemy import text

from .helpers import booking_body, free_slots, in_days


async def test_book_view_and_slot_count_goes_down(booking_client, stop_agenda):
    agenda = await stop_agenda()
    day = in_days(3)
    slot = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[0]
    created = await booking_client.post(
        "/v1/bookings", json=booking_body(agenda["stop_id"], slot["starts_at"])
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "confirmed" and body["starts_at"] == slot["starts_at"]
    assert len(body["manage_token"]) >= 43  # 256 bits, URL-safe base64
    assert (
        body["manage_url"] == f"http://127.0.0.1:8000/rendez-vous#{body['manage_token']}"
    )  # the booking page
    assert body["demarches"][0]["documents"]
    view = await booking_client.post("/v1/bookings/manage", json={"token": body["manage_token"]})
    assert view.status_code == 200 and view.json()["id"] == body["id"]
    after = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    assert next(s for s in after if s["starts_at"] == slot["starts_at"])["remaining"] == slot["remaining"] - 1


async def test_200_concurrent_attempts_on_a_slot_of_capacity_2(booking_client, stop_agenda, booking_app):
    agenda = await stop_agenda(capacity=2)
    day = in_days(2)
    slot = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[5]
    body = booking_body(agenda["stop_id"], slot["starts_at"])
    responses = await asyncio.gather(*(booking_client.post("/v1/bookings", json=body) for _ in range(200)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) == 2
    assert statuses.count(409) == 198
    conflict = next(r for r in responses if r.status_code == 409)
    assert conflict.headers["content-type"] == "application/problem+json"
    problem = conflict.json()
    assert problem["detail"].startswith("Ce créneau vient d'être réservé")
    assert problem["alternatives"] and slot["starts_at"] not in {
        a["starts_at"] for a in problem["alternatives"]
    }
    async with booking_app.state.engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM booking WHERE agenda_id = :a AND status = 'confirmed'"),
            {"a": agenda["id"]},
        )
    assert count == 2


async def test_1000_attempts_over_50_slots_never_exceed_capacity(booking_client, stop_agenda, booking_app):
    agenda = await stop_agenda(capacity=2, slot_minutes=20)
    day = in_days(4)
    slots = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[:50]
    assert len(slots) == 50
    rng = random.Random(3)
    targets = [slots[i % 50]["starts_at"] for i in range(1000)]
    rng.shuffle(targets)
    responses = await asyncio.gather(
        *(booking_client.post("/v1/bookings", json=booking_body(agenda["stop_id"], t)) for t in targets)
    )
    statuses = [r.status_code for r in responses]
    assert set(statuses) == {201, 409}
    assert statuses.count(201) == 100  # every slot filled exactly to its capacity
    async with booking_app.state.engine.connect() as conn:
        worst = await conn.scalar(
            text(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM booking WHERE agenda_id = :a "
                "AND status = 'confirmed' GROUP BY starts_at) AS per_slot"
            ),
            {"a": agenda["id"]},
        )
        over = await conn.scalar(text("SELECT count(*) FROM slot_load WHERE used > capacity"))
    assert worst == 2 and over == 0


async def test_20_parallel_replays_of_one_idempotency_key_make_one_booking(
    booking_client, stop_agenda, booking_app
):
    agenda = await stop_agenda()
    day = in_days(5)
    slot = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[0]
    body = booking_body(agenda["stop_id"], slot["starts_at"])
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(
        *(booking_client.post("/v1/bookings", json=body, headers=headers) for _ in range(20))
    )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1
    assert len({r.json()["manage_token"] for r in responses}) == 1
    assert sum(r.headers.get("Idempotent-Replayed") == "true" for r in responses) == 19
    async with booking_app.state.engine.connect() as conn:
        count = await conn.scalar(
            text("SELECT count(*) FROM booking WHERE agenda_id = :a"), {"a": agenda["id"]}
        )
        plain = await conn.scalar(
            text("SELECT count(*) FROM idempotency_record WHERE key_hash = :k"),
            {"k": headers["Idempotency-Key"]},
        )
    assert count == 1
    assert plain == 0, "the key is stored hashed"
    other = booking_body(agenda["stop_id"], slot["starts_at"], name="Quelqu'un d'autre")
    reused = await booking_client.post("/v1/bookings", json=other, headers=headers)
    assert reused.status_code == 422
    assert "clé d'idempotence" in reused.json()["detail"]


async def test_invalid_bookings_are_refused_in_french(booking_client, stop_agenda):
    agenda = await stop_agenda(rules=[{"weekdays": [0, 1, 2, 3, 4, 5, 6], "ranges": [["09:00", "12:00"]]}])
    day = in_days(3)
    slot = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[0]
    start = dt.datetime.fromisoformat(slot["starts_at"])
    cases = [
        booking_body(agenda["stop_id"], slot["starts_at"], email=None),  # no way to reach the person
        booking_body(agenda["stop_id"], (start + dt.timedelta(minutes=7)).isoformat()),  # not a slot
        booking_body(agenda["stop_id"], (start.replace(hour=11, minute=45)).isoformat()),  # runs past closing
        booking_body(agenda["stop_id"], (start - dt.timedelta(days=5)).isoformat()),  # in the past
        booking_body(agenda["stop_id"], slot["starts_at"]) | {"site_id": 1},  # two places
        booking_body(agenda["stop_id"], slot["starts_at"][:19]),  # no time zone
        booking_body(agenda["stop_id"], slot["starts_at"]) | {"stop_id": None, "site_id": False},  # not an id
        booking_body(agenda["stop_id"], slot["starts_at"]) | {"stop_id": 2**40},  # beyond the database's ids
    ]
    for body in cases:
        response = await booking_client.post("/v1/bookings", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.headers["content-type"] == "application/problem+json"
