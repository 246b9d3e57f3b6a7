"""A month's figures as CSV, through the shared spreadsheet writer (formulas neutralised)."""

from booking.activity.schemas import ActivityOut
from fs_common.spreadsheet import spreadsheet_csv

HEADER = ["rubrique", "code", "libellé", "nombre"]
TOTALS = [
    ("accompaniments", "Accompagnements (rendez-vous honorés + sans rendez-vous)"),
    ("bookings_honoured", "Rendez-vous honorés"),
    ("walk_ins", "Passages sans rendez-vous"),
    ("walk_ins_redirected", "dont réorientés"),
    ("no_shows", "Absences"),
    ("excused", "Absences excusées"),
    ("cancellations", "Annulations"),
    ("bookings_total", "Rendez-vous du mois"),
    ("bookings_online", "pris en ligne"),
    ("bookings_by_agent", "pris par un agent"),
    ("median_lead_time_hours", "Délai médian de prise de rendez-vous (heures)"),
]


def activity_csv(figures: ActivityOut) -> str:
    data = figures.model_dump()
    rows: list[list[object]] = [
        ["total", key, label, data[key] if data[key] is not None else ""] for key, label in TOTALS
    ]
    rows += [["partenaire", p.partner, p.label, p.count] for p in figures.by_partner]
    rows += [["démarche", d.code, d.label, d.count] for d in figures.by_demarche]
    return spreadsheet_csv(HEADER, rows)
