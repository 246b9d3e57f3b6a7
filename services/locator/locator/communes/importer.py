"""Import of the commune table (every current commune, and the 45 municipal arrondissements).

The commune file carries no centre for arrondissements; they come from La Poste's file (ODbL), kept
apart as its licence asks.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from locator.communes import repository
from locator.communes.repository import CommuneRef
from locator.geo import ewkt_point
from locator.text import search_key

BATCH = 2000


@dataclass
class CommuneImportResult:
    imported: int
    without_centre: list[str]


def _point(lat: str, lon: str) -> str | None:
    if not lat or not lon:
        return None
    return ewkt_point(float(lat), float(lon))


def read_refs(communes_csv: Path) -> list[CommuneRef]:
    """The commune file as the fields that matching names in text needs, without a database."""
    with communes_csv.open(encoding="utf-8", newline="") as f:
        return [
            CommuneRef(
                code_insee=r["code_insee"],
                name=r["nom"],
                kind=r["type"],
                departement=r["departement"],
                parent_code=r["commune_parente"] or None,
                postcodes=tuple(r["codes_postaux"].split("|")),
                population=int(r["population"] or 0),
                lat=float(r["lat"]) if r["lat"] else None,
                lon=float(r["lon"]) if r["lon"] else None,
                region=r["region"] or None,
                zone=r["zone"],
            )
            for r in csv.DictReader(f)
        ]


def read_rows(communes_csv: Path, arrondissements_csv: Path | None) -> list[dict]:
    arrondissement_points: dict[str, str | None] = {}
    if arrondissements_csv:
        with arrondissements_csv.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                arrondissement_points[row["code_insee"]] = _point(row["lat"], row["lon"])
    rows = []
    with communes_csv.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["code_insee"]
            location = _point(row["lat"], row["lon"]) or arrondissement_points.get(code)
            rows.append(
                {
                    "code_insee": code,
                    "name": row["nom"],
                    "search_key": search_key(row["nom"]),
                    "kind": row["type"],
                    "departement": row["departement"],
                    "region": row["region"] or None,
                    "zone": row["zone"],
                    "parent_code": row["commune_parente"] or None,
                    "postcodes": [p for p in row["codes_postaux"].split("|") if p],
                    "population": int(row["population"] or 0),
                    "location": location,
                    "centroid_source": row["centroid_source"]
                    or ("La Poste (ODbL)" if code in arrondissement_points else None),
                }
            )
    return rows


async def import_communes(
    session: AsyncSession, communes_csv: Path, arrondissements_csv: Path | None
) -> CommuneImportResult:
    rows = read_rows(communes_csv, arrondissements_csv)
    for start in range(0, len(rows), BATCH):
        await repository.upsert_many(session, rows[start : start + BATCH])
    return CommuneImportResult(
        imported=len(rows), without_centre=[r["code_insee"] for r in rows if r["location"] is None]
    )
