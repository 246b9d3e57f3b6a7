"""Alembic environment of the notify service (async, asyncpg)."""

from fs_common.migration_env import run
from notify.config import get_settings
from notify.db import import_models, metadata

import_models()
run(metadata, get_settings().database_url)
