"""Coverage across the sea: the regular ferry of an island without a France Services, counted only when
``LOCATOR_COVERAGE_FERRY_CROSSINGS`` is on (real data, in the run's PostGIS clone)."""

import csv
import math
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest

from fs_testkit.servers import serve_in_process
from locator.config import LocatorSettings
from locator.coverage.ferries import ferry_links
from locator.data_files import FERRY_LINKS_CSV, SERVICE_DIR
from locator.main import create_app

from .locator_documented import commune_rows, road_territory, territory_rules
from .locator_documented import minutes as documented_minutes

BOARDING = 2.0
YEU, LA_BARRE_DE_MONTS = "85113", "85012"
AIX, FOURAS = "17004", "17168"
MOLENE = "29084"
NO_DRIVE = float(documented_minutes(0.0, 2, 0, 2, 0))  # a drive of no length: the model's fixed minutes


@pytest.fixture(scope="module")
async def ferried(locator_settings: LocatorSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The locator on the same national data, with the crossings counted and 2 minutes of boarding."""
    settings = LocatorSettings(
        database_url=locator_settings.database_url,
        log_json=False,
        log_level="WARNING",
        coverage_ferry_crossings=True,
        coverage_ferry_boarding_minutes=BOARDING,
    )
    async with serve_in_process(create_app(settings), "http://locator") as client:
        yield client


async def coverage(client: httpx.AsyncClient, departement: str, minutes: float = 30) -> dict:
    response = await client.get("/v1/coverage", params={"departement": departement, "minutes": minutes})
    assert response.status_code == 200, response.text
    return response.json()


async def minutes_by_code(client: httpx.AsyncClient, departement: str) -> dict[str, dict]:
    response = await client.get("/v1/coverage/communes.geojson", params={"departement": departement})
    assert response.status_code == 200, response.text
    return {f["properties"]["insee_code"]: f["properties"] for f in response.json()["features"]}


def figures_of(minutes: float) -> set[str]:
    """How a source may write ``minutes``: « 45 », and « 1h30 » from an hour on."""
    whole = int(minutes)
    written = {str(whole)}
    if whole >= 60:
        written |= {f"{whole // 60}h{whole % 60:02d}", f"{whole // 60} h {whole % 60:02d}"}
    return written


def test_the_ferry_file_names_real_island_and_port_communes_and_quotes_its_source():
    communes = {r["code_insee"]: r for r in commune_rows()}
    island_rows, _ = territory_rules()
    with FERRY_LINKS_CSV.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(ferry_links()) >= 5
    for row in rows:
        assert communes[row["island_code"]]["nom"] == row["island_port"], row
        assert communes[row["port_code"]]["nom"] == row["port_name"], row
        assert row["island_code"] in island_rows, "the island has its own row in road_territories.csv"
        assert road_territory(row["port_code"]) != road_territory(row["island_code"]), row
        assert road_territory(row["island_code"]) != "corse", "overnight ferries are not a daily link"
        minutes = float(row["minutes"])
        assert 0 < minutes <= 240, row
        assert row["source_url"].startswith(("https://", "http://")), row
        assert row["publisher"].strip(), row
        assert any(figure in row["quote"] for figure in figures_of(minutes)), row


async def test_off_by_default_an_island_without_site_stays_apart(locator_client):
    body = await coverage(locator_client, "85")
    assert body["ferries"]["counted"] is False
    assert body["ferries"]["territories"] == []
    apart = {t["territory"]: t for t in body["territories_without_site"]}
    assert apart["yeu"]["communes"] == [YEU]
    assert YEU not in {c["insee_code"] for c in body["communes_beyond"]}


async def test_on_an_island_is_timed_by_drive_crossing_and_drive_to_the_mainland_site(
    ferried, locator_client
):
    body = await coverage(ferried, "85")
    assert body["ferries"]["counted"] is True
    assert body["ferries"]["boarding_minutes"] == BOARDING
    assert body["territories_without_site"] == []
    yeu = next(c for c in body["communes_beyond"] if c["insee_code"] == YEU)
    port = (await minutes_by_code(locator_client, "85"))[LA_BARRE_DE_MONTS]  # its time with crossings off
    expected = NO_DRIVE + 45 + BOARDING + port["minutes"]  # the island's port is Yeu itself
    assert yeu["minutes"] == pytest.approx(expected, abs=0.11)
    assert yeu["minutes"] >= 45
    assert yeu["nearest"] == port["nearest"]  # the mainland site nearest to La Barre-de-Monts
    assert yeu["ferry"]["island_port"] == {"insee_code": YEU, "name": "L'Île-d'Yeu"}
    assert yeu["ferry"]["port"] == {"insee_code": LA_BARRE_DE_MONTS, "name": "La Barre-de-Monts"}
    assert yeu["ferry"]["crossing_minutes"] == 45
    assert yeu["ferry"]["source_url"] == "https://iles-du-ponant.com/iles/ile-dyeu"
    [territory] = body["ferries"]["territories"]
    assert (territory["territory"], territory["communes"]) == ("yeu", [YEU])
    assert territory["population"] == yeu["population"]


async def test_on_an_island_counts_within_or_beyond_the_threshold_like_any_commune(ferried, locator_client):
    aix = (await minutes_by_code(ferried, "17"))[AIX]
    fouras = (await minutes_by_code(locator_client, "17"))[FOURAS]
    assert aix["minutes"] == pytest.approx(NO_DRIVE + 20 + BOARDING + fouras["minutes"], abs=0.11)
    population = next(int(r["population"]) for r in commune_rows() if r["code_insee"] == AIX)

    above = math.ceil(aix["minutes"]) + 1  # Aix is within this threshold, with the crossing counted
    off, on = await coverage(locator_client, "17", above), await coverage(ferried, "17", above)
    assert on["population_within"] - off["population_within"] == population
    assert on["communes_within"] - off["communes_within"] == 1
    assert "aix" in {t["territory"] for t in off["territories_without_site"]}
    assert "aix" not in {t["territory"] for t in on["territories_without_site"]}
    assert AIX not in {c["insee_code"] for c in on["communes_beyond"]}

    below = math.floor(aix["minutes"]) - 1  # and beyond this one
    beyond = {c["insee_code"]: c for c in (await coverage(ferried, "17", below))["communes_beyond"]}
    assert beyond[AIX]["ferry"]["port"]["insee_code"] == FOURAS
    assert beyond[AIX]["nearest"] == fouras["nearest"]


async def test_on_the_quickest_of_an_islands_links_wins(ferried, locator_client):
    """Molène has two: Le Conquet (30 min) and Brest (1 h 30)."""
    ports = await minutes_by_code(locator_client, "29")
    molene = (await minutes_by_code(ferried, "29"))[MOLENE]
    by_link = {
        link.port_code: NO_DRIVE + link.minutes + BOARDING + ports[link.port_code]["minutes"]
        for link in ferry_links()
        if link.island_code == MOLENE
    }
    assert set(by_link) == {"29040", "29019"}
    assert molene["minutes"] == pytest.approx(min(by_link.values()), abs=0.11)
    body = await coverage(ferried, "29")
    [territory] = [t for t in body["ferries"]["territories"] if t["territory"] == "molene"]
    assert territory["crossing"]["port"]["insee_code"] == min(by_link, key=by_link.__getitem__)


async def test_the_searches_still_say_there_is_no_site_on_the_island(ferried):
    yeu = next(r for r in commune_rows() if r["code_insee"] == YEU)
    response = await ferried.get("/v1/sites/nearest", params={"lat": yeu["lat"], "lon": yeu["lon"]})
    assert response.status_code == 404
    assert "Aucune France Services dans ce territoire" in response.json()["detail"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOCATOR_COVERAGE_FERRY_BOARDING_MINUTES", "-5"),
        ("LOCATOR_COVERAGE_FERRY_BOARDING_MINUTES", "vingt"),
        ("LOCATOR_COVERAGE_FERRY_BOARDING_MINUTES", "nan"),
        ("LOCATOR_COVERAGE_FERRY_CROSSINGS", "-1"),
        ("LOCATOR_COVERAGE_FERRY_CROSSINGS", "peut-être"),
    ],
)
def test_a_hostile_setting_is_refused_at_startup(tmp_path, variable, value):
    started = subprocess.run(
        [sys.executable, "-c", "from locator.main import create_app; create_app()"],
        cwd=tmp_path,  # no .env there
        env=os.environ | {variable: value, "PYTHONPATH": str(SERVICE_DIR)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode != 0
    assert variable.removeprefix("LOCATOR_").lower() in started.stderr
    assert "validation error for LocatorSettings" in started.stderr
