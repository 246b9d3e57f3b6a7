"""Booking tests: one real database for the run, migrated with Alembic, dropped at the end."""

import asyncio
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from booking.cli import SERVICE_DIR
from booking.config import BookingSettings
from booking.main import create_app
from fs_common.databases import create_and_migrate, drop_database
from fs_common.testing import serve_in_process, test_database_url


@pytest.fixture(scope="session")
def booking_settings() -> Iterator[BookingSettings]:
    url = test_database_url("booking")
    create_and_migrate(SERVICE_DIR, url)
    yield BookingSettings(database_url=url, log_json=False, log_level="WARNING")
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
async def booking_client(booking_settings: BookingSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(booking_settings), "http://booking") as client:
        yield client
