"""The app factory every service uses: errors, request ids, logs, health and metrics wired the same way."""

from collections.abc import Callable
from contextlib import AbstractAsyncContextManager

from fastapi import FastAPI

from fs_common.errors import install_error_handlers
from fs_common.logs import RequestIdMiddleware
from fs_common.observability import Metrics, MetricsMiddleware, ReadinessCheck, health_router

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def create_service_app(
    *,
    service: str,
    title: str,
    description: str,
    version: str = "1.0.0",
    lifespan: Lifespan | None = None,
    readiness_checks: dict[str, ReadinessCheck] | None = None,
) -> FastAPI:
    app = FastAPI(title=title, description=description, version=version, lifespan=lifespan)
    app.state.metrics = Metrics(service)
    install_error_handlers(app)
    app.include_router(health_router(readiness_checks or {}))
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(RequestIdMiddleware)
    return app
