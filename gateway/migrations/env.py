"""Alembic environment of the gateway (async, asyncpg)."""

import gateway.agents.models
import gateway.partners.models  # noqa: F401
from fs_common.migration_env import run
from gateway.config import get_settings
from gateway.db import metadata

run(metadata, get_settings().database_url)
