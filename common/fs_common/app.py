"""The app factory every service uses: errors, request ids, logs, health and metrics wired the same way."""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import redis.asyncio as redis
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.middleware import Middleware

from fs_common.agent_auth import TokenVerifier
from fs_common.db import create_engine, make_sessionmaker
from fs_common.errors import SERVICE_STATUSES, document_problems, install_error_handlers
from fs_common.limits import RequestGuardMiddleware, RequestLimits
from fs_common.logs import RequestIdMiddleware
from fs_common.observability import Metrics, MetricsMiddleware, ReadinessCheck, health_router
from fs_common.settings import AgentTokenSettings, RedisServiceSettings, ServiceSettings

OPENAPI_PATH = "/openapi.json"
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    version: str = "1.0.0",
    lifespan: Lifespan | None = None,
    readiness_checks: dict[str, ReadinessCheck] | None = None,
    openapi_route: bool = True,
    inner_middleware: Sequence[Middleware] = (),
    limits: RequestLimits | None = None,
) -> FastAPI:
    """A FastAPI app with the shared error handlers, health routes, metrics and request ids.

    ``openapi_route=False`` leaves out FastAPI's own ``/openapi.json`` (the gateway serves an aggregated
    document there), and keeps ``/docs`` reading that path; ``inner_middleware`` runs inside the
    request-id and metrics middlewares, so that what it refuses still carries a request id and is
    counted. ``limits`` bound the size of requests and refuse unplain paths (``fs_common.limits``), before
    any route and inside the request-id and metrics middlewares, too."""
    app = FastAPI(
        title=title,
        description=description,
        version=version,
        lifespan=lifespan,
        openapi_url=OPENAPI_PATH if openapi_route else None,
        middleware=list(inner_middleware),
    )
    if not openapi_route:

        @app.api_route("/docs", methods=["GET", "HEAD"], include_in_schema=False)
        async def docs() -> HTMLResponse:
            return get_swagger_ui_html(openapi_url=OPENAPI_PATH, title=title)

    fastapi_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        """FastAPI's document, with the errors every operation may answer documented as they are sent."""
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(fastapi_openapi(), SERVICE_STATUSES)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.state.metrics = Metrics(service)
    install_error_handlers(app)
    app.include_router(health_router(readiness_checks or {}))
    app.add_middleware(RequestGuardMiddleware, limits=limits or RequestLimits())
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(RequestIdMiddleware)
    return app


def service_lifespan(
    settings: ServiceSettings, extra: Lifespan | None = None, *, pool_size: int = 10
) -> Lifespan:
    """A service's lifespan: first what every service opens, on ``app.state`` (``settings``, the database
    ``engine`` and ``sessionmaker``, the ``redis`` client for ``RedisServiceSettings``, the agents'
    ``token_verifier`` for ``AgentTokenSettings``), then the service's ``extra`` lifespan (its own clients
    and caches); closed in reverse order."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.engine = create_engine(settings.database_url, pool_size=pool_size)
        app.state.sessionmaker = make_sessionmaker(app.state.engine)
        if isinstance(settings, RedisServiceSettings):
            app.state.redis = redis.from_url(settings.redis_url)
        if isinstance(settings, AgentTokenSettings):
            app.state.token_verifier = TokenVerifier(
                public_key_pem=settings.agent_public_key_pem, jwks_url=settings.agent_jwks_url
            )
        try:
            if extra is None:
                yield
            else:
                async with extra(app):
                    yield
        finally:
            if isinstance(settings, RedisServiceSettings):
                await app.state.redis.aclose()
            await app.state.engine.dispose()

    return lifespan
