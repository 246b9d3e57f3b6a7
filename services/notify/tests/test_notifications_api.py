"""GET /v1/notifications?booking_id=: each delivery with its status, attempts and reason, for the
agents of the booking's site."""

import uuid

from fs_common.events import BookingEventType
from fs_testkit.events import SITE_ID, event, publish, snapshot
from fs_testkit.servers import wait_until

from .helpers import delivery_rows, running


async def test_agents_of_the_site_see_the_delivery_log(
    settings, api, agent_headers, smtp, redis_client, sessionmaker
):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    ok = snapshot(email_address="camille.durand@example.org")
    refused = snapshot(email_address="inconnu@example.org")
    async with running(settings):
        await publish(
            redis_client,
            settings.stream,
            event(BookingEventType.created, ok),
            event(BookingEventType.created, refused),
        )

        async def settled() -> bool:
            rows = await delivery_rows(sessionmaker)
            return len(rows) == 2 and all(r.status in ("sent", "dead") for r in rows)

        await wait_until(settled)

    response = await api.get(
        "/v1/notifications", params={"booking_id": str(ok.booking_id)}, headers=agent_headers()
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["site_id"], body["booking_status"]) == (SITE_ID, "confirmed")
    (delivery,) = body["deliveries"]
    assert delivery["channel"] == "email" and delivery["kind"] == "confirmation"
    assert (delivery["status"], delivery["attempts"], delivery["reason"]) == ("sent", 1, None)
    assert delivery["recipient"] == "c•••@e•••.org"  # masked
    assert [(r["offset_minutes"], r["status"]) for r in body["reminders"]] == [
        (2880, "scheduled"),
        (120, "scheduled"),
    ]

    response = await api.get(
        "/v1/notifications", params={"booking_id": str(refused.booking_id)}, headers=agent_headers()
    )
    (delivery,) = response.json()["deliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("dead", 1)
    assert delivery["reason"] == "SMTP 550 5.1.1 Mailbox unavailable"

    national = await api.get(
        "/v1/notifications",
        params={"booking_id": str(ok.booking_id)},
        headers=agent_headers("national_admin", []),
    )
    assert national.status_code == 200


async def test_other_sites_unknown_bookings_and_missing_tokens_are_refused(
    settings, api, agent_headers, smtp, redis_client, sessionmaker
):
    _, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    booking = snapshot()
    async with running(settings, dispatch=False):
        await publish(redis_client, settings.stream, event(BookingEventType.created, booking))
        await wait_until(lambda: delivery_rows(sessionmaker))
    params = {"booking_id": str(booking.booking_id)}

    forbidden = await api.get(
        "/v1/notifications", params=params, headers=agent_headers("agent", [SITE_ID + 1])
    )
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert forbidden.json()["detail"] == "Vous n'êtes pas habilité(e) pour cette France Services."

    missing = await api.get("/v1/notifications", params=params)
    assert missing.status_code == 401

    forged = await api.get(
        "/v1/notifications", params=params, headers={"Authorization": "Bearer abc.def.ghi"}
    )
    assert forged.status_code == 401

    unknown = await api.get(
        "/v1/notifications", params={"booking_id": str(uuid.uuid4())}, headers=agent_headers()
    )
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Aucune notification pour ce rendez-vous."

    invalid = await api.get("/v1/notifications", params={"booking_id": "42"}, headers=agent_headers())
    assert invalid.status_code == 422
