"""Booking events: the snapshot notify needs, written to the outbox in the caller's transaction."""

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from booking.agendas.models import Agenda
from booking.bookings.models import Booking
from booking.catalogue.models import Demarche
from booking.events import repository
from booking.events.models import OutboxEvent
from fs_common.events import BookingEvent, BookingEventType, BookingSnapshot, Contact, DemarcheRef, Place


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
    session: AsyncSession, event_type: BookingEventType, booking: BookingSnapshot, now: dt.datetime
) -> BookingEvent:
    event = BookingEvent(type=event_type, occurred_at=now, booking=booking)
    await repository.add(
        session,
        OutboxEvent(  # type: ignore[call-arg]  # created_at: the database's server default
            event_id=event.id, type=event.type.value, payload=event.model_dump(mode="json")
        ),
    )
    return event
