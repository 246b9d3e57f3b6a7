"""Gateway tests: the real locator, booking and notify, each with its own per-run database, served by uvicorn
on free loopback ports; the gateway in front of them, with its own database and Redis key prefix."""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator

import httpx
import pytest
from playwright.async_api import Browser, Page

from booking.cli import SERVICE_DIR as BOOKING_DIR
from booking.config import BookingSettings
from booking.main import create_app as create_booking
from fs_common.databases import create_and_migrate, drop_database
from fs_testkit.isolation import TEST_EVENT_KEYS, drop_keys, test_database_url, test_key_prefix
from fs_testkit.national import NationalData
from fs_testkit.servers import ThreadServer, free_port
from gateway.cli import SERVICE_DIR as GATEWAY_DIR
from gateway.config import GatewaySettings
from gateway.main import create_app as create_gateway
from locator.config import LocatorSettings
from locator.main import create_app as create_locator
from notify.cli import SERVICE_DIR as NOTIFY_DIR
from notify.config import NotifySettings
from notify.main import create_app as create_notify

from .browser import chromium, french_page

PREFIX = test_key_prefix("gateway")
ADMIN_TOKEN = "test-admin-token-" + PREFIX


@pytest.fixture(scope="session")
def thread_server() -> type[ThreadServer]:
    """The ``ThreadServer`` class, for tests that serve an app of their own (a stand-in provider)."""
    return ThreadServer


@pytest.fixture(scope="session")
def gateway_port() -> int:
    return free_port()


@pytest.fixture(scope="session")
def locator_server(gateway_port: int, national_data: NationalData) -> Iterator[ThreadServer]:
    url = national_data.clone("gw_locator")
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
    asyncio.run(drop_keys(PREFIX))


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
