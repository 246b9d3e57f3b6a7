"""The outbox relay: publishes committed events to the Redis Stream, in order, at least once.

Events are claimed with ``FOR UPDATE SKIP LOCKED`` (several relays can run side by side) and marked
published in the same transaction as the XADDs; when Redis is down the transaction rolls back, the
events stay in the outbox and the relay retries with a growing pause until Redis is back.
"""

import asyncio
import contextlib
import json
import logging

import redis.asyncio as redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.clock import now
from booking.events import repository
from fs_common.events import EVENT_FIELD

logger = logging.getLogger(__name__)


class Relay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        redis_client: redis.Redis,
        stream: str,
        *,
        batch_size: int = 200,
        interval_s: float = 0.5,
        max_pause_s: float = 10.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._redis = redis_client
        self._stream = stream
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._max_pause_s = max_pause_s

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

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set: drain, then poll every ``interval_s``."""
        pause = self._interval_s
        while not stop.is_set():
            try:
                if await self.publish_pending():
                    pause = self._interval_s
                    continue
                pause = self._interval_s
            except (RedisError, OSError) as exc:
                pause = min(max(pause * 2, self._interval_s), self._max_pause_s)
                logger.warning(
                    "events stream unavailable; events kept in the outbox",
                    extra={"error": type(exc).__name__, "retry_in_s": pause},
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=pause)
