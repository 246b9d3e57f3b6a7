"""The notify service's app factory: the delivery log API and the partner webhook registrations.

The work itself is done by the workers (``notify consume`` and ``notify dispatch``).
"""

from fastapi import FastAPI

from fs_common.app import create_service_app, service_lifespan
from fs_common.logs import configure_logging
from fs_common.observability import check_database, check_redis
from notify.config import NotifySettings, get_settings
from notify.deliveries.router import router as notifications_router
from notify.webhooks.router import router as webhooks_router


def create_app(settings: NotifySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("notify", settings.log_level, settings.log_json)

    app = create_service_app(
        limits=settings.request_limits(),
        service="notify",
        title="France Services — notifications",
        description="Confirmations, rappels, annulations et webhooks partenaires ; leur journal d'envoi.",
        lifespan=service_lifespan(settings),
        readiness_checks={"database": check_database, "redis": check_redis},
    )
    app.include_router(notifications_router)
    app.include_router(webhooks_router)
    return app
