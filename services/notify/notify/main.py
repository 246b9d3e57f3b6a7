"""The notify service's app factory: the delivery log API and the partner webhook registrations.

The work itself is done by the workers (``notify consume`` and ``notify dispatch``).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis
from fastapi import FastAPI

from fs_common.agent_auth import TokenVerifier
from fs_common.app import create_service_app
from fs_common.db import create_engine, make_sessionmaker
from fs_common.logs import configure_logging
from fs_common.observability import check_database, check_redis
from notify.config import NotifySettings, get_settings
from notify.deliveries.router import router as notifications_router
from notify.webhooks.router import router as webhooks_router


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("notify", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = create_engine(settings.database_url)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        app.state.redis = redis.from_url(settings.redis_url)
        app.state.token_verifier = TokenVerifier(
            public_key_pem=settings.agent_public_key_pem, jwks_url=settings.agent_jwks_url
        )
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.engine.dispose()

    app = create_service_app(
        limits=settings.request_limits(),
        service="notify",
        title="France Services — notifications",
        description="Confirmations, rappels, annulations et webhooks partenaires ; leur journal d'envoi.",
        lifespan=lifespan,
        readiness_checks={"database": check_database, "redis": check_redis},
    )
    app.include_router(notifications_router)
    app.include_router(webhooks_router)
    return app
