"""The booking service's app factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from booking.activity.router import router as activity_router
from booking.agendas.router import router as agendas_router
from booking.bookings.router import router as bookings_router
from booking.catalogue.router import router as catalogue_router
from booking.clients.locator import LocatorClient
from booking.config import BookingSettings, get_settings
from booking.slots.router import router as slots_router
from booking.visits.router import router as visits_router
from fs_common.app import create_service_app, service_lifespan
from fs_common.logs import configure_logging
from fs_common.observability import check_database, check_redis


def create_app(
    settings: BookingSettings | None = None, *, locator_http: httpx.AsyncClient | None = None
) -> FastAPI:
    """``locator_http``: an already configured client of the locator (tests); by default one is made."""
    settings = settings or get_settings()
    configure_logging("booking", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        http = locator_http or httpx.AsyncClient(
            base_url=settings.locator_url, timeout=settings.locator_timeout_s
        )
        app.state.locator = LocatorClient(http, cache_ttl_s=settings.locator_cache_ttl_s)
        try:
            yield
        finally:
            if locator_http is None:
                await http.aclose()

    app = create_service_app(
        limits=settings.request_limits(),
        service="booking",
        title="France Services — rendez-vous",
        description="Démarches, agendas, créneaux libres et rendez-vous sans double réservation.",
        lifespan=service_lifespan(settings, lifespan, pool_size=settings.db_pool_size),
        readiness_checks={"database": check_database, "redis": check_redis},
    )
    for router in (
        catalogue_router,
        slots_router,
        bookings_router,
        agendas_router,
        visits_router,
        activity_router,
    ):
        app.include_router(router)

    return app
