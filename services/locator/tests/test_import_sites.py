"""The national list's import: idempotent, every known defect normalised and reported, bad rows rejected."""

import csv
import functools
import http.server
import io
import os
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from fs_common.db import create_engine, make_sessionmaker
from locator.data_files import SITES_CSV
from locator.imports import ImportSourceError, in_transaction, read_source, run_import_sites
from locator.sites.importer import unescape_bytes


@pytest.fixture(scope="module")
async def reimport(locator_settings):
    """Import the real file a second time (the session fixture imported it once already)."""
    url = locator_settings.database_url
    report = await in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV))))
    return report


async def scalar(url: str, sql: str, **params):
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql), params)).scalar_one()
    finally:
        await engine.dispose()


def issues_of(report, site_id: str, field: str | None = None):
    return [i for i in report.issues if i.site_id == site_id and (field is None or i.field == field)]


async def test_importing_twice_leaves_exactly_2845_sites(reimport, locator_settings):
    assert reimport.rows == 2845
    assert reimport.imported == 2845
    assert reimport.rejected == []
    assert await scalar(locator_settings.database_url, "SELECT count(*) FROM site") == 2845


async def test_arrondissement_code_is_attached_to_its_commune(reimport, locator_settings):
    (issue,) = issues_of(reimport, "435", "insee_com")  # Paris 12e, INSEE 75112
    assert issue.action == "corrected" and "75112" in issue.reason and "75056" in issue.reason
    url = locator_settings.database_url
    assert await scalar(url, "SELECT insee_code FROM site WHERE id = 435") == "75056"
    assert await scalar(url, "SELECT postcode FROM site WHERE id = 435") == "75012"


async def test_cedex_or_wrong_postcode_is_replaced_by_the_communes(reimport, locator_settings):
    postcode_fixes = [i for i in reimport.issues if i.field == "code_postal"]
    assert len(postcode_fixes) == 62
    fix = postcode_fixes[0]
    assert fix.action == "corrected" and "CEDEX" in fix.reason
    fixed_postcode = await scalar(
        locator_settings.database_url, "SELECT postcode FROM site WHERE id = :id", id=int(fix.site_id)
    )
    commune_postcodes = await scalar(
        locator_settings.database_url,
        "SELECT c.postcodes FROM commune c JOIN site s ON s.insee_code = c.code_insee WHERE s.id = :id",
        id=int(fix.site_id),
    )
    assert fixed_postcode in commune_postcodes


@pytest.mark.parametrize(("site_id", "old", "new"), [("280", "49069", "49126"), ("1679", "93059", "93066")])
async def test_obsolete_insee_code_moves_to_the_current_commune(
    reimport, locator_settings, site_id, old, new
):
    (issue,) = issues_of(reimport, site_id, "insee_com")
    assert old in issue.reason and new in issue.reason
    assert (
        await scalar(locator_settings.database_url, f"SELECT insee_code FROM site WHERE id = {site_id}")
        == new
    )


async def test_escaped_bytes_are_decoded(reimport, locator_settings):
    assert issues_of(reimport, "589", "commentaire")[0].reason.startswith("octets échappés")
    comment = await scalar(locator_settings.database_url, "SELECT comment FROM site WHERE id = 589")
    assert comment.startswith(
        "Le bus dessert la quasi-totalité des communes de la CCPAL. Itinéraire actualisé"
    )
    assert "\\x" not in comment
    assert unescape_bytes(r"caf\xE9\x20cr\xE8me") == "café crème"


async def test_zero_hours_mean_closed_and_missing_hours_are_unknown(reimport, locator_settings):
    url = locator_settings.database_url
    # Montataire: Monday is "00:00 - 00:00" only → closed on Mondays, open the other days.
    assert issues_of(reimport, "2789", "h_lundi")[0].action == "corrected"
    assert await scalar(url, "SELECT opening_hours ? '0' FROM site WHERE id = 2789") is False
    assert await scalar(url, "SELECT opening_hours ? '1' FROM site WHERE id = 2789") is True
    # Saint-Pierre (La Réunion): "00:00 - 00:00 / 08:00 - 15:00 / 08:00 - 16:00 / 08:00 - 16:00".
    assert await scalar(url, "SELECT opening_hours->>'0' FROM site WHERE id = 1987") == '[["08:00", "16:00"]]'
    # Leyme publishes no hours at all.
    assert issues_of(reimport, "263", "horaires")[0].action == "note"
    assert await scalar(url, "SELECT hours_known FROM site WHERE id = 263") is False
    assert len([i for i in reimport.issues if i.field == "horaires"]) == 48


async def test_shared_coordinate_points_are_kept_and_reported(reimport):
    shared = [i for i in reimport.issues if i.reason.startswith("même point")]
    assert len({i.site_id for i in shared}) >= 28  # 14 points, each shared by 2 sites or more
    assert all(i.action == "note" for i in shared)


def bad_file() -> str:
    with SITES_CSV.open(encoding="utf-8") as f:
        reader = csv.DictReader(f)
        good = next(reader)
    rows = [
        good,
        good | {"id_fs": "abc"},  # line 3: not a number
        good | {"id_fs": "900001", "lib_fs": ""},  # line 4: no name
        good | {"id_fs": "900002", "insee_com": "99999", "insee_dep": "99", "latitude": "", "longitude": ""},
        good,  # line 6: duplicate id
    ]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(good), quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


async def test_rejected_rows_are_reported_with_line_and_reason_and_good_rows_kept(locator_settings):
    engine = create_engine(locator_settings.database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            async with session.begin():
                report = await run_import_sites(session, bad_file())
                await session.rollback()  # leave the shared test database as it was
    finally:
        await engine.dispose()
    assert report.imported == 1
    rejected = {(i.line, i.field) for i in report.rejected}
    assert rejected == {(3, "id_fs"), (4, "lib_fs"), (5, "insee_com"), (6, "id_fs")}
    assert "déjà présent ligne 2" in next(i.reason for i in report.rejected if i.line == 6)


async def test_a_file_without_the_national_columns_is_refused(locator_settings):
    engine = create_engine(locator_settings.database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            with pytest.raises(ImportSourceError, match="colonnes absentes"):
                await run_import_sites(session, "nom,ville\nx,y\n")
    finally:
        await engine.dispose()


def test_cli_imports_from_a_url_and_writes_the_report(locator_settings, tmp_path):
    """``locator import-sites URL``: downloads over HTTP, imports, and writes every issue to a CSV."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(SITES_CSV.parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{SITES_CSV.name}"
        report_file = tmp_path / "reports" / "report.csv"  # a folder that does not exist yet
        result = subprocess.run(
            [sys.executable, "-m", "locator.cli", "import-sites", url, "--report", str(report_file)],
            env=os.environ | {"LOCATOR_DATABASE_URL": locator_settings.database_url},
            capture_output=True,
            text=True,
            timeout=120,
        )
        missing = subprocess.run(
            [sys.executable, "-m", "locator.cli", "import-sites", url + ".absent"],
            env=os.environ | {"LOCATOR_DATABASE_URL": locator_settings.database_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert "2845 rows read, 2845 imported, 0 rejected" in result.stderr
    with report_file.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert {"line", "id_fs", "field", "action", "reason"} <= set(rows[0])
    assert any(r["id_fs"] == "280" and r["field"] == "insee_com" for r in rows)
    assert missing.returncode == 2
    assert "téléchargement impossible" in missing.stderr
