"""Geocoding: the national geocoder (a local server replaying recorded BAN answers) or the commune table."""

import contextlib
import json
from pathlib import Path

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from fs_testkit.servers import http_server, serve_in_process
from locator.main import create_app

RECORDED = Path(__file__).parent / "recorded"


def fake_ban() -> tuple[FastAPI, list[dict]]:
    """A local HTTP server speaking the BAN's ``/search/`` protocol with recorded responses."""
    app = FastAPI()
    calls: list[dict] = []

    @app.get("/search/")
    async def search(request: Request) -> JSONResponse:
        calls.append(dict(request.query_params))
        q = request.query_params["q"]
        name = "ban_search_8_bd_du_port_amiens.json" if "port" in q else "ban_search_empty.json"
        return JSONResponse(json.loads((RECORDED / name).read_text()))

    return app, calls


@contextlib.asynccontextmanager
async def locator_with_geocoder(settings, geocoder_url: str):
    app = create_app(settings.model_copy(update={"geocoder_url": geocoder_url, "geocoder_timeout_s": 0.5}))
    async with serve_in_process(app) as client:
        yield client


async def test_address_goes_to_the_national_geocoder(locator_settings):
    ban, calls = fake_ban()
    async with http_server(ban) as ban_url, locator_with_geocoder(locator_settings, ban_url) as client:
        response = await client.get("/v1/geocode", params={"q": "8 bd du port amiens", "limit": 2})
        nearest = await client.get("/v1/sites/nearest", params={"q": "8 bd du port amiens", "limit": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["source"] == "ban" and body["attribution"] == "BAN"
    first = body["results"][0]
    assert (first["lat"], first["lon"]) == (49.897443, 2.290084)  # GeoJSON [lon, lat] read the right way
    assert first["kind"] == "housenumber" and first["insee_code"] == "80021"
    assert calls[0] == {"q": "8 bd du port amiens", "limit": "2"}
    assert nearest.json()["origin"]["source"] == "ban"
    assert nearest.json()["origin"]["label"] == "8 Boulevard du Port 80000 Amiens"


async def test_commune_table_when_the_geocoder_finds_nothing(locator_settings):
    ban, _ = fake_ban()
    async with http_server(ban) as ban_url, locator_with_geocoder(locator_settings, ban_url) as client:
        response = await client.get("/v1/geocode", params={"q": "Gueret"})
    assert response.json()["source"] == "communes"
    assert response.json()["results"][0]["commune"] == "Guéret"


async def test_commune_table_when_the_geocoder_is_unreachable(locator_settings):
    async with locator_with_geocoder(locator_settings, "http://127.0.0.1:9") as client:
        response = await client.get("/v1/geocode", params={"q": "8 bd du port amiens"})
    assert response.status_code == 200
    assert response.json()["source"] == "communes"


@pytest.mark.parametrize(
    ("q", "commune", "postcode"),
    [
        ("23000", "Guéret", "23000"),
        ("saint etienne", "Saint-Étienne", "42000"),
        ("ST ÉTIENNE", "Saint-Étienne", "42000"),
        ("97320 Saint-Laurent-du-Maroni", "Saint-Laurent-du-Maroni", "97320"),
        ("75012", "Paris 12e Arrondissement", "75012"),
    ],
)
async def test_commune_table_ignores_accents_and_case(locator_client, q, commune, postcode):
    response = await locator_client.get("/v1/geocode", params={"q": q})
    assert response.status_code == 200, response.text
    first = response.json()["results"][0]
    assert (first["commune"], first["postcode"]) == (commune, postcode)


async def test_unknown_postcode_is_a_clear_404(locator_client):
    response = await locator_client.get("/v1/sites/nearest", params={"q": "00000"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Le code postal 00000 est inconnu."
