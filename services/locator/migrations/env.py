"""Alembic environment of the locator (async, asyncpg; PostGIS objects handled by GeoAlchemy2)."""

from geoalchemy2 import alembic_helpers

from fs_common.migration_env import run
from locator.communes.models import Commune  # noqa: F401  (registers the table)
from locator.config import get_settings
from locator.db import metadata
from locator.itineraries.models import Stop  # noqa: F401
from locator.sites.models import Site  # noqa: F401

run(metadata, get_settings().database_url, include_object=alembic_helpers.include_object)
