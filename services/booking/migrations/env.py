"""Alembic environment of the booking service (async, asyncpg)."""

import booking.agendas.models
import booking.bookings.models
import booking.catalogue.models
import booking.events.models
import booking.slots.models
import booking.visits.models  # noqa: F401  (every table registered on the metadata)
from booking.config import get_settings
from booking.db import metadata
from fs_common.migration_env import run

run(metadata, get_settings().database_url)
