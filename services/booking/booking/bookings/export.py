"""The agent's day as CSV (semicolons and a BOM, as French spreadsheets expect)."""

from collections.abc import Sequence

from booking.bookings.schemas import BookingOut
from fs_common.spreadsheet import spreadsheet_csv

STATUS_FR = {
    "confirmed": "confirmé",
    "cancelled": "annulé par la personne",
    "honoured": "honoré",
    "no_show": "absent",
    "excused": "excusé",
    "cancelled_by_site": "annulé par la France Services",
}
HEADER = [
    "début",
    "fin",
    "statut",
    "nom",
    "e-mail",
    "téléphone",
    "démarches",
    "lieu",
    "note",
    "identifiant",
    "canal",
]
CHANNEL_FR = {"online": "en ligne", "agent": "par un agent", "walk_in": "sans rendez-vous"}


def day_csv(bookings: Sequence[BookingOut]) -> str:
    """Every cell a spreadsheet would evaluate (``=``, ``+``, ``-``, ``@``…) is written as inert text."""
    return spreadsheet_csv(HEADER, (_row(b) for b in bookings))


def _row(b: BookingOut) -> list[str]:
    person = b.person
    return [
        b.starts_at.strftime("%d/%m/%Y %H:%M"),
        b.ends_at.strftime("%H:%M"),
        STATUS_FR.get(b.status, b.status),
        person.name if person else "",
        (person.email or "") if person else "",
        (person.phone or "") if person else "",
        " + ".join(d.label for d in b.demarches),
        b.place.name,
        b.note or "",
        str(b.id),
        CHANNEL_FR.get(b.channel, b.channel),
    ]
