"""The notify service's app factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import redis.asyncio as redis
from fastapi import FastAPI
from fs_common.app import create_service_app
from fs_common.db import create_engine, make_sessionmaker
from fs_common.logs import configure_logging
from fs_common.observability import check_database, check_redis

from notify.config import NotifySettings, get_settings


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("notify", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = create_engine(settings.database_url)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        app.state.redis = redis.from_url(settings.redis_url)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await app.state.engine.dispose()

    return create_service_app(
        service="notify",
        title="France Services — notify",
        description="",
        lifespan=lifespan,
        readiness_checks={"database": check_database, "redis": check_redis},
    )
