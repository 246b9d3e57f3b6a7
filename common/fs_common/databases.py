"""Create, migrate and drop a service's database: used by ``make run`` and by the test suites."""

import asyncio
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url


def asyncpg_dsn(url: str, *, database: str | None = None) -> str:
    """A SQLAlchemy URL (``postgresql+asyncpg://…``) as the DSN that asyncpg and libpq take, for what
    needs a raw connection (LISTEN, maintenance); ``database`` replaces the URL's."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def _admin_dsn(url: str) -> tuple[str, str]:
    """(DSN of the maintenance database, name of the target database) for a SQLAlchemy URL."""
    return asyncpg_dsn(url, database="postgres"), make_url(url).database or ""


async def create_database(url: str) -> bool:
    """Create the database if it does not exist; True when it was created."""
    dsn, name = _admin_dsn(url)
    conn = await asyncpg.connect(dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
        return not exists
    finally:
        await conn.close()


async def drop_database(url: str) -> None:
    dsn, name = _admin_dsn(url)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def migrate(service_dir: Path, url: str, revision: str = "head") -> None:
    """Run the service's Alembic migrations (``service_dir/alembic.ini``) against ``url``."""
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


def create_and_migrate(service_dir: Path, url: str) -> None:
    asyncio.run(create_database(url))
    migrate(service_dir, url)
