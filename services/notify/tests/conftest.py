"""Notify tests: a real database (migrated with Alembic), real Redis streams under this run's prefix, and
real local stand-ins for the outside: an aiosmtpd SMTP server, an HTTP server playing the SMS provider
and a partner. Every server listens on 127.0.0.1, port 0."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis.asyncio as redis
from sqlalchemy import text

from fs_common.databases import create_and_migrate, drop_database
from fs_common.db import create_engine, make_sessionmaker
from fs_testkit.events import SITE_ID
from fs_testkit.isolation import REDIS_BASE, TEST_EVENT_KEYS, drop_keys, test_database_url, test_key_prefix
from fs_testkit.servers import http_server, serve_in_process
from fs_testkit.standins import HttpStandIn, Mailbox, smtp_server
from fs_testkit.tokens import AgentKey
from notify.cli import SERVICE_DIR
from notify.config import NotifySettings
from notify.main import create_app

AGENT_KEY = AgentKey()
ADMIN_TOKEN = "test-admin-token-0123456789abcdef"


@pytest.fixture(scope="session")
def notify_settings() -> Iterator[NotifySettings]:
    url = test_database_url("notify")
    create_and_migrate(SERVICE_DIR, url)
    yield NotifySettings(
        database_url=url,
        redis_url=REDIS_BASE,
        log_json=False,
        log_level="WARNING",
        stream=f"{test_key_prefix('notify')}booking.events",
        events_keys=TEST_EVENT_KEYS,
        agent_public_key_pem=AGENT_KEY.public_pem,
        admin_token=ADMIN_TOKEN,
        read_block_ms=100,
        claim_min_idle_ms=300,
        claim_every_s=0.2,
        poll_interval_s=0.05,
        backoff_base_s=0.05,
        backoff_max_s=0.3,
        max_attempts=4,
        smtp_timeout_s=2,
        webhook_timeout_s=2,
    )
    asyncio.run(drop_database(url))


@pytest.fixture(scope="session", autouse=True)
async def _drop_test_streams() -> AsyncIterator[None]:
    yield
    await drop_keys(test_key_prefix("notify"))


# Names the tests' partners use, answered like /etc/hosts would: public addresses that nothing connects
# to (registration only checks them).
PARTNER_HOSTS = ["partenaire.example=93.184.215.14", "msa.example=93.184.215.15"]


@pytest.fixture
async def settings(
    notify_settings: NotifySettings, http_standin: HttpStandIn
) -> AsyncIterator[NotifySettings]:
    """Per test: empty tables and a stream of its own; the partner stand-in on 127.0.0.1 (plain http)
    is the one internal address webhooks may reach."""
    engine = create_engine(notify_settings.database_url, pool_size=1)
    async with engine.begin() as conn:
        await conn.execute(
            text("TRUNCATE processed_events, booking_states, deliveries, reminders, webhook_subscriptions")
        )
    await engine.dispose()
    yield notify_settings.model_copy(
        update={
            "stream": f"{notify_settings.stream}.{uuid.uuid4().hex[:8]}",
            "consumer_name": "c1",
            "webhook_allow_http": True,
            "webhook_hosts": PARTNER_HOSTS,
            "webhook_allowed_targets": [http_standin.base_url.removeprefix("http://")],
        }
    )


@pytest.fixture
async def redis_client() -> AsyncIterator[redis.Redis]:
    client = redis.from_url(REDIS_BASE)
    yield client
    await client.aclose()


@pytest.fixture
async def sessionmaker(notify_settings: NotifySettings):
    engine = create_engine(notify_settings.database_url, pool_size=2)
    yield make_sessionmaker(engine)
    await engine.dispose()


@pytest.fixture
async def api(settings: NotifySettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_in_process(create_app(settings), "http://notify") as client:
        yield client


@pytest.fixture
async def smtp() -> AsyncIterator[tuple[Mailbox, int]]:
    async with smtp_server() as running:
        yield running


@pytest.fixture
async def http_standin() -> AsyncIterator[HttpStandIn]:
    standin = HttpStandIn()
    async with http_server(standin.app()) as base_url:
        standin.base_url = base_url
        yield standin


@pytest.fixture
def agent_headers():
    """``agent_headers(role, sites)``: the Authorization header of a signed agent token."""

    def make(role: str = "agent", sites: list[int] | None = None) -> dict[str, str]:
        return AGENT_KEY.headers(role, sites if sites is not None else [SITE_ID])

    return make


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {ADMIN_TOKEN}"}
