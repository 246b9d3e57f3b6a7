import datetime as dt

from .helpers import booking_body, free_slots, in_days


async def _book(client, stop_id: int, starts_at: str) -> dict:
    response = await client.post("/v1/bookings", json=booking_body(stop_id, starts_at))
    assert response.status_code == 201, response.text
    return response.json()


async def test_reschedule_moves_the_booking_and_replaces_its_link(booking_client, stop_agenda, booking_app):
    agenda = await stop_agenda(capacity=1)
    day, other_day = in_days(3), in_days(4)
    first = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[0]
    target = (await free_slots(booking_client, agenda["stop_id"], **{"from": other_day, "to": other_day}))[0]
    booking = await _book(booking_client, agenda["stop_id"], first["starts_at"])
    moved = await booking_client.post(
        "/v1/bookings/manage/reschedule",
        json={"token": booking["manage_token"], "starts_at": target["starts_at"]},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["id"] == booking["id"] and moved.json()["starts_at"] == target["starts_at"]
    new_token = moved.json()["manage_token"]
    assert new_token != booking["manage_token"]
    old = await booking_client.post("/v1/bookings/manage", json={"token": booking["manage_token"]})
    assert old.status_code == 404 and "lien" in old.json()["detail"]
    assert (await booking_client.post("/v1/bookings/manage", json={"token": new_token})).json()[
        "starts_at"
    ] == target["starts_at"]
    # the old slot is free again, the new one is taken (capacity 1): one booking moved, none duplicated
    slots_first = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    slots_target = await free_slots(booking_client, agenda["stop_id"], **{"from": other_day, "to": other_day})
    assert first["starts_at"] in {s["starts_at"] for s in slots_first}
    assert target["starts_at"] not in {s["starts_at"] for s in slots_target}


async def test_reschedule_to_a_taken_slot_keeps_the_original(booking_client, stop_agenda):
    agenda = await stop_agenda(capacity=1)
    day = in_days(3)
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    mine = await _book(booking_client, agenda["stop_id"], slots[0]["starts_at"])
    await _book(booking_client, agenda["stop_id"], slots[3]["starts_at"])
    refused = await booking_client.post(
        "/v1/bookings/manage/reschedule",
        json={"token": mine["manage_token"], "starts_at": slots[3]["starts_at"]},
    )
    assert refused.status_code == 409
    assert refused.json()["alternatives"]
    still = await booking_client.post("/v1/bookings/manage", json={"token": mine["manage_token"]})
    assert still.json()["starts_at"] == slots[0]["starts_at"] and still.json()["status"] == "confirmed"
    left = await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day})
    assert slots[0]["starts_at"] not in {s["starts_at"] for s in left}, "the original place is still held"


async def test_cancel_frees_the_place_and_a_reused_token_is_refused(booking_client, stop_agenda):
    agenda = await stop_agenda(capacity=1)
    day = in_days(2)
    slot = (await free_slots(booking_client, agenda["stop_id"], **{"from": day, "to": day}))[0]
    booking = await _book(booking_client, agenda["stop_id"], slot["starts_at"])
    token = booking["manage_token"]
    cancelled = await booking_client.post("/v1/bookings/manage/cancel", json={"token": token})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["cancelled_by"] == "person"
    again = await booking_client.post("/v1/bookings/manage/cancel", json={"token": token})
    assert again.status_code == 409 and again.json()["detail"] == "Ce rendez-vous est déjà annulé."
    move = await booking_client.post(
        "/v1/bookings/manage/reschedule", json={"token": token, "starts_at": slot["starts_at"]}
    )
    assert move.status_code == 409
    assert (await booking_client.post("/v1/bookings/manage", json={"token": token})).json()[
        "status"
    ] == "cancelled"
    rebooked = await booking_client.post(
        "/v1/bookings", json=booking_body(agenda["stop_id"], slot["starts_at"])
    )
    assert rebooked.status_code == 201, "the cancelled place is free again"


async def test_cut_offs_refuse_late_cancel_and_reschedule(booking_client, stop_agenda):
    agenda = await stop_agenda()
    now = dt.datetime.now(dt.UTC)
    slots = await free_slots(booking_client, agenda["stop_id"], **{"from": in_days(0), "to": in_days(2)})
    soon = next(s for s in slots if dt.datetime.fromisoformat(s["starts_at"]) > now + dt.timedelta(hours=1))
    tomorrow = next(
        s for s in slots if dt.datetime.fromisoformat(s["starts_at"]) > now + dt.timedelta(hours=10)
    )
    later = next(s for s in slots if dt.datetime.fromisoformat(s["starts_at"]) > now + dt.timedelta(hours=30))
    soon_booking = await _book(booking_client, agenda["stop_id"], soon["starts_at"])
    cancel = await booking_client.post(
        "/v1/bookings/manage/cancel", json={"token": soon_booking["manage_token"]}
    )
    assert cancel.status_code == 409 and "4 h avant" in cancel.json()["detail"]
    day_booking = await _book(booking_client, agenda["stop_id"], tomorrow["starts_at"])
    move = await booking_client.post(
        "/v1/bookings/manage/reschedule",
        json={"token": day_booking["manage_token"], "starts_at": later["starts_at"]},
    )
    assert move.status_code == 409 and "24 h avant" in move.json()["detail"]
    assert (
        await booking_client.post("/v1/bookings/manage/cancel", json={"token": day_booking["manage_token"]})
    ).status_code == 200


async def test_wrong_tokens_are_a_french_404(booking_client):
    for token in ("x" * 43, "A" * 30):
        for path in ("", "/cancel"):
            response = await booking_client.post(f"/v1/bookings/manage{path}", json={"token": token})
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert "lien" in response.json()["detail"]


async def test_the_token_never_travels_in_the_address(booking_client, stop_agenda):
    """The old shape, token in the path, is gone: proxies log paths."""
    agenda = await stop_agenda()
    slot = (await free_slots(booking_client, agenda["stop_id"]))[0]
    token = (await _book(booking_client, agenda["stop_id"], slot["starts_at"]))["manage_token"]
    assert (await booking_client.get(f"/v1/bookings/manage/{token}")).status_code in (404, 405)
    assert (await booking_client.post(f"/v1/bookings/manage/{token}/cancel")).status_code == 404
    assert (await booking_client.post("/v1/bookings/manage", json={"token": token})).status_code == 200


async def test_hostile_tokens_are_refused_in_french(booking_client):
    for body in (
        {"token": "a" * 10_000},
        {"token": "../../etc/passwd-aaaaaaaaaaaaaaaaaaa"},
        {"token": "aaaaaaaaaaaaaaaaaaaaaaa\u0000"},
        {"token": 12345678901234567890123},
        {},
    ):
        response = await booking_client.post("/v1/bookings/manage", json=body)
        assert response.status_code == 422, body
        assert response.headers["content-type"] == "application/problem+json"
