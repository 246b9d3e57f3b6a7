"""``booking`` command: database migrations and the service's jobs (outbox relay, retention)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated

import httpx
import redis.asyncio as redis
import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from booking.agendas.sync import AgendaSync
from booking.clients.locator import LocatorClient, LocatorUnavailable
from booking.clock import now
from booking.config import BookingSettings, get_settings
from booking.events.relay import Relay
from booking.retention import service as retention
from fs_common.databases import create_and_migrate
from fs_common.db import create_engine, make_sessionmaker
from fs_common.logs import configure_logging
from fs_common.workers import run_and_repeat, stop_on_signals

app = typer.Typer(help="France Services booking service.", no_args_is_help=True)
logger = logging.getLogger(__name__)
SERVICE_DIR = Path(__file__).resolve().parent.parent


@app.command()
def migrate() -> None:
    """Create the database if needed and run the migrations (the starter catalogue is one of them)."""
    create_and_migrate(SERVICE_DIR, get_settings().database_url)
    typer.echo("booking: database migrated", err=True)


@app.command()
def relay() -> None:
    """Publish the outbox to the Redis Stream until stopped (Ctrl-C or SIGTERM)."""
    settings = get_settings()
    configure_logging("booking-relay", settings.log_level, settings.log_json)

    async def main() -> None:
        engine = create_engine(settings.database_url, pool_size=2)
        client = redis.from_url(settings.redis_url, socket_connect_timeout=2, socket_timeout=5)
        try:
            await Relay(
                make_sessionmaker(engine),
                client,
                settings.events_stream,
                batch_size=settings.relay_batch_size,
                interval_s=settings.relay_interval_s,
                max_len=settings.events_stream_max_len,
                trim_every_s=settings.events_trim_every_s,
            ).run(stop_on_signals())
        finally:
            await client.aclose()
            await engine.dispose()

    asyncio.run(main())


@app.command()
def anonymise(
    every: Annotated[
        float | None, typer.Option(help="Run again every N seconds (a long-running job for make run)")
    ] = None,
) -> None:
    """Anonymise bookings older than the retention period (BOOKING_RETENTION_DAYS, 2 years by default)."""
    settings = get_settings()
    configure_logging("booking-retention", settings.log_level, settings.log_json)

    async def main() -> None:
        engine = create_engine(settings.database_url, pool_size=1)
        sessionmaker = make_sessionmaker(engine)

        async def once() -> bool:
            async with sessionmaker() as session, session.begin():
                report = await retention.apply(session, settings, now())
            typer.echo(
                f"booking: {report.anonymised} bookings anonymised, {report.idempotency_purged} idempotency "
                f"records and {report.events_purged} published events purged",
                err=True,
            )
            return True

        try:
            await run_and_repeat(once, every, what="booking retention")
        finally:
            await engine.dispose()

    asyncio.run(main())


@app.command("sync-agendas")
def sync_agendas(
    departement: Annotated[str | None, typer.Option(help="Only this département, e.g. 23")] = None,
    every: Annotated[
        float | None,
        typer.Option(help="Keep running: sync again every N seconds, retrying while the locator is down"),
    ] = None,
) -> None:
    """Follow the locator's API: create the agenda of every site and bus stop, refresh those still as
    bootstrapped, and stop offering slots at the stops the buses no longer serve."""
    settings = get_settings()
    configure_logging("booking-sync", settings.log_level, settings.log_json)

    sync: AgendaSync | None = None  # the sync under way: an attempt resumes what the last one left

    async def once(locator: LocatorClient, sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
        nonlocal sync
        sync = sync or AgendaSync(sessionmaker, locator, settings, (departement,) if departement else ())
        try:
            complete = await sync.attempt()
        except LocatorUnavailable as exc:
            typer.echo(f"booking: locator unavailable ({exc.detail}); agendas not synced", err=True)
            return False
        if not complete:
            typer.echo(
                f"booking: agendas of {len(sync.done)} départements synced; locator unavailable for "
                f"{', '.join(sorted(sync.failed))}, retried at the next attempt",
                err=True,
            )
            return False
        report, sync = sync.report, None
        typer.echo(
            f"booking: {report.departements} départements synced: {report.created} site agendas created, "
            f"{report.refreshed} refreshed from the locator, {len(report.retired)} stop agendas retired, "
            f"{len(report.reclaimed)} given back to their bus",
            err=True,
        )
        if report.reclaimed:
            logger.warning(
                "stop agendas %s had been opened under another site: given back, with their bookings, "
                "to the site the locator names",
                report.reclaimed,
            )
        if report.bookings_at_retired:
            logger.warning(
                "%d confirmed bookings to come at retired stops (agendas %s): agents must call these people",
                report.bookings_at_retired,
                report.retired,
            )
        return True

    async def main() -> bool:
        engine = create_engine(settings.database_url, pool_size=2)
        sessionmaker = make_sessionmaker(engine)
        try:
            async with _locator(settings) as locator:
                # After a failure (locator still starting, database away), retried on the worker
                # schedule, within 5 s, with the départements not synced yet: the job never stops
                # the process.
                return await run_and_repeat(lambda: once(locator, sessionmaker), every, what="agenda sync")
        finally:
            await engine.dispose()

    if not asyncio.run(main()):
        raise typer.Exit(1)


@contextlib.asynccontextmanager
async def _locator(settings: BookingSettings) -> AsyncIterator[LocatorClient]:
    async with httpx.AsyncClient(base_url=settings.locator_url, timeout=settings.locator_timeout_s) as http:
        yield LocatorClient(http, cache_ttl_s=settings.locator_cache_ttl_s)


@app.callback()
def main() -> None:
    """France Services booking service."""
