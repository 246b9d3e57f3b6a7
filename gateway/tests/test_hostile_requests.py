"""What an attacker with curl tries at the public door: each answered 4xx problem+json, never a 500, and
never an open circuit for everyone else."""

import httpx
import pytest

from fs_testkit.servers import raw_request

SLOTS = "/v1/sites/3015/slots"
TOKEN = "a" * 30
OVERFLOWING_WINDOWS = [
    {"demarche": "ants-carte-identite", "from": "9999-12-31", "to": "9999-12-31"},
    {"demarche": "ants-carte-identite", "from": "0001-01-01", "to": "0001-01-01"},
]
OVERFLOWING_STARTS = ["0001-01-01T00:30:00+01:00", "9999-12-31T23:59:00-12:00"]


def _booking(starts_at: str) -> dict:
    return {
        "site_id": 3015,
        "demarches": ["ants-carte-identite"],
        "starts_at": starts_at,
        "person": {"name": "Marie Curie", "email": "marie@example.org"},
    }


def _assert_problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    return response.json()


@pytest.mark.parametrize("params", OVERFLOWING_WINDOWS)
async def test_overflowing_slot_windows_are_422(gateway: httpx.AsyncClient, params):
    problem = _assert_problem(await gateway.get(SLOTS, params=params), 422)
    assert {e["field"] for e in problem["errors"]} == {"query.from", "query.to"}
    assert "La date doit être comprise entre" in problem["detail"]


@pytest.mark.parametrize("starts_at", OVERFLOWING_STARTS)
async def test_overflowing_starts_at_is_422_on_booking_and_reschedule(gateway: httpx.AsyncClient, starts_at):
    created = await gateway.post(
        "/v1/bookings", json=_booking(starts_at), headers={"Idempotency-Key": "k" * 20}
    )
    assert [e["field"] for e in _assert_problem(created, 422)["errors"]] == ["starts_at"]
    moved = await gateway.post(
        "/v1/bookings/manage/reschedule", json={"token": TOKEN, "starts_at": starts_at}
    )
    assert [e["field"] for e in _assert_problem(moved, 422)["errors"]] == ["starts_at"]


async def test_fifty_of_them_leave_booking_answering(gateway: httpx.AsyncClient):
    for i in range(50):
        if i % 2:
            response = await gateway.get(SLOTS, params=OVERFLOWING_WINDOWS[i % 4 // 2])
        else:
            response = await gateway.post("/v1/bookings", json=_booking(OVERFLOWING_STARTS[i % 4 // 2]))
        assert response.status_code == 422
    assert (await gateway.get("/v1/demarches")).status_code == 200
    metrics = (await gateway.get("/metrics")).text
    assert 'gateway_upstream_circuit_open{service="booking"} 0.0' in metrics


@pytest.mark.parametrize(
    "path",
    [
        "/v1/bookings/../../metrics",
        "/v1/bookings/%2e%2e/%2e%2e/metrics",
        "/v1/demarches/..%2f..%2fmetrics",
        "/v1/webhooks/%2e%2e/%2e%2e/openapi.json",
        "/v1/bookings/../agent/sites/3015/bookings?date=2026-12-01",
        "/v1//agent/sites/3015/agenda",
    ],
)
async def test_dot_segments_and_encoded_slashes_are_refused_by_the_gateway(gateway_server, path):
    response = await raw_request(gateway_server.url, "GET", path)
    assert response.status == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "# HELP" not in response.body.decode() and "openapi" not in response.body.decode()
    # Refused before routing: the access middleware (rate limits, keys) never saw it.
    assert "ratelimit-limit" not in response.headers


@pytest.mark.parametrize(
    "path",
    ["/v1/demarches/%01abc", "/v1/demarches/%C3%28", "/v1/demarches/%E2%80%AE", "/v1/demarches/" + "a" * 300],
)
async def test_odd_path_parameters_are_404_or_422(gateway_server, path):
    response = await raw_request(gateway_server.url, "GET", path)
    assert response.status in (404, 422)
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("service", ["locator_server", "booking_server", "notify_server"])
@pytest.mark.parametrize(
    "path", ["/v1/demarches/%00", "/v1/sites/%C3%28", "/v1/x/%2e%2e/metrics", "/v1/" + "a" * 5000]
)
async def test_every_service_refuses_odd_paths_itself(request, service, path):
    response = await raw_request(request.getfixturevalue(service).url, "GET", path)
    assert response.status in (404, 414)
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_header_the_gateway_cannot_encode_is_a_400(gateway_server):
    headers = [(b"x-note", "café".encode("latin-1"))]
    response = await raw_request(gateway_server.url, "GET", "/v1/demarches", headers=headers)
    assert response.status == 400
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_8_mib_booking_is_a_413_without_being_read(gateway_server):
    # Announced, never sent: the gateway answers from the announcement, holding nothing.
    headers = [
        (b"content-type", b"application/json"),
        (b"idempotency-key", b"big-body-0001"),
        (b"content-length", str(8 * 1024 * 1024).encode()),
    ]
    response = await raw_request(gateway_server.url, "POST", "/v1/bookings", headers=headers)
    assert response.status == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_streamed_8_mib_booking_is_cut_off_at_the_limit(gateway_server):
    # No length announced: 64 KiB and one byte of an 8 MiB body are sent, the rest never (nor the final
    # chunk); the 413 comes on that byte. (Exactly that much: bytes sent and left unread by a server
    # that closes would reset the connection and lose the answer.)
    chunk = b" " * 16 * 1024
    parts = [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * 4 + [b"1\r\n \r\n"]
    headers = [
        (b"content-type", b"application/json"),
        (b"idempotency-key", b"big-body-0002"),
        (b"transfer-encoding", b"chunked"),
    ]
    response = await raw_request(
        gateway_server.url, "POST", "/v1/bookings", headers=headers, body_parts=parts
    )
    assert response.status == 413
    assert response.headers["content-type"] == "application/problem+json"


async def test_headers_and_url_are_bounded(gateway: httpx.AsyncClient):
    _assert_problem(await gateway.get("/v1/demarches", headers={"x-filler": "a" * 9000}), 431)
    _assert_problem(await gateway.get("/v1/geocode", params={"q": "a" * 5000}), 414)
