"""The widget's files and demo page as the gateway serves them, and the contrast of the widget's palette."""

import re
from importlib.resources import files

import httpx
import pytest

from fs_testkit.servers import http_server, serve_in_process
from gateway.config import GatewaySettings
from gateway.main import create_app
from gateway.widget.router import router as pages

UNREACHABLE = "http://127.0.0.1:9"


def settings() -> GatewaySettings:
    return GatewaySettings(
        locator_url=UNREACHABLE,
        booking_url=UNREACHABLE,
        notify_url=UNREACHABLE,
        log_json=False,
        widget_demo_api_key='fs_demo_"<key>',
        widget_demo_demarche="caf-rsa",
    )


@pytest.fixture
async def client():
    async with serve_in_process(create_app(settings())) as client:
        yield client


PAGES = sorted({route.path for route in pages.routes if "GET" in getattr(route, "methods", ())})


async def test_every_page_answers_head_as_get_without_the_body():
    """Through a real HTTP server, as link checkers, uptime probes and caches ask it."""
    assert {"/agents", "/rendez-vous", "/widget.js", "/demo"} <= set(PAGES)
    async with http_server(create_app(settings())) as base_url, httpx.AsyncClient(base_url=base_url) as http:
        for path in [*PAGES, "/docs", "/openapi.json"]:
            got, head = await http.get(path), await http.head(path)
            assert got.status_code == head.status_code == 200, path
            assert head.content == b"", path
            assert head.headers["content-length"] == str(len(got.content)), path
            per_response = {"date": "", "x-request-id": ""}
            assert dict(head.headers) | per_response == dict(got.headers) | per_response, path
            if etag := got.headers.get("etag"):
                unchanged = await http.head(path, headers={"If-None-Match": etag})
                assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag, path


@pytest.mark.parametrize(
    ("path", "media_type", "marker"),
    [
        ("/widget.js", "text/javascript", b"customElements.define(TAG"),
        ("/widget.css", "text/css", b":host"),
    ],
)
async def test_assets_are_cacheable_and_revalidated(client, path, media_type, marker):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "max-age=3600" in response.headers["cache-control"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert marker in response.content
    etag = response.headers["etag"]
    again = await client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    changed = await client.get(path, headers={"If-None-Match": '"another-version"'})
    assert changed.status_code == 200


async def test_demo_page_embeds_the_widget_with_the_demo_key_escaped(client):
    response = await client.get("/demo")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"
    page = response.text
    assert '<html lang="fr">' in page
    assert '<script src="/widget.js" defer></script>' in page
    assert (
        '<france-services-locator api-key="fs_demo_&quot;&lt;key&gt;" demarche="caf-rsa">'
        "</france-services-locator>"
    ) in page
    assert "map-tiles" not in page  # no map unless tiles are configured


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_the_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast("#777777", "#ffffff") < 4.5


def test_palette_meets_wcag_aa():
    css = (files("gateway.widget") / "static" / "widget.css").read_text("utf-8")
    palette = dict(re.findall(r"--fs-([a-z-]+):\s*(#[0-9a-f]{6})", css))
    white = "#ffffff"
    text_pairs = [  # (foreground, background): normal-size text needs 4.5:1
        ("text", "bg"),
        ("text", "bg-alt"),
        ("text", "error-bg"),
        ("muted", "bg"),
        ("muted", "bg-alt"),
        ("blue", "bg"),
        ("blue", "bg-alt"),
        ("blue", "blue-light"),
        ("error", "bg"),
        ("success", "bg"),
    ]
    for fg, bg in text_pairs:
        assert contrast(palette[fg], palette[bg]) >= 4.5, (fg, bg)
    for bg in ("blue", "blue-hover", "success", "closed"):  # white labels on buttons and badges
        assert contrast(white, palette[bg]) >= 4.5, bg
    for ui in ("field", "focus", "error"):  # borders and focus rings: 3:1 (WCAG 1.4.11)
        assert contrast(palette[ui], palette["bg"]) >= 3, ui
