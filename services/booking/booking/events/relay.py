"""The outbox relay: publishes committed events to the Redis Stream, in order, at least once, and keeps
the stream short.

Events are claimed with ``FOR UPDATE SKIP LOCKED`` (several relays can run side by side) and marked
published in the same transaction as the XADDs; when Redis or PostgreSQL fails the transaction rolls
back, the events stay in the outbox and the relay retries on the shared worker schedule
(``fs_common.workers``) until they are back.

Trimming: every ``trim_every_s`` the relay removes (``XTRIM MINID``) the entries that every consumer
group has acknowledged: below the oldest entry still pending in a group, and below the next one each
group has still to read. ``max_len`` caps the stream even if a group stops reading for good
(``XTRIM MAXLEN ~``). The stream thus holds minutes of events, not years of contact details; the events
themselves carry the contact and the manage link sealed (``fs_common.events.EventKeys``).
"""

import asyncio
import json
import logging
from typing import Any

import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.clock import now
from booking.events import repository
from fs_common.backoff import Backoff
from fs_common.events import EVENT_FIELD
from fs_common.workers import WORKER_BACKOFF, keep_running

logger = logging.getLogger(__name__)


def _parse_id(value: bytes | str) -> tuple[int, int]:
    text = value.decode() if isinstance(value, bytes) else value
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class Relay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis_client: redis.Redis,
        stream: str,
        *,
        batch_size: int = 200,
        interval_s: float = 0.5,
        max_len: int = 50_000,
        trim_every_s: float = 5.0,
        backoff: Backoff = WORKER_BACKOFF,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis_client
        self._stream = stream
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._max_len = max_len
        self._trim_every_s = trim_every_s
        self._next_trim = 0.0
        self._backoff = backoff

    async def publish_pending(self) -> int:
        """Publish one batch; the number published. Raises (and keeps the events) when Redis fails."""
        async with self._sessionmaker() as session, session.begin():
            events = await repository.claim_pending(session, self._batch_size)
            if not events:
                return 0
            pipe = self._redis.pipeline(transaction=False)
            for event in events:
                pipe.xadd(self._stream, {EVENT_FIELD: json.dumps(event.payload, ensure_ascii=False)})
            await pipe.execute()
            await repository.mark_published(session, [e.seq for e in events if e.seq is not None], now())
            return len(events)

    async def acknowledged_floor(self) -> str | None:
        """The lowest entry id some consumer group still needs; None without any group."""
        groups: Any = await self._redis.xinfo_groups(self._stream)
        floor: tuple[int, int] | None = None
        for group in groups:
            ms, seq = _parse_id(group["last-delivered-id"])
            needed = (ms, seq + 1)  # what the group has still to read
            if int(group["pending"]):
                summary: Any = await self._redis.xpending(self._stream, _text(group["name"]))
                if summary.get("min"):
                    needed = min(needed, _parse_id(summary["min"]))
            floor = needed if floor is None else min(floor, needed)
        return None if floor is None else f"{floor[0]}-{floor[1]}"

    async def trim(self) -> int:
        """Drop what every group acknowledged, then anything beyond the cap; how many entries went."""
        removed = 0
        if not await self._redis.exists(self._stream):
            return 0
        floor = await self.acknowledged_floor()
        if floor is not None:
            removed += await self._redis.xtrim(self._stream, minid=floor, approximate=False)
        removed += await self._redis.xtrim(self._stream, maxlen=self._max_len, approximate=True)
        return removed

    async def step(self) -> float:
        """One round: publish a batch (then go on at once), trim when due; the pause before the next."""
        published = await self.publish_pending()
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_trim:
            removed = await self.trim()
            self._next_trim = loop.time() + self._trim_every_s
            if removed:
                logger.info("events stream trimmed", extra={"removed": removed})
        return 0.0 if published else self._interval_s

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set: drain, then poll every ``interval_s``; survive any failure."""
        await keep_running(self.step, stop, what="outbox relay", backoff=self._backoff)
