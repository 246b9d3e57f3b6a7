"""Event handling rules: out-of-order events, status changes, unreadable entries."""

import datetime as dt

from sqlalchemy import select

from fs_common.events import BookingEventType, new_key_line
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import wait_until
from notify.events.models import BookingState
from notify.reminders.models import Reminder

from .helpers import delivery_rows, running


async def _group_drained(client, settings, entries: int) -> bool:
    groups = {g["name"].decode(): g for g in await client.xinfo_groups(settings.stream)}
    group = groups.get(settings.consumer_group)
    return bool(group) and group["pending"] == 0 and group["entries-read"] == entries


async def test_an_older_event_arriving_late_tells_the_person_nothing(
    settings, smtp, redis_client, sessionmaker
):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    booking = snapshot()
    moved = booking.model_copy(update={"starts_at": booking.starts_at + dt.timedelta(days=1)})
    at = dt.datetime.now(dt.UTC)
    async with running(settings):
        await publish(
            redis_client,
            settings.stream,
            event(BookingEventType.rescheduled, moved, occurred_at=at + dt.timedelta(seconds=1)),
            event(BookingEventType.created, booking, occurred_at=at),  # delivered after the change
        )
        await wait_until(lambda: _group_drained(redis_client, settings, 2))
        await mailbox.wait_for(1)
    assert [r.kind for r in await delivery_rows(sessionmaker)] == ["reschedule"]
    async with sessionmaker() as session:
        state = await session.get(BookingState, booking.booking_id)
    assert state.starts_at == moved.starts_at


async def test_a_status_change_sends_nothing_and_stops_the_reminders(settings, redis_client, sessionmaker):
    booking = snapshot()
    excused = booking.model_copy(update={"status": "excused", "manage_url": None})
    at = dt.datetime.now(dt.UTC)
    async with running(settings, dispatch=False):
        await publish(
            redis_client,
            settings.stream,
            event(BookingEventType.created, booking, occurred_at=at),
            event(BookingEventType.status_changed, excused, occurred_at=at + dt.timedelta(seconds=1)),
        )
        await wait_until(lambda: _group_drained(redis_client, settings, 2))
    assert [r.kind for r in await delivery_rows(sessionmaker)] == ["confirmation"]
    async with sessionmaker() as session:
        statuses = set(await session.scalars(select(Reminder.status)))
    assert statuses == {"cancelled"}


async def test_an_unreadable_entry_is_dropped_and_the_others_go_through(settings, smtp, redis_client):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    async with running(settings):
        await redis_client.xadd(settings.stream, {"event": b'{"not": "an event"}'})
        await redis_client.xadd(settings.stream, {"autre": b"champ"})
        # Whoever can write to Redis cannot have us mail someone: an event in clear, or sealed with
        # another key, is refused.
        forged = event(BookingEventType.created, snapshot(email_address="cible@example.org"))
        await redis_client.xadd(settings.stream, {"event": forged.model_dump_json()})
        await publish(redis_client, settings.stream, forged, keys=new_key_line("intrus"))
        await publish(redis_client, settings.stream, event(BookingEventType.created, snapshot()))
        await mailbox.wait_for(1)
        await wait_until(lambda: _group_drained(redis_client, settings, 5))
    assert len(mailbox.messages) == 1 and not mailbox.for_recipient("cible@example.org")
