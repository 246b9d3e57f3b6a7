"""Every booking event causes its messages exactly once: across a killed consumer, two consumers at
once, replays, and entries left pending by a consumer that died."""

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from fs_common.events import EVENT_FIELD, BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import wait_until
from notify.events.models import ProcessedEvent

from .helpers import running


def created_events(count: int, tag: str) -> list:
    return [
        event(BookingEventType.created, snapshot(email_address=f"personne-{tag}-{i}@example.org"))
        for i in range(count)
    ]


def assert_exactly_once(mailbox, events) -> None:
    received = sorted(m["To"] for m in mailbox.messages)
    assert received == sorted(e.booking.contact.email for e in events)
    assert len({m["Message-ID"] for m in mailbox.messages}) == len(events)


async def processed_count(sessionmaker) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedEvent))


async def group_drained(client, settings, entries: int) -> bool:
    groups = {g["name"].decode(): g for g in await client.xinfo_groups(settings.stream)}
    group = groups.get(settings.consumer_group)
    return bool(group) and group["pending"] == 0 and group["entries-read"] == entries


def consumer_process(settings, name: str) -> subprocess.Popen:
    """``notify consume`` as a separate process, as run in production."""
    env = os.environ | {
        "NOTIFY_DATABASE_URL": settings.database_url,
        "NOTIFY_REDIS_URL": settings.redis_url,
        "NOTIFY_STREAM": settings.stream,
        "NOTIFY_EVENTS_KEYS": settings.events_keys,
        "NOTIFY_CONSUMER_NAME": name,
        "NOTIFY_READ_COUNT": "10",
        "NOTIFY_CLAIM_MIN_IDLE_MS": "300",
        "NOTIFY_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen([str(Path(sys.executable).parent / "notify"), "consume"], env=env)


async def test_consumer_killed_midway_through_500_events_then_restarted(
    settings, smtp, redis_client, sessionmaker
):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    events = created_events(500, "kill")
    await publish(redis_client, settings.stream, *events)
    async with running(settings, consume=False):  # the dispatcher sends all along
        first = consumer_process(settings, "replica-a")
        try:
            await wait_until(lambda: _at_least(sessionmaker, 50), interval=0.005)
        finally:
            first.send_signal(signal.SIGKILL)  # no clean-up of any kind
            await asyncio.to_thread(first.wait)
        done_at_kill = await processed_count(sessionmaker)
        assert 50 <= done_at_kill < 500, "the kill must land mid-way"
        restarted = consumer_process(settings, "replica-a")
        try:
            await mailbox.wait_for(500, within=60)
            await wait_until(lambda: group_drained(redis_client, settings, 500))
        finally:
            restarted.terminate()
            await asyncio.to_thread(restarted.wait)
        assert restarted.returncode == 0  # SIGTERM: a clean stop
    assert await processed_count(sessionmaker) == 500
    assert_exactly_once(mailbox, events)


async def _at_least(sessionmaker, count: int) -> bool:
    return await processed_count(sessionmaker) >= count


async def test_two_consumers_at_once_with_every_event_published_twice(
    settings, smtp, redis_client, sessionmaker
):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port, "read_count": 10})
    events = created_events(250, "pair")
    await publish(redis_client, settings.stream, *events, *events)  # at-least-once upstream
    async with (
        running(settings.model_copy(update={"consumer_name": "replica-1"})),
        running(settings.model_copy(update={"consumer_name": "replica-2"}), dispatch=False),
    ):
        await mailbox.wait_for(250, within=60)
        await wait_until(lambda: group_drained(redis_client, settings, 500))
    assert_exactly_once(mailbox, events)
    async with sessionmaker() as session:
        consumers = set(await session.scalars(select(ProcessedEvent.consumer).distinct()))
    assert consumers == {"replica-1", "replica-2"}  # the work was shared


async def test_entries_pending_at_a_dead_consumer_are_reclaimed(settings, smtp, redis_client):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    events = created_events(20, "claim")
    await redis_client.xgroup_create(settings.stream, settings.consumer_group, id="0", mkstream=True)
    await publish(redis_client, settings.stream, *events)
    # A replica reads the entries, then dies before acknowledging any of them.
    read = await redis_client.xreadgroup(
        settings.consumer_group, "dead-replica", {settings.stream: ">"}, count=100
    )
    assert [len(entries) for _, entries in read] == [20]
    assert all(fields[EVENT_FIELD.encode()] for _, fields in read[0][1])
    async with running(settings):  # consumer "c1": nothing new to read, only the dead one's entries
        await mailbox.wait_for(20)
        await wait_until(lambda: group_drained(redis_client, settings, 20))
    consumers = {
        c["name"].decode(): c
        for c in await redis_client.xinfo_consumers(settings.stream, settings.consumer_group)
    }
    assert consumers["dead-replica"]["pending"] == 0
    assert_exactly_once(mailbox, events)
