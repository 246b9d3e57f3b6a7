"""The locator's app factory: France Services sites, mobile stops, communes and geocoding."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from fs_common.app import create_service_app, service_lifespan
from fs_common.logs import configure_logging
from fs_common.observability import check_database
from locator.config import LocatorSettings, get_settings
from locator.coverage.router import router as coverage_router
from locator.geocoding.ban_client import BanClient
from locator.geocoding.router import router as geocoding_router
from locator.itineraries.router import admin_router as itineraries_admin_router
from locator.itineraries.router import router as itineraries_router
from locator.sites.router import router as sites_router
from locator.snapshot.live import LiveSnapshot
from locator.travel.model import TravelModel
from locator.travel.osrm import OsrmClient


async def check_snapshot(app: FastAPI) -> None:
    app.state.snapshot.get()


def create_app(settings: LocatorSettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("locator", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.travel_model = TravelModel.from_settings(settings)  # the one model of every search
        app.state.geocoder_http = httpx.AsyncClient(timeout=settings.geocoder_timeout_s)
        app.state.ban = (
            BanClient(app.state.geocoder_http, settings.geocoder_url) if settings.geocoder_url else None
        )
        app.state.routing_http = httpx.AsyncClient(timeout=settings.routing_timeout_s)
        app.state.routing = (
            OsrmClient(app.state.routing_http, settings.routing_url, settings.routing_profile)
            if settings.routing_url
            else None
        )
        app.state.snapshot = LiveSnapshot(
            app.state.sessionmaker, settings.database_url, app.state.travel_model
        )
        await app.state.snapshot.start()
        try:
            yield
        finally:
            await app.state.snapshot.stop()
            await app.state.routing_http.aclose()
            await app.state.geocoder_http.aclose()

    app = create_service_app(
        limits=settings.request_limits(),
        service="locator",
        title="France Services — localisation",
        description="Trouver la France Services ou l'arrêt de bus France Services le plus proche.",
        lifespan=service_lifespan(settings, lifespan),
        readiness_checks={"database": check_database, "search_index": check_snapshot},
    )
    app.include_router(sites_router)
    app.include_router(geocoding_router)
    app.include_router(itineraries_router)
    app.include_router(itineraries_admin_router)
    app.include_router(coverage_router)
    return app
