"""The booking page « Mon rendez-vous » as the gateway serves it: HTML, caching, headers, versioned assets."""

import re

import pytest

from fs_testkit.servers import serve_in_process
from gateway.config import GatewaySettings
from gateway.main import create_app

UNREACHABLE = "http://127.0.0.1:9"


@pytest.fixture
async def client():
    settings = GatewaySettings(
        locator_url=UNREACHABLE, booking_url=UNREACHABLE, notify_url=UNREACHABLE, log_json=False
    )
    async with serve_in_process(create_app(settings)) as client:
        yield client


async def test_page_is_french_html_revalidated_each_time_and_locked_down(client):
    response = await client.get("/rendez-vous")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["cache-control"] == "no-cache"  # a new version is seen at once
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-robots-tag"] == "noindex, nofollow"
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
    assert '<html lang="fr">' in response.text
    assert "<title>Mon rendez-vous — France Services</title>" in response.text

    etag = response.headers["etag"]
    again = await client.get("/rendez-vous", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == "no-cache"


async def test_page_names_its_assets_by_version_and_they_are_served(client):
    page = (await client.get("/rendez-vous")).text
    urls = re.findall(r'(?:src|href)="(/[^"]+\?v=[0-9a-f]{12})"', page)
    urls += re.findall(r"(/[\w.-]+\?v=[0-9a-f]{12})", page.split('data-styles="', 1)[1].split('"', 1)[0])
    paths = {url.split("?")[0] for url in urls}
    assert paths == {"/rendez-vous.js", "/rendez-vous.css", "/widget.css"}
    for url in urls:
        asset = await client.get(url)
        assert asset.status_code == 200
        assert "max-age=3600" in asset.headers["cache-control"]
        assert (
            asset.headers["etag"].strip('"').startswith(url.split("?v=")[1])
        )  # the version is the content's
    script = (await client.get("/rendez-vous.js")).text
    # The helpers shared with the widget come first, in the same response, as for /widget.js.
    assert script.index("window.FranceServicesKit = Object.freeze") < script.index("class BookingPage")
    widget = (await client.get("/widget.js")).text
    assert widget.index("window.FranceServicesKit = Object.freeze") < widget.index(
        "customElements.define(TAG"
    )
    assert (await client.get("/rendez-vous.js")).headers["content-type"] == "text/javascript; charset=utf-8"
    assert (await client.get("/rendez-vous.css")).headers["content-type"] == "text/css; charset=utf-8"
