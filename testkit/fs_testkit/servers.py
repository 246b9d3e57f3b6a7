"""Real servers on the loopback for the tests: free ports, an app served in-process or by uvicorn (in this
event loop or in a thread of its own), readiness waits, and raw HTTP/1.1 exchanges."""

import asyncio
import contextlib
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import uvicorn
from fastapi import FastAPI

T = TypeVar("T")


def free_port() -> int:
    """A port nothing listens on (yet): for a server to start on later, or one that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for(predicate: Callable[[], T], timeout_s: float, what: str) -> T:
    """Poll ``predicate`` (every half second) until it returns something truthy; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


async def wait_until(predicate: Callable[[], Awaitable[T]], within: float = 30, interval: float = 0.05) -> T:
    """Poll an async predicate until it returns something truthy."""
    async with asyncio.timeout(within):
        while not (result := await predicate()):  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(interval)
    return result


@contextlib.asynccontextmanager
async def serve_in_process(
    app: FastAPI, base_url: str = "http://testserver"
) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan and yield an httpx client talking to it in-process (ASGI)."""
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client


@contextlib.asynccontextmanager
async def http_server(app: FastAPI, port: int = 0, **config: Any) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn in this event loop on 127.0.0.1 (``port``, or one the system chooses);
    yields the base URL. ``config``: more ``uvicorn.Config`` options."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, **config)
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("uvicorn stopped before it started")
        await asyncio.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{bound}"
    finally:
        server.should_exit = True
        await task


class ThreadServer:
    """Each start builds a fresh app (``factory``) and serves it in its own thread and event loop, for
    synchronous fixtures and for servers that must outlive a test's event loop."""

    def __init__(self, factory: Callable[[], FastAPI], port: int | None = None) -> None:
        self.factory = factory
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout_s: float = 30.0) -> None:
        config = uvicorn.Config(
            self.factory(), host="127.0.0.1", port=self.port, log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name=f"server-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=30)
            self._server = self._thread = None


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
