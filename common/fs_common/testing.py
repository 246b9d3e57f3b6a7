"""Test helpers shared by the services: one throw-away database per test run, migrated for real."""

import asyncio
import contextlib
import json
import os
import socket
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

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


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


async def raw_request(
    base_url: str,
    method: str,
    target: str | bytes,
    *,
    headers: Sequence[tuple[bytes, bytes]] = (),
    body_parts: Sequence[bytes] = (),
) -> RawResponse:
    """One HTTP/1.1 exchange written byte for byte: the path exactly as given (httpx would resolve dot
    segments and re-encode it), headers as bytes, the body as the given parts (the caller writes the
    chunked framing or announces a length it never sends). Reads the answer until the server closes."""
    host, port = base_url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        target_bytes = target if isinstance(target, bytes) else target.encode("ascii")
        head = [method.encode() + b" " + target_bytes + b" HTTP/1.1", f"host: {host}:{port}".encode()]
        head += [b"connection: close", *(name + b": " + value for name, value in headers)]
        writer.write(b"\r\n".join(head) + b"\r\n\r\n")
        for part in body_parts:
            writer.write(part)
        await writer.drain()
        status_line = await reader.readline()
        response_headers: dict[str, str] = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        length = int(response_headers.get("content-length", "0"))
        body = await reader.readexactly(length) if length else b""
        return RawResponse(int(status_line.split()[1]), response_headers, body)
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError):
            await writer.wait_closed()
