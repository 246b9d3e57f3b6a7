"""Reads ``booking.events`` through a Redis Streams consumer group.

A read batch is handled in one transaction that, for each event, first records its id (a replay does
nothing); the batch is acknowledged (``XACK``) only after that transaction has committed. Entries left pending
by a consumer that died are taken over with ``XAUTOCLAIM`` once idle for ``claim_min_idle_ms``; a
consumer restarted under its own name first re-reads its own pending entries. Any number of replicas
can share the group. When PostgreSQL or Redis goes away, the consumer logs, backs off
(``fs_common.workers``) and starts over as after a restart: group re-created if Redis lost it, its own
pending entries first.
"""

import asyncio
import datetime as dt
import logging
from typing import Any

import redis.asyncio as redis
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fs_common.backoff import Backoff
from fs_common.events import EVENT_FIELD, BookingEvent, EventKeys, SealedEventError
from fs_common.workers import WORKER_BACKOFF, is_outage, keep_running
from notify.config import NotifySettings
from notify.deliveries import repository as deliveries_repo
from notify.events.service import handle_event
from notify.webhooks import repository as webhooks_repo

logger = logging.getLogger(__name__)

Entry = tuple[bytes, dict[bytes, bytes]]


class StreamConsumer:
    def __init__(
        self,
        *,
        redis_client: redis.Redis,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: NotifySettings,
        keys: EventKeys | None = None,
        backoff: Backoff = WORKER_BACKOFF,
    ) -> None:
        self.redis = redis_client
        self.backoff = backoff
        self.keys = keys or EventKeys.load(settings.events_keys, settings.events_keys_file)
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.name = settings.consumer_name

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(
                self.settings.stream, self.settings.consumer_group, id="0", mkstream=True
            )
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop``; survive Redis restarting and PostgreSQL dropping its connections.

        After any failure the consumer starts over as after a restart: the group is created again if
        Redis lost it, and this consumer's own pending entries (read, not yet acknowledged: those whose
        transaction failed) are handled first, so nothing is lost and nothing waits for a reclaim."""
        ready = False
        next_claim = 0.0
        loop = asyncio.get_running_loop()

        async def step() -> float:
            nonlocal ready, next_claim
            if not ready:
                await self.ensure_group()
                await self._drain_own_pending()
                ready = True
            try:
                if loop.time() >= next_claim:
                    await self.claim_abandoned()
                    next_claim = loop.time() + self.settings.claim_every_s
                response: Any = await self.redis.xreadgroup(
                    self.settings.consumer_group,
                    self.name,
                    {self.settings.stream: ">"},
                    count=self.settings.read_count,
                    block=self.settings.read_block_ms,
                )
                for _, entries in response or []:
                    await self.process(entries)
            except Exception:
                ready = False  # what was read stays pending here: re-read first once back
                raise
            return 0.0

        await keep_running(step, stop, what="events consumer", backoff=self.backoff)

    async def _drain_own_pending(self) -> None:
        """After a restart under the same name: what this consumer had read but not acknowledged."""
        cursor = "0"
        while True:
            response: Any = await self.redis.xreadgroup(
                self.settings.consumer_group,
                self.name,
                {self.settings.stream: cursor},
                count=self.settings.read_count,
            )
            entries = response[0][1] if response else []
            if not entries:
                return
            await self.process(entries)
            cursor = entries[-1][0].decode()

    async def claim_abandoned(self) -> int:
        """Take over entries pending at another (dead) consumer for longer than ``claim_min_idle_ms``."""
        start, claimed = "0-0", 0
        while True:
            claimed_now: Any = await self.redis.xautoclaim(
                self.settings.stream,
                self.settings.consumer_group,
                self.name,
                min_idle_time=self.settings.claim_min_idle_ms,
                start_id=start,
                count=self.settings.read_count,
            )
            next_start, entries = claimed_now[0], claimed_now[1]
            entries = [e for e in entries if e[1] is not None]  # deleted from the stream meanwhile
            if entries:
                claimed += len(entries)
                await self.process(entries)
            start = next_start.decode() if isinstance(next_start, bytes) else next_start
            if start == "0-0":
                if claimed:
                    logger.info("reclaimed pending events", extra={"count": claimed})
                return claimed

    async def process(self, entries: list[Entry]) -> None:
        """Handle a batch in one transaction (one commit for many events), then acknowledge it.

        If that transaction fails, each event is tried in its own, so that one bad event holds up
        only itself.
        """
        events: list[tuple[bytes, BookingEvent]] = []
        poison: list[bytes] = []
        for stream_id, fields in entries:
            try:
                events.append((stream_id, self.keys.open(fields[EVENT_FIELD.encode()])))
            except (KeyError, ValidationError, SealedEventError):
                # Not sealed with one of our keys, or altered: nobody may make us write to someone.
                logger.error("unreadable booking event dropped", extra={"stream_id": stream_id.decode()})
                poison.append(stream_id)
        if poison:
            await self.redis.xack(self.settings.stream, self.settings.consumer_group, *poison)
        if not events:
            return
        try:
            await self._handle(events)
        except Exception as exc:
            if is_outage(exc):  # PostgreSQL or Redis away: the batch stays pending, re-read once back
                raise
            for one in events:
                try:
                    await self._handle([one])
                except Exception as exc:
                    if is_outage(exc):
                        raise
                    # Left pending: retried after claim_min_idle_ms (by this consumer or another).
                    # Only the error's type is logged: its text may quote personal data.
                    logger.error(
                        "booking event not handled",
                        extra={"event_id": str(one[1].id), "error": type(exc).__name__},
                    )

    async def _handle(self, events: list[tuple[bytes, BookingEvent]]) -> None:
        async with self.sessionmaker() as session, session.begin():
            subscriptions = await webhooks_repo.active(session)
            for stream_id, event in events:
                await handle_event(
                    session,
                    event,
                    stream_id=stream_id.decode(),
                    consumer=self.name,
                    settings=self.settings,
                    now=dt.datetime.now(dt.UTC),
                    subscriptions=subscriptions,
                )
            await deliveries_repo.wake_dispatchers(session)
        await self.redis.xack(self.settings.stream, self.settings.consumer_group, *(sid for sid, _ in events))
