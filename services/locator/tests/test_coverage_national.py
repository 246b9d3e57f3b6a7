"""Coverage on the real data against an independent brute force over the commune and site tables."""

import asyncpg
import numpy as np
import pytest

from fs_common.databases import asyncpg_dsn

from .locator_documented import DETOUR, density, road_territory, terrain
from .locator_documented import minutes as documented_minutes

R_M = 6_371_008.8
ROAD_KM_TO_NEAREST: dict[str, float] = {}  # filled by brute_force: road estimate to the nearest fixed site


async def brute_force(database_url: str):
    """Every commune against every fixed site of its road territory: minutes to the quickest one by the
    README's model (inf when the territory has no site)."""
    conn = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        communes = await conn.fetch(
            "SELECT code_insee, departement, zone, population, ST_Y(location::geometry) AS lat,"
            " ST_X(location::geometry) AS lon FROM commune"
            " WHERE kind = 'commune-actuelle' AND location IS NOT NULL"
        )
        sites = await conn.fetch(
            "SELECT insee_code, ST_Y(location::geometry) AS lat, ST_X(location::geometry) AS lon FROM site"
            " WHERE NOT is_mobile"
        )
    finally:
        await conn.close()
    by_code = {c["code_insee"]: c for c in communes}
    ends = {
        c["code_insee"]: (density(c["population"]), terrain(c["departement"], c["zone"])) for c in communes
    }
    territory = {c["code_insee"]: road_territory(c["code_insee"]) for c in communes}
    assert all(s["insee_code"] in by_code for s in sites), "every site is in a current commune"
    minutes_of = {}
    for t in set(territory.values()):
        members = [c for c in communes if territory[c["code_insee"]] == t]
        here = [s for s in sites if territory[s["insee_code"]] == t]
        if not here:
            minutes_of |= {c["code_insee"]: np.inf for c in members}
            continue
        s_lat, s_lon = np.radians([s["lat"] for s in here]), np.radians([s["lon"] for s in here])
        s_density = np.array([ends[s["insee_code"]][0] for s in here])
        s_terrain = np.array([ends[s["insee_code"]][1] for s in here])
        for start in range(0, len(members), 500):
            chunk = members[start : start + 500]
            lat = np.radians([c["lat"] for c in chunk])[:, None]
            lon = np.radians([c["lon"] for c in chunk])[:, None]
            h = np.sin((s_lat - lat) / 2) ** 2 + np.cos(lat) * np.cos(s_lat) * np.sin((s_lon - lon) / 2) ** 2
            metres = 2 * R_M * np.arcsin(np.sqrt(h))
            o_density = np.array([ends[c["code_insee"]][0] for c in chunk])[:, None]
            o_terrain = np.array([ends[c["code_insee"]][1] for c in chunk])[:, None]
            best = documented_minutes(metres, o_density, o_terrain, s_density, s_terrain).min(axis=1)
            minutes_of |= {c["code_insee"]: float(m) for c, m in zip(chunk, best, strict=True)}
            road_km = metres / 1000 * (DETOUR[o_terrain] + DETOUR[s_terrain]) / 2
            ROAD_KM_TO_NEAREST.update(zip([c["code_insee"] for c in chunk], road_km.min(axis=1), strict=True))
    return {
        c["code_insee"]: (c["departement"], c["population"], minutes_of[c["code_insee"]]) for c in communes
    }


@pytest.fixture(scope="module")
async def expected(locator_settings):
    return await brute_force(locator_settings.database_url)


def figures(expected: dict, departement: str | None) -> tuple[int, int, set[str]]:
    chosen = {k: v for k, v in expected.items() if departement is None or v[0] == departement}
    population = sum(p for _, p, _ in chosen.values())
    within = sum(p for _, p, m in chosen.values() if m <= 30)
    return population, within, {k for k, (_, _, m) in chosen.items() if 30 < m < np.inf}


async def test_national_share_matches_brute_force(locator_client, expected):
    response = await locator_client.get("/v1/coverage")
    assert response.status_code == 200, response.text
    body = response.json()
    population, within, beyond = figures(expected, None)
    assert body["communes"] == len(expected) == 34_969
    assert (body["population"], body["population_within"]) == (population, within)
    assert body["share"] == pytest.approx(within / population)
    assert {c["insee_code"] for c in body["communes_beyond"]} == beyond


@pytest.mark.parametrize("departement", ["48", "2B", "973"])
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


async def test_no_commune_beyond_30_minutes_has_a_site_within_10_km_of_road(locator_client, expected):
    body = (await locator_client.get("/v1/coverage")).json()
    assert body["communes_beyond"], "some communes are beyond 30 minutes"
    for commune in body["communes_beyond"]:
        assert ROAD_KM_TO_NEAREST[commune["insee_code"]] >= 10, commune
