"""Reminders: sent when due, stored across restarts, never for a cancelled or moved booking, never
after the start. The dispatcher's clock is moved instead of waiting hours."""

import datetime as dt

from sqlalchemy import func, select

from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import free_port, wait_until
from fs_testkit.standins import smtp_server
from notify.events.models import ProcessedEvent
from notify.reminders.models import Reminder

from .helpers import delivery_rows, running

START = dt.datetime(2031, 6, 10, 7, 0, tzinfo=dt.UTC)  # 9 h in Paris


async def reminders_of(sessionmaker, booking_id) -> list[Reminder]:
    async with sessionmaker() as session:
        statement = select(Reminder).where(Reminder.booking_id == booking_id).order_by(Reminder.due_at)
        return list((await session.scalars(statement)).all())


async def consume(settings, redis_client, sessionmaker, *events) -> None:
    """Run only the consumer until every event is recorded."""
    async with running(settings, dispatch=False):
        await publish(redis_client, settings.stream, *events)

        async def recorded() -> bool:
            async with sessionmaker() as session:
                done = await session.scalar(select(func.count()).select_from(ProcessedEvent))
            return done == len(events)

        await wait_until(recorded)


async def test_reminders_at_48h_and_2h_survive_a_restart(settings, smtp, redis_client, sessionmaker):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    booking = snapshot(starts_at=START, timezone="Europe/Paris")
    await consume(settings, redis_client, sessionmaker, event(BookingEventType.created, booking))
    reminders = await reminders_of(sessionmaker, booking.booking_id)
    assert [(r.offset_minutes, r.due_at, r.status) for r in reminders] == [
        (2880, START - dt.timedelta(hours=48), "scheduled"),
        (120, START - dt.timedelta(hours=2), "scheduled"),
    ]
    # A dispatcher at 47 h before: the confirmation and the 48 h reminder.
    async with running(settings, consume=False, clock=lambda: START - dt.timedelta(hours=47)):
        await mailbox.wait_for(2)
    # Another dispatcher process (a restart) at 1 h before: the 2 h reminder, from the database.
    async with running(settings, consume=False, clock=lambda: START - dt.timedelta(hours=1)):
        await mailbox.wait_for(3)
    confirmation, first, second = mailbox.messages
    assert first["Subject"] == "Rappel : votre rendez-vous France Services du mardi 10 juin 2031 à 9 h"
    text = first.get_body(preferencelist=("plain",)).get_content()
    assert "Nous vous rappelons votre rendez-vous France Services le mardi 10 juin 2031 à 9 h." in text
    assert "- Pièce d'identité" in text and booking.manage_url in text
    assert list(first.iter_attachments()) == []
    text = second.get_body(preferencelist=("plain",)).get_content()
    assert "rendez-vous France Services aujourd'hui à 9 h." in text
    assert [r.status for r in await reminders_of(sessionmaker, booking.booking_id)] == ["queued", "queued"]


async def test_no_reminder_after_a_cancellation(settings, smtp, redis_client, sessionmaker):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    booking = snapshot(starts_at=START)
    cancelled = booking.model_copy(
        update={"status": "cancelled", "cancelled_by": "person", "manage_url": None}
    )
    at = dt.datetime.now(dt.UTC)
    await consume(
        settings,
        redis_client,
        sessionmaker,
        event(BookingEventType.created, booking, occurred_at=at),
        event(BookingEventType.cancelled, cancelled, occurred_at=at + dt.timedelta(seconds=1)),
    )
    async with running(settings, consume=False, clock=lambda: START - dt.timedelta(minutes=30)):

        async def settled() -> bool:
            rows = await delivery_rows(sessionmaker)
            return len(rows) == 2 and all(r.status == "sent" for r in rows)

        await wait_until(settled)
    # In order: one booking's messages go one after the other.
    assert [m["Subject"].split(" ")[0] for m in mailbox.messages] == ["Votre", "Annulation"]
    reminders = await reminders_of(sessionmaker, booking.booking_id)
    assert [(r.status, r.reason) for r in reminders] == [("cancelled", "Rendez-vous annulé ou terminé.")] * 2


async def test_a_moved_booking_is_reminded_of_its_new_time_only(settings, redis_client, sessionmaker):
    booking = snapshot(starts_at=START)
    moved = booking.model_copy(
        update={
            "starts_at": START + dt.timedelta(days=1),
            "ends_at": START + dt.timedelta(days=1, minutes=30),
        }
    )
    at = dt.datetime.now(dt.UTC)
    await consume(
        settings,
        redis_client,
        sessionmaker,
        event(BookingEventType.created, booking, occurred_at=at),
        event(BookingEventType.rescheduled, moved, occurred_at=at + dt.timedelta(seconds=1)),
    )
    reminders = await reminders_of(sessionmaker, booking.booking_id)
    assert sorted((r.starts_at, r.status) for r in reminders) == [
        (START, "cancelled"),
        (START, "cancelled"),
        (moved.starts_at, "scheduled"),
        (moved.starts_at, "scheduled"),
    ]


async def test_a_reminder_held_up_by_an_outage_is_not_sent_after_the_start(
    settings, redis_client, sessionmaker
):
    port = free_port()
    settings = settings.model_copy(
        update={"smtp_port": port, "max_attempts": 1000, "reminder_offsets_minutes": [120]}
    )
    booking = snapshot(starts_at=START)
    await consume(settings, redis_client, sessionmaker, event(BookingEventType.created, booking))
    now = [START - dt.timedelta(hours=1)]
    async with running(settings, consume=False, clock=lambda: now[0]):

        async def reminder_failing() -> bool:
            rows = await delivery_rows(sessionmaker)
            return any(r.kind == "reminder" and r.attempts >= 1 and r.status == "retrying" for r in rows)

        await wait_until(reminder_failing)
        now[0] = START + dt.timedelta(minutes=1)  # the outage lasts past the start
        async with smtp_server(port) as (mailbox, _):

            async def settled() -> bool:
                return all(r.status == "skipped" for r in await delivery_rows(sessionmaker))

            await wait_until(settled)
    assert mailbox.messages == []
    reasons = {r.kind: r.last_error for r in await delivery_rows(sessionmaker)}
    assert reasons == {
        "confirmation": "Rendez-vous déjà commencé ou passé : message non envoyé.",
        "reminder": "Rendez-vous déjà commencé ou passé : message non envoyé.",
    }


async def test_no_reminder_is_scheduled_in_the_past(settings, redis_client, sessionmaker):
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    booking = snapshot(starts_at=soon)
    async with running(settings, dispatch=False):
        await publish(redis_client, settings.stream, event(BookingEventType.created, booking))
        await wait_until(lambda: delivery_rows(sessionmaker))
    assert await reminders_of(sessionmaker, booking.booking_id) == []
