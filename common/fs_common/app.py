"""The app factory every service uses: errors, request ids, logs, health and metrics wired the same way."""

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.middleware import Middleware

from fs_common.errors import SERVICE_STATUSES, document_problems, install_error_handlers
from fs_common.limits import RequestGuardMiddleware, RequestLimits
from fs_common.logs import RequestIdMiddleware
from fs_common.observability import Metrics, MetricsMiddleware, ReadinessCheck, health_router

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

        @app.get("/docs", include_in_schema=False)
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
