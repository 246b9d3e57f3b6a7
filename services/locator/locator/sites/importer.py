"""Import of the national list of France Services (ANCT CSV), normalising its known defects.

Every row is either imported (possibly with corrections, each reported) or rejected with its line and
reason; the good rows are kept. Re-running the import updates the sites, never duplicates them.
"""

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fs_common import territories
from fs_common.partners import Partner
from locator.communes.repository import CommuneRef
from locator.geo import haversine_m
from locator.sites.models import SiteKind
from locator.sites.opening_hours import HoursFormatError, parse_day

DAY_COLUMNS = ["h_lundi", "h_mardi", "h_mercredi", "h_jeudi", "h_vendredi", "h_samedi"]
REQUIRED_COLUMNS = {
    "id_fs",
    "insee_dep",
    "lib_fs",
    "adresse",
    "insee_com",
    "code_postal",
    "latitude",
    "longitude",
}
_ESCAPED_BYTE = re.compile(r"\\x([0-9A-Fa-f]{2})")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_LABEL_DATE = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_FAR_FROM_COMMUNE_M = 60_000


@dataclass
class RowIssue:
    line: int
    site_id: str
    field: str
    action: str  # "rejected", "corrected" or "note"
    reason: str


@dataclass
class SiteImportReport:
    rows: int = 0
    imported: int = 0
    issues: list[RowIssue] = field(default_factory=list)

    @property
    def rejected(self) -> list[RowIssue]:
        return [i for i in self.issues if i.action == "rejected"]

    def add(self, line: int, site_id: str, field_name: str, action: str, reason: str) -> None:
        self.issues.append(RowIssue(line, site_id, field_name, action, reason))


class CommuneIndex:
    """The commune table, indexed for the import's look-ups."""

    def __init__(self, communes: Iterable[CommuneRef]) -> None:
        self.by_code = {c.code_insee: c for c in communes}
        self.by_departement: dict[str, list[CommuneRef]] = defaultdict(list)
        for c in self.by_code.values():
            if c.kind != "arrondissement-municipal":
                self.by_departement[c.departement].append(c)

    def successor(
        self, departement: str, postcode: str, lat: float | None, lon: float | None
    ) -> CommuneRef | None:
        """The current commune for an unknown (merged) code: same département, same postcode if any,
        nearest centre to the site."""
        candidates = self.by_departement.get(departement, [])
        same_postcode = [c for c in candidates if postcode in c.postcodes]
        pool = same_postcode or candidates
        pool = [c for c in pool if c.lat is not None]
        if not pool:
            return None
        if lat is None or lon is None:
            return max(pool, key=lambda c: c.population) if same_postcode else None
        return min(pool, key=lambda c: haversine_m(lat, lon, c.lat, c.lon))  # type: ignore[arg-type]


def unescape_bytes(text: str) -> str:
    r"""``Itin\xE9raire\x20actualis\xE9`` → ``Itinéraire actualisé`` (bytes read as Latin-1)."""
    decoded = _ESCAPED_BYTE.sub(lambda m: bytes([int(m.group(1), 16)]).decode("latin-1"), text)
    return re.sub(r"\s+", " ", decoded.replace("\xa0", " ")).strip()


def _kind(type_fs: str, format_fs: str) -> SiteKind:
    if format_fs == "Bus_équivalent":
        return SiteKind.bus
    if format_fs == "Itinérante":
        return SiteKind.itinerant
    if format_fs == "Multisites":
        return SiteKind.multi_site
    if type_fs == "Antenne":
        return SiteKind.antenna
    return SiteKind.fixed


def _float(value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number


def normalise_row(
    line: int, row: dict[str, str], communes: CommuneIndex, report: SiteImportReport
) -> dict | None:
    """One CSV row → the site's column values, or None when the row must be rejected."""
    raw_id = (row.get("id_fs") or "").strip()

    def issue(field_name: str, action: str, reason: str) -> None:
        report.add(line, raw_id, field_name, action, reason)

    if not raw_id.isdigit():
        issue("id_fs", "rejected", f"identifiant national absent ou non numérique : « {raw_id} »")
        return None
    text = {}
    for key, value in row.items():
        value = value or ""
        cleaned = unescape_bytes(value) if "\\x" in value else value.strip()
        if cleaned != value.strip():
            issue(key, "corrected", "octets échappés (\\xNN) décodés")
        text[key] = cleaned
    if not text.get("lib_fs"):
        issue("lib_fs", "rejected", "nom de la structure absent")
        return None

    lat, lon = _float(text.get("latitude", "")), _float(text.get("longitude", ""))
    if (
        lat is not None
        and lon is not None
        and not (-90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0, 0))
    ):
        issue("latitude", "corrected", f"coordonnées impossibles ({lat}, {lon}) ignorées")
        lat = lon = None

    departement = text.get("insee_dep", "")
    postcode = text.get("code_postal", "")
    code = text.get("insee_com", "")
    commune = communes.by_code.get(code)
    arrondissement = None
    if commune is None:
        commune = communes.successor(departement, postcode, lat, lon)
        if commune is None:
            issue("insee_com", "rejected", f"code INSEE {code} inconnu et aucune commune de remplacement")
            return None
        issue(
            "insee_com",
            "corrected",
            f"code INSEE {code} n'existe plus : rattaché à {commune.code_insee} ({commune.name})",
        )
    elif commune.kind == "arrondissement-municipal" and commune.parent_code:
        arrondissement = commune
        commune = communes.by_code[commune.parent_code]
        issue(
            "insee_com",
            "corrected",
            f"code d'arrondissement {code} ({arrondissement.name}) remplacé par celui de la commune "
            f"{commune.code_insee} ({commune.name})",
        )
    if departement != commune.departement:
        if departement:
            issue("insee_dep", "corrected", f"département {departement} remplacé par {commune.departement}")
        departement = commune.departement

    valid_postcodes = (arrondissement or commune).postcodes
    if postcode not in valid_postcodes and valid_postcodes:
        fixed = min(valid_postcodes, key=lambda p: abs(int(p) - int(postcode)) if postcode.isdigit() else 0)
        issue(
            "code_postal",
            "corrected",
            f"code postal « {postcode} » (CEDEX ou erroné) absent de la commune {commune.name} : "
            f"remplacé par {fixed}",
        )
        postcode = fixed

    centre = arrondissement if arrondissement and arrondissement.lat is not None else commune
    if lat is None or lon is None:
        if centre.lat is None:
            issue("latitude", "rejected", "coordonnées absentes et commune sans centre connu")
            return None
        issue("latitude", "corrected", f"coordonnées absentes : centre de la commune {centre.name}")
        lat, lon = centre.lat, centre.lon
    elif centre.lat is not None and haversine_m(lat, lon, centre.lat, centre.lon) > _FAR_FROM_COMMUNE_M:  # type: ignore[arg-type]
        if haversine_m(lon, lat, centre.lat, centre.lon) < _FAR_FROM_COMMUNE_M:  # type: ignore[arg-type]
            issue("latitude", "corrected", "latitude et longitude inversées")
            lat, lon = lon, lat
        else:
            issue(
                "latitude",
                "note",
                f"point à plus de {_FAR_FROM_COMMUNE_M // 1000} km du centre de {commune.name}",
            )

    hours: dict[str, list[list[str]]] = {}
    for weekday, column in enumerate(DAY_COLUMNS):
        value = text.get(column, "")
        if not value:
            continue
        try:
            parsed = parse_day(value)
        except HoursFormatError as exc:
            issue(column, "corrected", f"{exc} : jour ignoré")
            continue
        if parsed.empty_ranges:
            issue(column, "corrected", f"plage « 00:00 - 00:00 » sans signification ignorée dans « {value} »")
        if parsed.merged_ranges:
            issue(column, "corrected", f"plages qui se chevauchent fusionnées dans « {value} »")
        if not parsed.ranges:
            continue
        hours[str(weekday)] = parsed.ranges
    if not hours:
        issue("horaires", "note", "aucun horaire d'ouverture publié")

    email = text.get("mail", "").lower() or None
    if email and not _EMAIL.match(email):
        issue("mail", "corrected", f"adresse e-mail invalide « {email} » ignorée")
        email = None
    appointment = text.get("prise_rdv", "")
    if appointment not in ("Oui", "Non"):
        issue("prise_rdv", "corrected", f"valeur « {appointment} » inconnue : considérée comme « Non »")
    label = _LABEL_DATE.search(text.get("labellisation_fs", ""))
    kind = _kind(text.get("type_fs", ""), text.get("format_fs", ""))
    return {
        "id": int(raw_id),
        "name": text["lib_fs"],
        "kind": kind.value,
        "is_mobile": kind in (SiteKind.bus, SiteKind.itinerant),
        "address": text.get("adresse", ""),
        "address_complement": text.get("complement_adresse") or None,
        "insee_code": commune.code_insee,
        "commune_name": commune.name,
        "postcode": postcode,
        "departement": departement,
        "timezone": territories.timezone_name(departement),
        "lat": lat,
        "lon": lon,
        "phone": text.get("telephone") or None,
        "email": email,
        "opening_hours": hours,
        "hours_known": bool(hours),
        "appointment_required": appointment == "Oui",
        "partners": [p.value for p in Partner],
        "comment": text.get("commentaire") or None,
        "group_name": text.get("groupe_fs") or None,
        "labelled_since": dt.date(int(label[3]), int(label[2]), int(label[1])) if label else None,
    }


def parse_csv(
    content: str, communes: CommuneIndex, report: SiteImportReport, on_row: Callable[[], None] | None = None
) -> list[dict]:
    """Every importable site of the file; rejected and corrected rows land in ``report``."""
    reader = csv.DictReader(io.StringIO(content))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"colonnes absentes du fichier : {', '.join(sorted(missing))}")
    sites: dict[int, dict] = {}
    lines: dict[int, int] = {}
    for row in reader:
        line = reader.line_num
        report.rows += 1
        site = normalise_row(line, row, communes, report)
        if on_row:
            on_row()
        if site is None:
            continue
        if site["id"] in sites:
            report.add(
                line,
                str(site["id"]),
                "id_fs",
                "rejected",
                f"identifiant déjà présent ligne {lines[site['id']]}",
            )
            continue
        sites[site["id"]] = site
        lines[site["id"]] = line
    _note_shared_points(sites, lines, report)
    return list(sites.values())


def _note_shared_points(sites: dict[int, dict], lines: dict[int, int], report: SiteImportReport) -> None:
    by_point: dict[tuple[float, float], list[int]] = defaultdict(list)
    for site in sites.values():
        by_point[(round(site["lat"], 6), round(site["lon"], 6))].append(site["id"])
    for ids in by_point.values():
        if len(ids) > 1:
            for site_id in ids:
                others = ", ".join(str(i) for i in ids if i != site_id)
                report.add(
                    lines[site_id], str(site_id), "latitude", "note", f"même point que le(s) site(s) {others}"
                )
