"""Sample booking events, and publishing them as booking's relay does (sealed, on a Redis stream)."""

import datetime as dt
import json
import uuid

import redis.asyncio as redis

from fs_common.events import (
    EVENT_FIELD,
    BookingEvent,
    BookingEventType,
    BookingSnapshot,
    Contact,
    DemarcheRef,
    EventKeys,
    Place,
)

from .isolation import TEST_EVENT_KEYS

SITE_ID = 4242


def snapshot(
    *,
    booking_id: uuid.UUID | None = None,
    starts_at: dt.datetime | None = None,
    status: str = "confirmed",
    email_address: str | None = "camille.durand@example.org",
    phone: str | None = None,
    timezone: str = "America/Cayenne",
    cancelled_by: str | None = None,
    manage_url: str | None = "https://rdv.france-services.example/gerer/t0k3n-0123456789abcdef",
    previous_starts_at: dt.datetime | None = None,
) -> BookingSnapshot:
    starts_at = starts_at or dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=5)
    return BookingSnapshot(
        booking_id=booking_id or uuid.uuid4(),
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=30),
        place=Place(
            site_id=SITE_ID,
            name="France Services de Saint-Laurent-du-Maroni",
            address="12 avenue Félix Éboué, 97320 Saint-Laurent-du-Maroni",
            timezone=timezone,
            opening_hours_text="du lundi au vendredi de 8 h à 12 h et de 14 h à 17 h",
        ),
        demarches=[
            DemarcheRef(
                code="caf-rsa",
                label="Demande de RSA",
                partner="caf",
                documents=["Pièce d'identité", "Relevé d'identité bancaire"],
            )
        ],
        contact=Contact(name="Camille Durand", email=email_address, phone=phone, consent_contact=True),
        manage_url=manage_url,
        cancelled_by=cancelled_by,
        previous_starts_at=previous_starts_at,
    )


def event(
    kind: BookingEventType, booking: BookingSnapshot, *, occurred_at: dt.datetime | None = None
) -> BookingEvent:
    return BookingEvent(type=kind, occurred_at=occurred_at or dt.datetime.now(dt.UTC), booking=booking)


async def publish(
    client: redis.Redis, stream: str, *events: BookingEvent, keys: str = TEST_EVENT_KEYS
) -> None:
    """As booking's relay does: each event with its contact and manage link sealed."""
    sealer = EventKeys.parse(keys)
    async with client.pipeline(transaction=False) as pipe:
        for e in events:
            pipe.xadd(stream, {EVENT_FIELD: json.dumps(sealer.seal(e))})
        await pipe.execute()
