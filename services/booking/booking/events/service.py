"""Booking events: the snapshot notify needs, written to the outbox in the caller's transaction."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from booking.agendas.models import Agenda
from booking.bookings.models import Booking
from booking.catalogue.models import Demarche
from booking.config import BookingSettings
from booking.events import repository
from booking.events.models import OutboxEvent
from fs_common.events import (
    BookingEvent,
    BookingEventType,
    BookingSnapshot,
    Contact,
    DemarcheRef,
    EventKeys,
    Place,
)


@functools.lru_cache(maxsize=4)
def _keys(value: str, key_file: str) -> EventKeys:
    return EventKeys.load(value, key_file)


def keys_of(settings: BookingSettings) -> EventKeys:
    """The keys shared with notify (``BOOKING_EVENTS_KEYS``, else the key file), read once."""
    return _keys(settings.events_keys, settings.events_keys_file)


def place(agenda: Agenda) -> Place:
    return Place(
        site_id=agenda.site_id,
        stop_id=agenda.stop_id,
        name=agenda.name,
        address=agenda.address,
        timezone=agenda.timezone,
        opening_hours_text=agenda.opening_hours_text,
    )


def snapshot(
    booking: Booking,
    agenda: Agenda,
    demarches: list[Demarche],
    *,
    manage_url: str | None = None,
    previous_starts_at: dt.datetime | None = None,
) -> BookingSnapshot:
    tz = ZoneInfo(agenda.timezone)
    return BookingSnapshot(
        booking_id=booking.id,
        status=booking.status,
        starts_at=booking.starts_at.astimezone(tz),
        ends_at=booking.ends_at.astimezone(tz),
        place=place(agenda),
        demarches=[
            DemarcheRef(code=d.code, label=d.label, partner=d.partner, documents=d.documents)
            for d in demarches
        ],
        contact=Contact(
            name=booking.person_name or "",
            email=booking.email,
            phone=booking.phone,
            consent_contact=booking.consent_contact,
        ),
        manage_url=manage_url,
        cancelled_by=booking.cancelled_by,
        previous_starts_at=previous_starts_at.astimezone(tz) if previous_starts_at else None,
    )


async def record(
    session: AsyncSession,
    event_type: BookingEventType,
    booking: BookingSnapshot,
    now: dt.datetime,
    *,
    keys: EventKeys,
) -> BookingEvent:
    """The event goes to the outbox already sealed: neither the outbox nor the stream holds the contact
    or the manage link in clear."""
    event = BookingEvent(type=event_type, occurred_at=now, booking=booking)
    await repository.add(
        session,
        OutboxEvent(  # type: ignore[call-arg]  # created_at: the database's server default
            event_id=event.id, type=event.type.value, payload=keys.seal(event)
        ),
    )
    return event
