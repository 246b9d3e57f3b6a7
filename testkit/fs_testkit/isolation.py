"""This test run's own names: databases, Redis key prefixes, and the fixed events key."""

import os
import uuid

import redis.asyncio as redis

RUN_ID = os.environ.get("FS_TEST_RUN_ID") or uuid.uuid4().hex[:8]
PG_BASE = os.environ.get("FS_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432")
REDIS_BASE = os.environ.get("FS_TEST_REDIS", "redis://127.0.0.1:6379/0")

# The events key of every test run (booking seals, notify opens): a fixed test key, never a real one.
TEST_EVENT_KEYS = "test-1:dGVzdC1vbmx5LWtleS1mb3ItZXZlbnRzLTMyLWJ5dGU"


def test_database_url(service: str) -> str:
    """A database name unique to this test run, e.g. ``fs_test_1a2b3c4d_locator``."""
    return f"{PG_BASE}/fs_test_{RUN_ID}_{service}"


def test_key_prefix(service: str) -> str:
    """A Redis key prefix unique to this test run."""
    return f"fs_test:{RUN_ID}:{service}:"


async def drop_keys(prefix: str, redis_url: str = REDIS_BASE) -> None:
    """Delete the keys under ``prefix`` (this run's, never anyone else's: no FLUSHALL)."""
    client = redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
