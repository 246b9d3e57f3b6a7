"""Locator tests: one real PostGIS database for the run, migrated and loaded with the real data."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from fs_common.databases import create_and_migrate, drop_database
from fs_common.testing import serve_in_process, test_database_url
from locator.config import LocatorSettings
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SERVICE_DIR, SITES_CSV
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites
from locator.main import create_app


@pytest.fixture(scope="session")
def locator_settings() -> Iterator[LocatorSettings]:
    """Migrated, then filled with the vendored communes and sites; dropped at the end of the run."""
    url = test_database_url("locator")
    create_and_migrate(SERVICE_DIR, url)
    settings = LocatorSettings(database_url=url, log_json=False, log_level="WARNING")
    asyncio.run(in_transaction(url, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV)))
    asyncio.run(in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))))
    yield settings
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def locator_client(locator_settings: LocatorSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(locator_settings), "http://locator") as client:
        yield client
