"""What a booking event causes: the booking's new state, the messages to the person, the reminders and
the partner webhooks, all written in the transaction that records the event id."""

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.events import BookingEvent, BookingEventType
from notify.config import NotifySettings
from notify.deliveries.models import Channel, Delivery, Kind, Status
from notify.deliveries.service import ENDED_STATUSES, person_deliveries
from notify.events import repository
from notify.reminders import service as reminders
from notify.webhooks.models import WebhookSubscription


def person_kind(event: BookingEvent) -> Kind | None:
    booking = event.booking
    match event.type:
        case BookingEventType.created:
            return Kind.confirmation
        case BookingEventType.rescheduled:
            return Kind.reschedule
        case BookingEventType.cancelled:
            by_site = booking.cancelled_by == "site" or booking.status == "cancelled_by_site"
            return Kind.cancellation_site if by_site else Kind.cancellation_person
    return None


def partner_body(event: BookingEvent) -> str:
    """The event as partners receive it: without the person's contact details nor the management link."""
    return event.model_dump_json(exclude={"booking": {"contact", "manage_url"}})


async def handle_event(
    session: AsyncSession,
    event: BookingEvent,
    *,
    stream_id: str,
    consumer: str,
    settings: NotifySettings,
    now: dt.datetime,
    subscriptions: Sequence[WebhookSubscription],
) -> bool:
    """Act on one event, at most once; False for an event already handled.

    ``subscriptions``: the active partner webhooks (read once per batch by the consumer).
    """
    if not await repository.record_event(session, event, stream_id=stream_id, consumer=consumer, now=now):
        return False
    booking = event.booking
    state, created = await repository.lock_or_create_state(session, event)
    # An event older than the state we hold (delivered out of order) changes nothing for the person.
    if created or event.occurred_at >= state.last_event_at:
        kind = person_kind(event)
        if created:
            state.ics_sequence = 0 if event.type == BookingEventType.created else 1
        elif kind in (Kind.reschedule, Kind.cancellation_person, Kind.cancellation_site):
            state.ics_sequence += 1
        state.site_id = booking.place.site_id
        state.status = booking.status
        state.starts_at = booking.starts_at
        state.last_event_at = event.occurred_at
        state.snapshot = booking.model_dump(mode="json")
        state.manage_url = booking.manage_url or state.manage_url
        if kind is not None:
            session.add_all(
                person_deliveries(
                    kind,
                    booking,
                    manage_url=booking.manage_url,
                    sequence=state.ics_sequence,
                    settings=settings,
                    now=now,
                    event_id=event.id,
                )
            )
        if event.type == BookingEventType.rescheduled:
            await reminders.cancel(session, booking, "Rendez-vous déplacé.")
        if booking.status in ENDED_STATUSES:
            await reminders.cancel(session, booking, "Rendez-vous annulé ou terminé.")
        elif event.type in (BookingEventType.created, BookingEventType.rescheduled):
            session.add_all(reminders.schedule(booking, settings=settings, now=now))
    for subscription in (s for s in subscriptions if event.type.value in s.event_types):
        session.add(
            Delivery(
                booking_id=booking.booking_id,
                site_id=booking.place.site_id,
                event_id=event.id,
                subscription_id=subscription.id,
                channel=Channel.webhook,
                kind=Kind.event,
                recipient=subscription.url,
                payload={"body": partner_body(event), "event_type": event.type.value},
                status=Status.pending,
                created_at=now,
                next_attempt_at=now,
            )
        )
    return True
