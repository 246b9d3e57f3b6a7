"""Reminders: scheduled from the events, turned into messages when due if the booking still stands."""

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.events import BookingSnapshot
from notify.config import NotifySettings
from notify.deliveries.models import Kind
from notify.deliveries.service import ENDED_STATUSES, person_deliveries
from notify.events import repository as events_repo
from notify.reminders import repository
from notify.reminders.models import Reminder, ReminderStatus

logger = logging.getLogger(__name__)


def schedule(booking: BookingSnapshot, *, settings: NotifySettings, now: dt.datetime) -> list[Reminder]:
    """One reminder per configured offset still in the future."""
    reminders = []
    for offset in sorted(set(settings.reminder_offsets_minutes), reverse=True):
        due_at = booking.starts_at - dt.timedelta(minutes=offset)
        if due_at > now:
            reminders.append(
                Reminder(
                    booking_id=booking.booking_id,
                    offset_minutes=offset,
                    starts_at=booking.starts_at,
                    due_at=due_at,
                    created_at=now,
                )
            )
    return reminders


async def cancel(session: AsyncSession, booking: BookingSnapshot, reason: str) -> None:
    await repository.cancel_scheduled(session, booking.booking_id, reason)


async def queue_due(session: AsyncSession, *, settings: NotifySettings, now: dt.datetime, limit: int) -> int:
    """Turn due reminders into deliveries, after checking the booking still stands; returns how many."""
    due = await repository.lock_due(session, now=now, limit=limit)
    for reminder in due:
        state = await events_repo.get_state(session, reminder.booking_id)
        reason = None
        if state is None or state.status in ENDED_STATUSES:
            reason = "Rendez-vous annulé : rappel non envoyé."
        elif state.starts_at != reminder.starts_at:
            reason = "Rendez-vous déplacé : rappel non envoyé."
        elif now >= reminder.starts_at:
            reason = "Rendez-vous déjà commencé : rappel non envoyé."
        if reason:
            reminder.status, reminder.reason = ReminderStatus.skipped, reason
            continue
        assert state is not None
        booking = BookingSnapshot.model_validate(state.snapshot)
        session.add_all(
            person_deliveries(
                Kind.reminder,
                booking,
                manage_url=state.manage_url,
                sequence=state.ics_sequence,
                settings=settings,
                now=now,
                reminder_id=reminder.id,
            )
        )
        reminder.status = ReminderStatus.queued
    if due:
        logger.info("reminders processed", extra={"count": len(due)})
    return len(due)
