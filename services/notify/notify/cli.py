"""``notify`` command: database migrations and the service's workers."""

import asyncio
import datetime as dt
from pathlib import Path

import typer

from fs_common.databases import create_and_migrate
from fs_common.db import create_engine, make_sessionmaker
from fs_common.logs import configure_logging
from notify.config import NotifySettings, get_settings
from notify.retention import service as retention
from notify.workers import run_consumer, run_dispatcher

app = typer.Typer(help="France Services notify service.", no_args_is_help=True)
SERVICE_DIR = Path(__file__).resolve().parent.parent


@app.command()
def migrate() -> None:
    """Create the database if needed and run the migrations."""
    create_and_migrate(SERVICE_DIR, get_settings().database_url)
    typer.echo("notify: database migrated", err=True)


@app.command()
def consume() -> None:
    """Consume booking events into the delivery log (Ctrl-C or SIGTERM stops it cleanly)."""
    settings = get_settings()
    configure_logging("notify-consumer", settings.log_level, settings.log_json)
    asyncio.run(run_consumer(settings))


@app.command()
def dispatch() -> None:
    """Send the delivery log (e-mails, SMS, webhooks) and the due reminders, with retries."""
    settings = get_settings()
    configure_logging("notify-dispatcher", settings.log_level, settings.log_json)
    asyncio.run(run_dispatcher(settings))


@app.command()
def anonymise() -> None:
    """Blank the contact details of bookings past the retention period (the dispatcher does it hourly)."""
    settings = get_settings()
    configure_logging("notify", settings.log_level, settings.log_json)
    count = asyncio.run(_anonymise(settings))
    typer.echo(f"notify: {count} bookings anonymised", err=True)


async def _anonymise(settings: NotifySettings) -> int:
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        return await retention.anonymise(
            make_sessionmaker(engine), settings=settings, now=dt.datetime.now(dt.UTC)
        )
    finally:
        await engine.dispose()


@app.callback()
def main() -> None:
    """France Services notify service."""
