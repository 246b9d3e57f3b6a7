"""Rules of the delivery log: what to write for a person, when it is no longer relevant, how to retry,
and what support agents see of it."""

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.agent_auth import Agent
from fs_common.backoff import Backoff
from fs_common.errors import NotFound
from fs_common.events import BookingSnapshot
from notify.config import NotifySettings
from notify.deliveries import repository
from notify.deliveries.models import Channel, Delivery, Kind, Status
from notify.deliveries.schemas import BookingNotifications, DeliveryOut, ReminderOut
from notify.events import repository as events_repo
from notify.messages.render import render_email, render_sms
from notify.reminders import repository as reminders_repo
from notify.retention.repository import ERASED

ENDED_STATUSES = frozenset({"cancelled", "cancelled_by_site", "honoured", "no_show", "excused"})


def person_deliveries(
    kind: Kind,
    booking: BookingSnapshot,
    *,
    manage_url: str | None,
    sequence: int,
    settings: NotifySettings,
    now: dt.datetime,
    event_id: uuid.UUID | None = None,
    reminder_id: uuid.UUID | None = None,
) -> list[Delivery]:
    """The e-mail (and SMS, when a provider is configured) telling the person; none after the start."""
    common: dict[str, Any] = {
        "booking_id": booking.booking_id,
        "site_id": booking.place.site_id,
        "event_id": event_id,
        "reminder_id": reminder_id,
        "kind": kind,
        "status": Status.pending,
        "created_at": now,
        "next_attempt_at": now,
        "expires_at": booking.starts_at,
    }
    deliveries = []
    contact = booking.contact
    if contact.email:
        payload = render_email(
            kind, booking, manage_url=manage_url, sequence=sequence, sender=settings.smtp_sender, now=now
        )
        payload["starts_at"] = booking.starts_at.isoformat()
        deliveries.append(Delivery(channel=Channel.email, recipient=contact.email, payload=payload, **common))
    if contact.phone and settings.sms_provider_url:
        payload = {
            "text": render_sms(kind, booking, manage_url=manage_url),
            "starts_at": booking.starts_at.isoformat(),
        }
        deliveries.append(Delivery(channel=Channel.sms, recipient=contact.phone, payload=payload, **common))
    return deliveries


def backoff(attempts: int, settings: NotifySettings) -> dt.timedelta:
    """Exponential: base, 2×base, 4×base… capped, with ±20 % jitter so retries do not march in step."""
    schedule = Backoff(base_s=settings.backoff_base_s, cap_s=settings.backoff_max_s, jitter=0.2)
    return dt.timedelta(seconds=schedule.delay(attempts))


def irrelevance(
    delivery: Delivery, *, state_status: str | None, state_starts_at: dt.datetime | None, now: dt.datetime
) -> str | None:
    """Why a person-facing message must not go out any more, or None.

    Nothing after the start; and a reminder only for a booking that still stands at the time it
    reminds of (the latest state from the events).
    """
    if delivery.expires_at is not None and now >= delivery.expires_at:
        return "Rendez-vous déjà commencé ou passé : message non envoyé."
    if delivery.kind == Kind.reminder:
        if state_status in ENDED_STATUSES:
            return "Rendez-vous annulé : rappel non envoyé."
        if state_starts_at is None or state_starts_at != dt.datetime.fromisoformat(
            delivery.payload["starts_at"]
        ):
            return "Rendez-vous déplacé : rappel non envoyé."
    return None


def mask_recipient(channel: str, recipient: str) -> str:
    """Enough for support to recognise an address, not enough to read it."""
    if recipient == ERASED:
        return recipient
    if channel == Channel.webhook:
        return urlsplit(recipient).hostname or "?"
    if channel == Channel.email and "@" in recipient:
        local, _, domain = recipient.partition("@")
        name, _, tld = domain.rpartition(".")
        return f"{local[:1]}•••@{name[:1]}•••.{tld}"
    return "•" * max(len(recipient) - 2, 0) + recipient[-2:]


async def booking_notifications(
    session: AsyncSession, booking_id: uuid.UUID, agent: Agent
) -> BookingNotifications:
    """Every delivery and reminder of a booking, for an agent of its site."""
    state = await events_repo.get_state(session, booking_id)
    if state is None:
        raise NotFound("Aucune notification pour ce rendez-vous.")
    agent.require_site(state.site_id)
    deliveries = await repository.list_for_booking(session, booking_id)
    reminders = await reminders_repo.list_for_booking(session, booking_id)
    return BookingNotifications(
        booking_id=booking_id,
        site_id=state.site_id,
        booking_status=state.status,
        starts_at=state.starts_at,
        deliveries=[
            DeliveryOut(
                id=d.id,
                channel=d.channel,
                kind=d.kind,
                status=d.status,
                recipient=mask_recipient(d.channel, d.recipient),
                attempts=d.attempts,
                reason=d.last_error,
                created_at=d.created_at,
                next_attempt_at=d.next_attempt_at if d.status in (Status.pending, Status.retrying) else None,
                sent_at=d.sent_at,
            )
            for d in deliveries
        ],
        reminders=[
            ReminderOut(offset_minutes=r.offset_minutes, due_at=r.due_at, status=r.status, reason=r.reason)
            for r in reminders
        ],
    )
