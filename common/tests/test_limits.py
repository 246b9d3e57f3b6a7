"""The request guard of every service, on a real server (uvicorn): bytes as a hostile client sends them."""

import datetime as dt

import pytest
from pydantic import BaseModel

from fs_common.app import create_service_app
from fs_common.bounds import BoundedAwareDatetime, BoundedDate
from fs_common.limits import RequestLimits, plain_path
from fs_testkit.servers import http_server, raw_request

LIMITS = RequestLimits(max_body_bytes=4096, max_header_bytes=2048, max_url_bytes=512, ascii_headers=True)


class Payload(BaseModel):
    text: str
    day: BoundedDate | None = None
    at: BoundedAwareDatetime | None = None


def _app():
    app = create_service_app(service="test", title="t", description="t", limits=LIMITS)

    @app.post("/v1/echo")
    async def echo(data: Payload) -> dict[str, int]:
        return {"length": len(data.text)}

    @app.get("/v1/things/{code}")
    async def thing(code: str) -> dict[str, str]:
        return {"code": code}

    return app


@pytest.fixture(scope="module")
async def server():
    async with http_server(_app()) as url:
        yield url


def _is_problem(response, status: int) -> None:
    assert response.status == status, response.body
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


@pytest.mark.parametrize(
    "path",
    [
        "/v1/things/../../metrics",
        "/v1/things/%2e%2e/%2E%2E/metrics",
        "/v1/things/..%2f..%2fmetrics",
        "/v1/things/a%2Fb",
        "/v1/things/a%5cb",
        "/v1/things//a",
        "/v1/./things/a",
        "/v1/things/%00",
        "/v1/things/a%0d%0aX-Injected:1",
        "/v1/things/%7f",
        "/v1/things/%C3%28",  # invalid UTF-8
        "/v1/things/%ED%A0%80",  # an encoded surrogate
        "/v1/things/%E2%80%AE",  # right-to-left override (a format character)
    ],
)
async def test_unplain_paths_are_not_found(server, path):
    _is_problem(await raw_request(server, "GET", path), 404)


async def test_plain_paths_go_through(server):
    response = await raw_request(server, "GET", "/v1/things/caf%C3%A9-1.2")
    assert response.status == 200
    assert response.json() == {"code": "café-1.2"}
    assert plain_path(b"/v1/things/")  # a trailing slash is not an empty segment


async def test_long_url_and_headers_are_refused(server):
    _is_problem(await raw_request(server, "GET", "/v1/things/" + "a" * 600), 414)
    _is_problem(await raw_request(server, "GET", "/v1/things/a?q=" + "a" * 600), 414)
    headers = [(b"x-filler-%d" % i, b"a" * 200) for i in range(12)]
    _is_problem(await raw_request(server, "GET", "/v1/things/a", headers=headers), 431)


async def test_a_header_that_is_not_ascii_is_a_400(server):
    response = await raw_request(
        server, "GET", "/v1/things/a", headers=[(b"x-note", "café".encode("latin-1"))]
    )
    _is_problem(response, 400)
    assert "x-note" in response.json()["detail"]


async def test_an_announced_large_body_is_refused_before_it_is_sent(server):
    # 8 MiB announced, not one byte sent: the answer can only come from the announcement.
    headers = [(b"content-type", b"application/json"), (b"content-length", str(8 * 1024 * 1024).encode())]
    _is_problem(await raw_request(server, "POST", "/v1/echo", headers=headers), 413)


async def test_a_streamed_body_is_cut_off_at_the_limit(server):
    # Chunked, no length: the server counts what it receives and answers before the body ends.
    # Exactly the limit and one byte sent, never the final chunk (more, left unread, would reset the
    # connection when the server closes it, and lose the answer).
    chunk = b"a" * 2048
    parts = [b"%x\r\n" % len(chunk) + chunk + b"\r\n"] * 2 + [b"1\r\na\r\n"]
    headers = [(b"content-type", b"application/json"), (b"transfer-encoding", b"chunked")]
    _is_problem(await raw_request(server, "POST", "/v1/echo", headers=headers, body_parts=parts), 413)


async def test_a_body_within_the_limit_is_read(server):
    body = b'{"text": "' + b"a" * 3000 + b'"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    response = await raw_request(server, "POST", "/v1/echo", headers=headers, body_parts=[body])
    assert response.status == 200
    assert response.json() == {"length": 3000}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("day", "9999-12-31"),
        ("day", "0001-01-01"),
        ("day", "1999-12-31"),
        ("at", "0001-01-01T00:30:00+01:00"),
        ("at", "9999-12-31T23:59:00-12:00"),
        ("at", "2101-01-01T00:00:00Z"),
    ],
)
async def test_dates_outside_the_window_are_422_naming_the_field(server, field, value):
    body = f'{{"text": "x", "{field}": "{value}"}}'.encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    response = await raw_request(server, "POST", "/v1/echo", headers=headers, body_parts=[body])
    _is_problem(response, 422)
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert problem["errors"][0]["code"] == "date_out_of_range"
    assert f"{field} : La date doit être comprise entre" in problem["detail"]


def test_the_window_edges_are_accepted():
    assert Payload(text="x", day=dt.date(2000, 1, 1)).day == dt.date(2000, 1, 1)
    edge = dt.datetime(2100, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    assert Payload(text="x", at=edge).at.astimezone(dt.UTC).year == 2101  # converts without overflow
