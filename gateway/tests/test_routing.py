"""Routing to the three services, request ids, and a service that goes down and comes back."""

import asyncio
import gzip
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Response
from fastapi.responses import StreamingResponse

from fs_testkit.servers import http_server, serve_in_process
from gateway.main import create_app
from gateway.proxy.routes import service_for


@pytest.mark.parametrize(
    ("path", "service"),
    [
        ("/v1/sites/nearest", "locator"),
        ("/v1/sites/1203", "locator"),
        ("/v1/sites/1203/slots", "booking"),
        ("/v1/stops/42/slots", "booking"),
        ("/v1/stops/nearest", "locator"),
        ("/v1/access-points/nearest", "locator"),
        ("/v1/geocode", "locator"),
        ("/v1/coverage/departements", "locator"),
        ("/v1/admin/sites/1960/stops/12", "locator"),
        ("/v1/demarches", "booking"),
        ("/v1/bookings/abc/cancel", "booking"),
        ("/v1/agent/bookings", "booking"),
        ("/v1/notifications", "notify"),
        ("/v1/webhooks/12", "notify"),
        ("/v1/sitesfoo", None),
        ("/v1/unknown", None),
    ],
)
def test_routing_table(path: str, service: str | None):
    assert service_for(path) == service


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/sites/nearest", {"q": "23000", "limit": 2}, 200),
        ("/v1/demarches", {}, 200),
        ("/v1/sites/nearest", {"lat": 91, "lon": 2}, 422),
        ("/v1/sites/999999999", {}, 404),
    ],
)
async def test_proxied_reads_answer_head_as_get_without_the_body(
    gateway: httpx.AsyncClient, path, params, status
):
    """Through the real gateway and services: the status and headers of the GET, no body."""
    got = await gateway.get(path, params=params)
    head = await gateway.head(path, params=params)
    assert got.status_code == head.status_code == status
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["content-length"] == str(len(got.content))


async def test_locator_through_gateway_with_request_id(gateway: httpx.AsyncClient):
    response = await gateway.get(
        "/v1/sites/nearest", params={"q": "23000", "limit": 2}, headers={"X-Request-ID": "test-req-0001"}
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "test-req-0001"
    assert len(response.json()["results"]) == 2
    created = await gateway.get("/v1/sites/nearest", params={"q": "23000"}, headers={"X-Request-ID": "x"})
    assert created.headers["x-request-id"] != "x"


async def test_unknown_path_is_problem_json(gateway: httpx.AsyncClient):
    response = await gateway.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_readyz_checks_every_service(gateway: httpx.AsyncClient):
    response = await gateway.get("/readyz")
    assert response.status_code == 200, response.text
    assert response.json()["checks"]["services"] == "ok"
    metrics = await gateway.get("/metrics")
    assert metrics.status_code == 200
    assert 'service="gateway"' in metrics.text and "http_requests_total" in metrics.text


async def test_booking_down_then_back(gateway: httpx.AsyncClient, booking_server):
    assert (await gateway.get("/v1/demarches")).status_code != 503
    await asyncio.to_thread(booking_server.stop)
    try:
        for _ in range(5):  # the first calls find the port closed, the next ones the circuit open
            down = await gateway.get("/v1/demarches")
            assert down.status_code == 503
            assert down.headers["content-type"] == "application/problem+json"
            assert int(down.headers["retry-after"]) >= 1
            assert down.json()["service"] == "booking"
        assert (await gateway.get("/v1/sites/nearest", params={"q": "23000"})).status_code == 200
        assert (await gateway.get("/readyz")).status_code == 503
        metrics = (await gateway.get("/metrics")).text
        assert 'gateway_upstream_circuit_open{service="booking"} 1.0' in metrics
        assert 'gateway_upstream_circuit_open{service="locator"} 0.0' in metrics
    finally:
        await asyncio.to_thread(booking_server.start)
    for _ in range(100):  # the circuit lets a trial call through once its reset time has passed
        back = await gateway.get("/v1/demarches")
        if back.status_code != 503:
            break
        await asyncio.sleep(0.1)
    assert back.status_code != 503, back.text
    assert "service" not in back.json()  # an answer from booking itself, not a gateway problem
    assert (await gateway.get("/readyz")).status_code == 200


def _slow_upstream() -> FastAPI:
    """A stand-in locator that answers well after the gateway's patience has run out."""
    app = FastAPI()

    @app.get("/v1/sites/nearest")
    async def slow() -> dict[str, str]:
        await asyncio.sleep(2)
        return {"too": "late"}

    return app


async def test_slow_service_gives_a_fast_504(gateway_settings):
    async with http_server(_slow_upstream()) as upstream:
        impatient = gateway_settings.model_copy(update={"locator_url": upstream, "upstream_timeout_s": 0.2})
        async with serve_in_process(create_app(impatient)) as gateway:
            slow = await gateway.get("/v1/sites/nearest", params={"q": "23000"})
            assert slow.status_code == 504
            assert slow.headers["content-type"] == "application/problem+json"
            assert slow.headers["retry-after"]
            assert slow.json()["service"] == "locator"


def _upstream_of_odd_answers() -> FastAPI:
    """A stand-in locator: a chunked answer of unknown size, and a gzip-encoded one."""
    app = FastAPI()
    chunks = [b'{"part": 1, ', b'"filler": "' + b"x" * 70_000 + b'", ', b'"part_end": 3}']

    @app.get("/v1/sites/nearest")
    async def chunked() -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for chunk in chunks:
                yield chunk

        return StreamingResponse(body(), media_type="application/json")

    @app.get("/v1/geocode")
    async def gzipped() -> Response:
        body = gzip.compress(b'{"places": ["Gu\xc3\xa9ret"]}')
        return Response(body, media_type="application/json", headers={"Content-Encoding": "gzip"})

    return app


async def test_answers_of_unknown_size_stream_and_encoded_ones_pass_as_sent(gateway_settings):
    async with http_server(_upstream_of_odd_answers()) as upstream:
        settings = gateway_settings.model_copy(update={"locator_url": upstream})
        async with serve_in_process(create_app(settings), "http://gateway") as client:
            streamed = await client.get("/v1/sites/nearest")
            assert streamed.status_code == 200
            assert streamed.json()["part_end"] == 3 and len(streamed.json()["filler"]) == 70_000
            encoded = await client.get("/v1/geocode")
            assert encoded.headers["content-encoding"] == "gzip"
            assert encoded.json() == {"places": ["Guéret"]}
