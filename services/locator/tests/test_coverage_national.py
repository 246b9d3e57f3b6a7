"""Coverage on the real data against an independent brute force over the commune and site tables."""

import asyncpg
import numpy as np
import pytest

from fs_common.databases import asyncpg_dsn

R_M = 6_371_008.8
MOUNTAIN = {"04", "05", "15", "2A", "2B", "48", "73", "74"}


def documented_speed(population: int, departement: str, zone: str) -> float:
    """README, Coverage: overseas 40, dense city (≥ 50,000) 25, mountain 40, town (≥ 2,000) 40, rural 60."""
    if zone != "metro":
        return 40
    if population >= 50_000:
        return 25
    if departement in MOUNTAIN:
        return 40
    return 40 if population >= 2_000 else 60


async def brute_force(database_url: str):  # noqa: ANN201
    """Every commune against every fixed site: minutes to the quickest one."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        communes = await conn.fetch(
            "SELECT code_insee, departement, zone, population, ST_Y(location::geometry) AS lat,"
            " ST_X(location::geometry) AS lon FROM commune"
            " WHERE kind = 'commune-actuelle' AND location IS NOT NULL"
        )
        sites = await conn.fetch(
            "SELECT ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon FROM site"
            " WHERE NOT is_mobile"
        )
    finally:
        await conn.close()
    site_lat = np.radians([s["lat"] for s in sites])
    site_lon = np.radians([s["lon"] for s in sites])
    minutes = {}
    for c in communes:
        lat, lon = np.radians(c["lat"]), np.radians(c["lon"])
        h = (
            np.sin((site_lat - lat) / 2) ** 2
            + np.cos(lat) * np.cos(site_lat) * np.sin((site_lon - lon) / 2) ** 2
        )
        km = (2 * R_M * np.arcsin(np.sqrt(h))).min() / 1000
        speed = documented_speed(c["population"], c["departement"], c["zone"])
        minutes[c["code_insee"]] = (c["departement"], c["population"], 3 + km * 1.3 / speed * 60)
    return minutes


@pytest.fixture(scope="module")
async def expected(locator_settings):  # noqa: ANN001, ANN201
    return await brute_force(locator_settings.database_url)


def figures(expected: dict, departement: str | None) -> tuple[int, int, set[str]]:
    chosen = {k: v for k, v in expected.items() if departement is None or v[0] == departement}
    population = sum(p for _, p, _ in chosen.values())
    within = sum(p for _, p, m in chosen.values() if m <= 30)
    return population, within, {k for k, (_, _, m) in chosen.items() if m > 30}


async def test_national_share_matches_brute_force(locator_client, expected):
    response = await locator_client.get("/v1/coverage")
    assert response.status_code == 200, response.text
    body = response.json()
    population, within, beyond = figures(expected, None)
    assert body["communes"] == len(expected) == 34_969
    assert (body["population"], body["population_within"]) == (population, within)
    assert body["share"] == pytest.approx(within / population)
    assert {c["insee_code"] for c in body["communes_beyond"]} == beyond


@pytest.mark.parametrize("departement", ["48", "74", "973"])
async def test_departement_figures_match_brute_force(locator_client, expected, departement):
    body = (await locator_client.get("/v1/coverage", params={"departement": departement})).json()
    population, within, beyond = figures(expected, departement)
    assert (body["population"], body["population_within"]) == (population, within)
    assert beyond, "each chosen département has communes beyond 30 minutes"
    got = {c["insee_code"]: c["minutes"] for c in body["communes_beyond"]}
    assert set(got) == beyond
    for code, minutes in got.items():
        assert minutes == pytest.approx(expected[code][2], abs=0.051)


async def test_mobile_services_only_add_people_and_say_on_which_days(locator_client):
    fixed = (await locator_client.get("/v1/coverage")).json()
    mobile = (await locator_client.get("/v1/coverage", params={"include_mobile": True})).json()
    assert mobile["mobile"]["counted"] is True
    assert mobile["population_within"] >= fixed["population_within"]
    added = sum(c["population"] for c in mobile["mobile"]["communes"])
    assert mobile["population_within"] - fixed["population_within"] == added
    for commune in mobile["mobile"]["communes"]:
        assert commune["minutes"] <= 30
        assert commune["nearest"]["is_mobile"] is True
