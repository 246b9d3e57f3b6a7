"""Retry policy of an upstream, against a real HTTP server that answers 503 and counts the calls."""

import httpx
import pytest
from fastapi import FastAPI, Request, Response

from fs_common.backoff import Backoff
from fs_common.errors import ServiceUnavailable, problem_response
from gateway.proxy.breaker import BreakerState, CircuitBreaker
from gateway.proxy.retries import RetryBudget, RetryPolicy
from gateway.proxy.upstream import Upstream, is_retryable


@pytest.fixture(scope="module")
def overloaded(thread_server):
    calls: list[str] = []

    def build() -> FastAPI:
        app = FastAPI()

        @app.api_route("/busy", methods=["GET", "POST"])
        async def busy(request: Request) -> Response:
            calls.append(request.method)
            return Response(status_code=503)

        @app.get("/overloaded")
        async def overloaded(request: Request) -> Response:
            calls.append(request.method)
            detail = "Le service est momentanément surchargé."
            return problem_response(503, detail, type_slug="overloaded", headers={"Retry-After": "2"})

        @app.get("/later")
        async def later(request: Request) -> Response:
            calls.append(request.method)
            return Response(status_code=503, headers={"Retry-After": "30"})

        return app

    server = thread_server(build)
    server.start()
    yield server, calls
    server.stop()


async def _call(server, method: str, headers: dict[str, str]) -> int:
    upstream = Upstream(
        "test",
        server.url,
        timeout=httpx.Timeout(2.0),
        limits=httpx.Limits(),
        breaker=CircuitBreaker(threshold=10, reset_s=60),
        retry=RetryPolicy(retries=2, backoff=Backoff(0.0, 0.0), budget_ratio=10.0),
    )
    try:
        request = upstream.client.build_request(method, "/busy", headers=headers, content=b"{}")
        response = await upstream.send(request, retryable=is_retryable(method, headers))
        await response.aclose()
        return response.status_code
    finally:
        await upstream.client.aclose()


@pytest.mark.parametrize(
    ("method", "headers", "attempts"),
    [
        ("GET", {}, 3),
        ("POST", {}, 1),
        ("POST", {"Idempotency-Key": "retry-test-0001"}, 3),
    ],
)
async def test_only_idempotent_requests_are_retried(overloaded, method, headers, attempts):
    server, calls = overloaded
    calls.clear()
    status = await _call(server, method, headers)
    assert status == 503
    assert calls == [method] * attempts


async def test_an_open_circuit_refuses_without_calling(overloaded):
    server, calls = overloaded
    calls.clear()
    upstream = Upstream(
        "test",
        server.url,
        timeout=httpx.Timeout(2.0),
        limits=httpx.Limits(),
        breaker=CircuitBreaker(threshold=2, reset_s=60),
        retry=RetryPolicy(retries=0, backoff=Backoff(0.0, 0.0)),
    )
    try:
        for _ in range(2):
            response = await upstream.send(upstream.client.build_request("GET", "/busy"), retryable=True)
            await response.aclose()
        with pytest.raises(ServiceUnavailable) as refused:
            await upstream.send(upstream.client.build_request("GET", "/busy"), retryable=True)
        assert 50 <= int(refused.value.headers["Retry-After"]) <= 60
        assert calls == ["GET", "GET"]
    finally:
        await upstream.client.aclose()


@pytest.fixture(scope="module")
def buggy(thread_server):
    def build() -> FastAPI:
        app = FastAPI()

        @app.get("/status/{code}")
        async def answer(code: int) -> Response:
            return Response(status_code=code)

        return app

    server = thread_server(build)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("code", "opens"), [(500, False), (400, False), (422, False), (404, False), (504, True)]
)
async def test_only_what_says_a_service_is_unwell_opens_the_circuit(buggy, code, opens):
    breaker = CircuitBreaker(threshold=3, reset_s=60)
    upstream = Upstream(
        "test",
        buggy.url,
        timeout=httpx.Timeout(2.0),
        limits=httpx.Limits(),
        breaker=breaker,
        retry=RetryPolicy(retries=0, backoff=Backoff(0.0, 0.0)),
    )
    try:
        for _ in range(breaker.threshold):
            response = await upstream.send(
                upstream.client.build_request("GET", f"/status/{code}"), retryable=True
            )
            await response.aclose()
            assert response.status_code == code
        assert (breaker.state == BreakerState.open) is opens
    finally:
        await upstream.client.aclose()


def _upstream(server, retry: RetryPolicy) -> Upstream:
    return Upstream(
        "test",
        server.url,
        timeout=httpx.Timeout(2.0),
        limits=httpx.Limits(),
        breaker=CircuitBreaker(threshold=1000, reset_s=60),
        retry=retry,
    )


@pytest.mark.parametrize("path", ["/overloaded", "/later"])
async def test_an_overloaded_service_or_a_long_retry_after_is_not_retried(overloaded, path):
    server, calls = overloaded
    calls.clear()
    upstream = _upstream(server, RetryPolicy(retries=2, backoff=Backoff(0.0, 0.5), budget_ratio=10.0))
    try:
        response = await upstream.send(upstream.client.build_request("GET", path), retryable=True)
        body = await response.aread()
        await response.aclose()
    finally:
        await upstream.client.aclose()
    assert response.status_code == 503 and response.headers["retry-after"] in ("2", "30")
    assert calls == ["GET"]  # once: the caller gets the service's own answer and Retry-After
    if path == "/overloaded":
        assert b"overloaded" in body


async def test_retries_stay_within_the_budget(overloaded):
    server, calls = overloaded
    calls.clear()
    upstream = _upstream(server, RetryPolicy(retries=2, backoff=Backoff(0.0, 0.0), budget_ratio=0.1))
    try:
        for _ in range(100):
            response = await upstream.send(upstream.client.build_request("GET", "/busy"), retryable=True)
            await response.aclose()
    finally:
        await upstream.client.aclose()
    assert 100 < len(calls) <= 110


def test_the_budget_slides_with_time():
    now = [0.0]
    budget = RetryBudget(ratio=0.5, window_s=10, clock=lambda: now[0])
    for _ in range(4):
        budget.record_call()
    assert budget.try_spend() and budget.try_spend() and not budget.try_spend()
    now[0] = 10.5  # the calls (and retries) of second 0 have left the window
    budget.record_call()
    assert budget.calls == 1 and budget.retries == 0
    assert not budget.try_spend()  # 1 retry > 0.5 × 1 call
    budget.record_call()
    assert budget.try_spend()
