"""The two long-running workers: the event consumer and the dispatcher (deliveries and reminders).

Each owns its engine and clients; run as many replicas of each as needed.
"""

import contextlib
from collections.abc import AsyncIterator

import httpx
import redis.asyncio as redis

from fs_common.db import create_engine, make_sessionmaker
from fs_common.workers import stop_on_signals
from notify.channels.sms import SmsProvider
from notify.channels.smtp import Mailer
from notify.config import NotifySettings
from notify.deliveries.dispatcher import Dispatcher, Senders
from notify.events.consumer import StreamConsumer


@contextlib.asynccontextmanager
async def consumer(settings: NotifySettings) -> AsyncIterator[StreamConsumer]:
    engine = create_engine(settings.database_url)
    # A blocked XREADGROUP waits read_block_ms: beyond that and a margin, Redis is gone.
    client = redis.from_url(
        settings.redis_url, socket_connect_timeout=2, socket_timeout=settings.read_block_ms / 1000 + 5
    )
    try:
        yield StreamConsumer(redis_client=client, sessionmaker=make_sessionmaker(engine), settings=settings)
    finally:
        await client.aclose()
        await engine.dispose()


@contextlib.asynccontextmanager
async def dispatcher(settings: NotifySettings) -> AsyncIterator[Dispatcher]:
    engine = create_engine(settings.database_url, pool_size=settings.dispatch_concurrency + 2)
    mailer = Mailer(settings)
    http = httpx.AsyncClient(timeout=settings.webhook_timeout_s)
    sms = (
        SmsProvider(
            http, url=settings.sms_provider_url, api_key=settings.sms_api_key, sender=settings.sms_sender
        )
        if settings.sms_provider_url
        else None
    )
    try:
        yield Dispatcher(
            sessionmaker=make_sessionmaker(engine), senders=Senders(mailer, http, sms), settings=settings
        )
    finally:
        await mailer.aclose()
        await http.aclose()
        await engine.dispose()


async def run_consumer(settings: NotifySettings) -> None:
    async with consumer(settings) as worker:
        await worker.run(stop_on_signals())


async def run_dispatcher(settings: NotifySettings) -> None:
    async with dispatcher(settings) as worker:
        await worker.run(stop_on_signals())
