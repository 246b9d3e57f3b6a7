"""Alembic environment of the booking service (async, asyncpg)."""

from booking.config import get_settings
from booking.db import metadata
from fs_common.migration_env import run

run(metadata, get_settings().database_url)
