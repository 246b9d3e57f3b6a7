"""Contact details are blanked once the appointment is past the retention period."""

import datetime as dt

from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import wait_until
from notify.events.models import BookingState
from notify.retention.service import anonymise

from .helpers import delivery_rows, running


async def test_past_bookings_lose_their_contact_details_recent_ones_keep_them(
    settings, api, agent_headers, redis_client, sessionmaker
):
    now = dt.datetime.now(dt.UTC)
    old = snapshot(starts_at=now + dt.timedelta(days=3), phone="+33612345678")
    recent = snapshot(starts_at=now + dt.timedelta(days=200))
    async with running(settings, dispatch=False):
        await publish(redis_client, settings.stream, event(BookingEventType.created, old))
        await publish(redis_client, settings.stream, event(BookingEventType.created, recent))

        async def both() -> bool:
            return len(await delivery_rows(sessionmaker)) == 2

        await wait_until(both)

    later = now + dt.timedelta(days=3 + settings.retention_days + 1)
    assert await anonymise(sessionmaker, settings=settings, now=later) == 1
    assert await anonymise(sessionmaker, settings=settings, now=later) == 0  # done once

    async with sessionmaker() as session:
        blanked = await session.get(BookingState, old.booking_id)
        kept = await session.get(BookingState, recent.booking_id)
    assert blanked.snapshot["contact"] == {"name": "", "email": None, "phone": None, "consent_contact": False}
    assert blanked.snapshot["manage_url"] is None and blanked.manage_url is None
    assert blanked.snapshot["place"]["site_id"] == old.place.site_id  # the rest stays for support
    assert kept.snapshot["contact"]["email"] == recent.contact.email

    (delivery,) = await delivery_rows(sessionmaker, old.booking_id)
    assert (delivery.recipient, delivery.payload) == ("(effacé)", {})
    (delivery,) = await delivery_rows(sessionmaker, recent.booking_id)
    assert delivery.recipient == recent.contact.email and delivery.payload["subject"]

    response = await api.get(
        "/v1/notifications", params={"booking_id": str(old.booking_id)}, headers=agent_headers()
    )
    assert [d["recipient"] for d in response.json()["deliveries"]] == ["(effacé)"]
