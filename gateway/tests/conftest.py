"""Gateway tests: the real locator, booking and notify, each with its own per-run database, served by uvicorn
on free loopback ports; the gateway in front of them, with its own database and Redis key prefix."""

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
import redis.asyncio as redis
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, Page

from booking.cli import SERVICE_DIR as BOOKING_DIR
from booking.config import BookingSettings
from booking.main import create_app as create_booking
from fs_common.databases import create_and_migrate, drop_database
from fs_common.testing import REDIS_BASE, TEST_EVENT_KEYS, test_database_url, test_key_prefix
from gateway.cli import SERVICE_DIR as GATEWAY_DIR
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from locator.config import LocatorSettings
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SITES_CSV
from locator.data_files import SERVICE_DIR as LOCATOR_DIR
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites
from locator.main import create_app as create_locator
from notify.cli import SERVICE_DIR as NOTIFY_DIR
from notify.config import NotifySettings
from notify.main import create_app as create_notify

from .browser import chromium, french_page

PREFIX = test_key_prefix("gateway")
ADMIN_TOKEN = "test-admin-token-" + PREFIX


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadServer:
    """Each start builds a fresh app (``factory``) and serves it in its own thread and event loop."""

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


@pytest.fixture(scope="session")
def thread_server() -> type[ThreadServer]:
    """The ``ThreadServer`` class, for tests that serve an app of their own (a stand-in provider)."""
    return ThreadServer


@pytest.fixture(scope="session")
def gateway_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def locator_server(gateway_port: int) -> Iterator[ThreadServer]:
    url = test_database_url("gw_locator")
    create_and_migrate(LOCATOR_DIR, url)
    asyncio.run(in_transaction(url, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV)))
    asyncio.run(in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))))
    settings = LocatorSettings(
        database_url=url,
        log_json=False,
        log_level="WARNING",
        agent_jwks_url=f"http://127.0.0.1:{gateway_port}/.well-known/jwks.json",
    )
    server = ThreadServer(lambda: create_locator(settings))
    server.start()
    yield server
    server.stop()
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def booking_server(locator_server: ThreadServer, gateway_port: int) -> Iterator[ThreadServer]:
    url = test_database_url("gw_booking")
    create_and_migrate(BOOKING_DIR, url)
    settings = BookingSettings(
        database_url=url,
        log_json=False,
        log_level="WARNING",
        locator_url=locator_server.url,
        agent_jwks_url=f"http://127.0.0.1:{gateway_port}/.well-known/jwks.json",
        events_stream=PREFIX + "booking.events",
        events_keys=TEST_EVENT_KEYS,
    )
    server = ThreadServer(lambda: create_booking(settings))
    server.start()
    yield server
    server.stop()
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def notify_server(gateway_port: int) -> Iterator[ThreadServer]:
    url = test_database_url("gw_notify")
    create_and_migrate(NOTIFY_DIR, url)
    settings = NotifySettings(
        database_url=url,
        log_json=False,
        log_level="WARNING",
        stream=PREFIX + "booking.events",
        events_keys=TEST_EVENT_KEYS,
        agent_jwks_url=f"http://127.0.0.1:{gateway_port}/.well-known/jwks.json",
    )
    server = ThreadServer(lambda: create_notify(settings))
    server.start()
    yield server
    server.stop()
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def gateway_database() -> Iterator[str]:
    url = test_database_url("gateway")
    create_and_migrate(GATEWAY_DIR, url)
    yield url
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session")
def gateway_settings(
    locator_server: ThreadServer,
    booking_server: ThreadServer,
    notify_server: ThreadServer,
    gateway_database: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> GatewaySettings:
    return GatewaySettings(
        database_url=gateway_database,
        admin_token=ADMIN_TOKEN,
        jwt_private_key_file=tmp_path_factory.mktemp("keys") / "agent-signing-key.pem",
        anonymous_per_minute=1000,
        locator_url=locator_server.url,
        booking_url=booking_server.url,
        notify_url=notify_server.url,
        redis_prefix=PREFIX,
        breaker_threshold=3,
        breaker_reset_s=0.5,
        log_json=False,
        log_level="WARNING",
    )


@pytest.fixture(scope="session")
def gateway_server(gateway_settings: GatewaySettings, gateway_port: int) -> Iterator[ThreadServer]:
    server = ThreadServer(lambda: create_gateway(gateway_settings), port=gateway_port)
    server.start()
    yield server
    server.stop()
    asyncio.run(_clean_redis())


async def _clean_redis() -> None:
    client = redis.from_url(REDIS_BASE)
    async for key in client.scan_iter(match=PREFIX + "*"):
        await client.delete(key)
    await client.aclose()


@pytest.fixture(scope="session")
async def gateway(gateway_server: ThreadServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=gateway_server.url, timeout=10) as client:
        yield client


@pytest.fixture(scope="session")
async def admin(gateway_server: ThreadServer) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the gateway's admin API."""
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    async with httpx.AsyncClient(base_url=gateway_server.url, timeout=10, headers=headers) as client:
        yield client


@pytest.fixture(scope="session")
def cli(gateway_settings: GatewaySettings) -> Callable[..., str]:
    """Runs a ``gateway`` command against the test database and Redis prefix; returns its output."""
    from typer.testing import CliRunner

    from gateway.cli import app
    from gateway.config import get_settings

    def run(*args: str, env: dict[str, str] | None = None) -> str:
        environment = {
            "GATEWAY_DATABASE_URL": gateway_settings.database_url,
            "GATEWAY_REDIS_PREFIX": gateway_settings.redis_prefix,
        } | (env or {})
        get_settings.cache_clear()
        try:
            result = CliRunner().invoke(app, list(args), env=environment)
        finally:
            get_settings.cache_clear()
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    return run


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium, one per browser test module."""
    async with chromium() as browser:
        yield browser


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    async with french_page(browser) as page:
        yield page
