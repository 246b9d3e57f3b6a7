"""Notify's own test helpers: its workers run as tasks of the test's event loop, and its delivery log read
back. What the other suites share (sample events, SMTP and HTTP stand-ins) is in ``fs_testkit``."""

import asyncio
import contextlib
import uuid

from sqlalchemy import select
from sqlmodel import col

from notify.config import NotifySettings
from notify.deliveries.models import Delivery
from notify.workers import consumer, dispatcher


@contextlib.asynccontextmanager
async def running(settings: NotifySettings, *, consume: bool = True, dispatch: bool = True, clock=None):
    """The consumer and the dispatcher as tasks of this event loop; stopped (cleanly) on exit."""
    stop = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        tasks = []
        if consume:
            worker = await stack.enter_async_context(consumer(settings))
            tasks.append(asyncio.create_task(worker.run(stop)))
        if dispatch:
            sender = await stack.enter_async_context(dispatcher(settings))
            if clock is not None:
                sender.clock = clock
            tasks.append(asyncio.create_task(sender.run(stop)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)


async def delivery_rows(sessionmaker, booking_id: uuid.UUID | None = None) -> list[Delivery]:
    statement = select(Delivery).order_by(col(Delivery.created_at))
    if booking_id is not None:
        statement = statement.where(col(Delivery.booking_id) == booking_id)
    async with sessionmaker() as session:
        return list((await session.scalars(statement)).all())
