"""Test helpers shared by the services: one throw-away database per test run, migrated for real."""

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator

import httpx
import uvicorn
from fastapi import FastAPI

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


@contextlib.asynccontextmanager
async def serve_in_process(
    app: FastAPI, base_url: str = "http://testserver"
) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield an httpx client talking to it in-process (ASGI)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def http_server(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port; yields the base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
