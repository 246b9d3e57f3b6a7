"""Notify tests: one real database for the run, migrated with Alembic, dropped at the end."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fs_common.databases import create_and_migrate, drop_database
from fs_common.testing import serve_in_process, test_database_url
from notify.cli import SERVICE_DIR
from notify.config import NotifySettings
from notify.main import create_app


@pytest.fixture(scope="session")
def notify_settings() -> Iterator[NotifySettings]:
    url = test_database_url("notify")
    create_and_migrate(SERVICE_DIR, url)
    yield NotifySettings(database_url=url, log_json=False, log_level="WARNING")
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def notify_client(notify_settings: NotifySettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(notify_settings), "http://notify") as client:
        yield client
