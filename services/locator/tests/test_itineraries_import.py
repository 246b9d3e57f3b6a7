"""Stops extracted at import time from the real national list, re-import idempotence, the report."""

import asyncio

from sqlalchemy import text

from locator.data_files import SITES_CSV
from locator.imports import in_transaction, read_source, run_import_sites

MONTHOIS_SITE = 47


async def test_site_47_has_its_stops_from_the_comment(locator_client):
    response = await locator_client.get(f"/v1/sites/{MONTHOIS_SITE}/stops")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["site"]["id"] == MONTHOIS_SITE
    stops = {s["commune"]: s for s in body["stops"]}
    assert {
        c: stops[c]["visits"][0]["weekdays"] for c in ("Monthois", "Machault", "Buzancy", "Grandpré")
    } == {
        "Monthois": [0],
        "Machault": [1],
        "Buzancy": [2],
        "Grandpré": [3],
    }
    monthois = stops["Monthois"]
    assert monthois["name"] == "Mairie de Monthois"
    assert monthois["insee_code"] == "08303"
    assert monthois["source"] == "commentaire"
    assert monthois["visits"][0]["ranges"] == [
        {"opens": "09:00", "closes": "12:00"},
        {"opens": "13:00", "closes": "16:30"},
    ]
    assert monthois["location"] == {"lat": 49.3112, "lon": 4.7094}  # the commune centre
    assert all(v["start"] is None or v["start"][11:16] in ("09:00", "13:00") for v in monthois["next_visits"])


def test_reimport_is_idempotent_and_reports_what_was_not_read(locator_settings):
    url = locator_settings.database_url

    async def stop_rows(session):
        result = await session.execute(
            text("SELECT id, site_id, name, visits::text FROM stop WHERE source = 'commentaire' ORDER BY id")
        )
        return [tuple(r) for r in result]

    before = asyncio.run(in_transaction(url, stop_rows))
    report = asyncio.run(in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))))
    after = asyncio.run(in_transaction(url, stop_rows))
    assert before == after  # same stops, same ids
    assert len(after) > 150
    assert {site_id for _, site_id, _, _ in after} >= {MONTHOIS_SITE, 590, 1960, 2134}

    notes = [i for i in report.issues if i.field == "commentaire" and i.action == "note"]
    site_47 = [i.reason for i in notes if i.site_id == str(MONTHOIS_SITE)]
    assert any(r.startswith("jour(s) de passage sans commune reconnue") for r in site_47)
    assert any(r.startswith("5 arrêt(s) extrait(s) : Mairie de Monthois (lun)") for r in site_47)
    line_47 = next(i.line for i in notes if i.site_id == str(MONTHOIS_SITE))
    assert read_source(str(SITES_CSV)).splitlines()[line_47 - 1].startswith('"47",')
    # A comment that only lists communes: reported per site.
    assert any(i.site_id == "1881" and "sans jour de passage" in i.reason for i in notes)
