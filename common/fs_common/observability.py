"""``/healthz`` (alive), ``/readyz`` (dependencies reachable) and ``/metrics`` (Prometheus)."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fs_common.errors import PROBLEM_JSON

ReadinessCheck = Callable[[FastAPI], Awaitable[None]]


class Metrics:
    """Per-app registry, so that several apps can live in one test process."""

    def __init__(self, service: str) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests",
            ["service", "method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request duration",
            ["service", "method", "route"],
            registry=self.registry,
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )
        self.service = service


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            m = self.metrics
            m.requests.labels(m.service, scope["method"], path, str(status)).inc()
            m.latency.labels(m.service, scope["method"], path).observe(time.perf_counter() - start)


def health_router(checks: dict[str, ReadinessCheck]) -> APIRouter:
    router = APIRouter(tags=["santé"])

    @router.get("/healthz", summary="Le processus répond")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Les dépendances sont joignables")
    async def readyz(request: Request) -> JSONResponse:
        results: dict[str, str] = {}

        async def run(name: str, check: ReadinessCheck) -> None:
            try:
                await asyncio.wait_for(check(request.app), timeout=2.0)
                results[name] = "ok"
            except Exception as exc:  # any failure means "not ready", reported by name
                results[name] = f"indisponible ({type(exc).__name__})"

        await asyncio.gather(*(run(n, c) for n, c in checks.items()))
        if all(v == "ok" for v in results.values()):
            return JSONResponse({"status": "ok", "checks": results})
        return JSONResponse(
            {
                "type": "https://api.france-services.example/problems/not-ready",
                "title": "Service pas prêt",
                "status": 503,
                "detail": "Une dépendance n'est pas joignable : "
                + ", ".join(k for k, v in results.items() if v != "ok"),
                "checks": results,
            },
            status_code=503,
            media_type=PROBLEM_JSON,
            headers={"Retry-After": "5"},
        )

    @router.get("/metrics", summary="Métriques Prometheus", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


async def check_database(app: FastAPI) -> None:
    from sqlalchemy import text

    async with app.state.engine.connect() as conn:
        await conn.execute(text("SELECT 1"))


async def check_redis(app: FastAPI) -> None:
    await app.state.redis.ping()
