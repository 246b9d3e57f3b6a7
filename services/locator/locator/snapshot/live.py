"""Keeps each worker's snapshot (``tables.py``) in step with the database.

A connection of its own LISTENs on ``locator_search_data``: migrations 0002 and 0003 make PostgreSQL
notify it at the commit of every write to ``site``, ``commune`` or ``stop`` (an import, an edit). Each
notification triggers a reload; notifications that arrive during a reload trigger one more. A change
to ``stop`` alone reads the stops again and keeps the rest (an admin's edit must not stall the worker
for the seconds a whole snapshot takes). When the connection is lost, it is reopened and the snapshot
reloaded whole, so a change made meanwhile is never missed; the old snapshot keeps answering in the
meantime. Until the first load succeeds, searches and
coverage answer 503.

A whole snapshot is read and built on a thread with an event loop and a connection of its own: its
seconds of work (the rows turned into objects, the indexes built) share the interpreter with the
worker's requests but never hold its event loop, which goes on answering. Every replica reloads at the
same commit: were their loops held, all would stop answering at once.
"""

import asyncio
import contextlib
import gc
import logging
from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fs_common.backoff import Backoff
from fs_common.databases import asyncpg_dsn
from fs_common.db import create_engine, make_sessionmaker
from fs_common.errors import ServiceUnavailable
from locator.snapshot.tables import Snapshot
from locator.travel.model import TravelModel

CHANNEL = "locator_search_data"
TABLES = frozenset({"site", "commune", "stop"})  # each notification's payload names one
APPLICATION_NAME = "locator-search-index"
MAX_RETRY_S = 30.0
logger = logging.getLogger(__name__)


def settle_heap() -> None:
    """Collects what the previous snapshot left, then exempts every object alive now (the snapshot, the
    app, the modules) from the collector's full passes. Without it, each full pass walks the whole
    snapshot and stalls the worker for 50 to 150 ms at random, which is the tail latency of searches."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class LiveSnapshot:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        database_url: str,
        model: TravelModel,
        *,
        retry_s: float = 2.0,
        heartbeat_s: float = 30.0,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._database_url = database_url
        self._dsn = asyncpg_dsn(database_url)
        self._model = model
        self._retry_s = retry_s
        self._heartbeat_s = heartbeat_s
        self._snapshot: Snapshot | None = None
        self._wake = asyncio.Event()
        self._changed: set[str] = set()  # tables notified since the last reload began
        self._first_attempt = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._failures = 0  # in a row: the wait before the next attempt doubles, up to MAX_RETRY_S

    def get(self) -> Snapshot:
        if self._snapshot is None:
            raise ServiceUnavailable(
                "La recherche se prépare (chargement des France Services) ; réessayez dans quelques "
                "secondes.",
                headers={"Retry-After": "5"},
            )
        return self._snapshot

    async def start(self, wait_s: float = 30.0) -> None:
        """Starts listening and waits for the first load (or its first failure, at most ``wait_s``)."""
        self._task = asyncio.create_task(self._run(), name="snapshot")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._first_attempt.wait(), wait_s)

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                await self._listen_and_reload()  # returns only by raising
            except Exception:  # the database went away, or a reload failed: log, wait, start over
                self._failures += 1
                delay = Backoff(base_s=self._retry_s, cap_s=MAX_RETRY_S).delay(self._failures)
                logger.warning("snapshot: reload failed, retrying in %g s", delay, exc_info=True)
                self._first_attempt.set()
                await asyncio.sleep(delay)

    async def _listen_and_reload(self) -> None:
        connection = await asyncpg.connect(self._dsn, server_settings={"application_name": APPLICATION_NAME})
        try:
            connection.add_termination_listener(lambda _: self._wake.set())
            await connection.add_listener(CHANNEL, self._notified)
            self._changed = set(TABLES)  # anything may have changed while nobody listened
            while True:
                self._wake.clear()  # before reading: a change committed during the read wakes us again
                changed, self._changed = self._changed, set()
                if self._snapshot is not None and changed <= {"stop"}:
                    async with self._sessionmaker() as session:
                        self._snapshot = await self._snapshot.with_stops(session)
                else:
                    # The collector's passes over the half-built snapshot would take longer than building
                    # it (and hold every thread meanwhile); settle_heap collects once, after. A reload
                    # that overlaps another (two apps in one process) leaves the collector as it found it.
                    collecting = gc.isenabled()
                    gc.disable()
                    try:
                        snapshot = await asyncio.to_thread(_load_aside, self._database_url, self._model)
                    finally:
                        if collecting:
                            gc.enable()
                    self._snapshot = snapshot  # one assignment: a request sees the old one or the new one
                    settle_heap()
                self._failures = 0
                self._first_attempt.set()
                logger.info(
                    "snapshot: %d communes, %d sites, %d stops loaded",
                    len(self._snapshot.communes),
                    len(self._snapshot.sites),
                    len(self._snapshot.stops),
                )
                await self._wait_for_change(connection)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(connection.close(), 5)

    def _notified(self, _connection: object, _pid: int, _channel: str, table: str) -> None:
        self._changed.add(table)
        self._wake.set()

    async def _wait_for_change(self, connection: asyncpg.Connection) -> None:
        """Returns on a notification; raises when the connection is lost (checked on every heartbeat)."""
        while True:
            try:
                await asyncio.wait_for(self._wake.wait(), self._heartbeat_s)
            except TimeoutError:
                await connection.execute("SELECT 1")
                continue
            if connection.is_closed():
                raise ConnectionError("the listening connection was closed")
            return


def _load_aside(database_url: str, model: TravelModel) -> Snapshot:
    """A whole snapshot, read and built on the calling thread's own event loop and connection."""

    async def load() -> Snapshot:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with make_sessionmaker(engine)() as session:
                return await Snapshot.load(session, model)
        finally:
            await engine.dispose()

    return asyncio.run(load())


async def current_snapshot(request: Request) -> Snapshot:
    """The worker's current snapshot (503 until it is first loaded)."""
    return request.app.state.snapshot.get()


SnapshotDep = Annotated[Snapshot, Depends(current_snapshot)]
