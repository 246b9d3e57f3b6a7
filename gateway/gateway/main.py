"""The gateway's app factory: the one public entry in front of locator, booking and notify."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import redis.asyncio as redis
from fastapi import FastAPI
from fs_common.app import create_service_app
from fs_common.logs import configure_logging
from fs_common.observability import check_redis

from gateway.config import GatewaySettings, get_settings
from gateway.proxy.forward import router as proxy_router


async def _check_upstreams(app: FastAPI) -> None:
    for name, client in app.state.upstreams.items():
        response = await client.get("/readyz")
        if response.status_code != 200:
            raise RuntimeError(f"{name} not ready")


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.redis = redis.from_url(settings.redis_url)
        timeout = httpx.Timeout(settings.upstream_timeout_s, connect=1.0)
        app.state.upstreams = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout)
            for name, url in (
                ("locator", settings.locator_url),
                ("booking", settings.booking_url),
                ("notify", settings.notify_url),
            )
        }
        try:
            yield
        finally:
            for client in app.state.upstreams.values():
                await client.aclose()
            await app.state.redis.aclose()

    app = create_service_app(
        service="gateway",
        title="France Services — API publique",
        description="Trouver une France Services, un arrêt de bus France Services, et prendre rendez-vous.",
        lifespan=lifespan,
        readiness_checks={"redis": check_redis, "services": _check_upstreams},
    )
    app.include_router(proxy_router)
    return app
