"""The gateway's app factory: the one public entry in front of locator, booking and notify."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.middleware import Middleware

from fs_common.agent_auth import TokenVerifier
from fs_common.app import create_service_app, service_lifespan
from fs_common.backoff import Backoff
from fs_common.logs import configure_logging
from fs_common.observability import check_database, check_redis
from gateway.access.middleware import AccessMiddleware
from gateway.access.ratelimit import Limiter
from gateway.agents.oidc import OidcProvider
from gateway.agents.router import router as agents_router
from gateway.agents.tokens import TokenSigner, load_or_create_private_key
from gateway.compose.router import router as compose_router
from gateway.config import GatewaySettings, get_settings
from gateway.openapi.aggregate import OpenApiAggregator
from gateway.openapi.router import router as openapi_router
from gateway.partners.router import router as partner_keys_router
from gateway.proxy.breaker import CircuitBreaker
from gateway.proxy.forward import router as proxy_router
from gateway.proxy.metrics import CircuitCollector
from gateway.proxy.retries import RetryPolicy
from gateway.proxy.upstream import Upstream
from gateway.widget.router import router as widget_router


async def _check_upstreams(app: FastAPI) -> None:
    failing = []
    for name, upstream in app.state.upstreams.items():
        try:
            response = await upstream.client.get("/readyz")
            if response.status_code != 200:
                failing.append(name)
        except httpx.HTTPError:
            failing.append(name)
    if failing:
        raise RuntimeError(f"not ready: {', '.join(failing)}")


def retry_policy(settings: GatewaySettings) -> RetryPolicy:
    return RetryPolicy(
        retries=settings.upstream_retries,
        backoff=Backoff(settings.upstream_retry_backoff_s, settings.upstream_retry_max_wait_s),
        budget_ratio=settings.upstream_retry_budget,
        budget_window_s=settings.upstream_retry_budget_window_s,
    )


def _upstreams(settings: GatewaySettings) -> dict[str, Upstream]:
    timeout = httpx.Timeout(settings.upstream_timeout_s, connect=settings.upstream_connect_timeout_s)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    return {
        name: Upstream(
            name,
            url,
            timeout=timeout,
            limits=limits,
            breaker=CircuitBreaker(settings.breaker_threshold, settings.breaker_reset_s),
            retry=retry_policy(settings),
        )
        for name, url in (
            ("locator", settings.locator_url),
            ("booking", settings.booking_url),
            ("notify", settings.notify_url),
        )
    }


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging("gateway", settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.limiter = Limiter(settings.redis_url, settings.redis_prefix)
        app.state.login_verifications = asyncio.Semaphore(settings.login_concurrent_verifications)
        app.state.upstreams = _upstreams(settings)
        circuits = CircuitCollector(app.state.upstreams)
        app.state.metrics.registry.register(circuits)
        app.state.signer = TokenSigner(
            load_or_create_private_key(settings.jwt_private_key_pem, settings.jwt_private_key_file),
            settings.agent_token_ttl_s,
        )
        app.state.token_verifier = TokenVerifier(public_key_pem=app.state.signer.public_key_pem)
        app.state.oidc_http = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0))
        app.state.oidc = (
            OidcProvider(
                app.state.oidc_http,
                issuer=settings.oidc_issuer,
                client_id=settings.oidc_client_id,
                role_claim=settings.oidc_role_claim,
                sites_claim=settings.oidc_sites_claim,
            )
            if settings.auth_provider == "oidc"
            else None
        )
        app.state.openapi = OpenApiAggregator(
            app, app.state.upstreams, settings.openapi_cache_s, settings.public_url
        )
        try:
            yield
        finally:
            app.state.metrics.registry.unregister(circuits)
            await app.state.oidc_http.aclose()
            for upstream in app.state.upstreams.values():
                await upstream.client.aclose()

    app = create_service_app(
        service="gateway",
        title="France Services — API publique",
        description="Trouver une France Services, un arrêt de bus France Services, et prendre rendez-vous.",
        lifespan=service_lifespan(settings, lifespan),
        readiness_checks={"database": check_database, "redis": check_redis, "services": _check_upstreams},
        # FastAPI's own document would cover only the gateway's routes: the aggregated one replaces it.
        openapi_route=False,
        inner_middleware=[Middleware(AccessMiddleware)],
        # What the gateway forwards it must re-encode: a header it cannot is refused, not a 500.
        limits=settings.request_limits(ascii_headers=True),
    )
    app.include_router(openapi_router)
    app.include_router(widget_router)
    app.include_router(agents_router)
    app.include_router(compose_router)
    app.include_router(partner_keys_router)
    # The catch-all proxy comes last: the gateway's own routes (and the widget's) match first.
    app.include_router(proxy_router)
    return app
