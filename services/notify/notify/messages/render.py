"""What each message says: French e-mails (HTML and text, with their calendar file) and SMS texts."""

import datetime as dt
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fs_common.events import BookingSnapshot
from notify.deliveries.models import Kind
from notify.messages import sms
from notify.messages.formatting import french_date, french_time, short_datetime
from notify.messages.ics import booking_ics

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)

_SUBJECTS = {
    Kind.confirmation: "Votre rendez-vous France Services du {date} est confirmé",
    Kind.reschedule: "Votre rendez-vous France Services est déplacé au {date}",
    Kind.cancellation_person: "Annulation de votre rendez-vous France Services du {date}",
    Kind.cancellation_site: "Votre rendez-vous France Services du {date} est annulé",
    Kind.reminder: "Rappel : votre rendez-vous France Services du {date} à {time}",
}

_SMS = {
    Kind.confirmation: "France Services : RDV confirmé le {when}, {place}.{link}",
    Kind.reschedule: "France Services : RDV déplacé au {when}, {place}.{link}",
    Kind.cancellation_person: "France Services : votre RDV du {when} ({place}) est bien annulé.",
    Kind.cancellation_site: (
        "France Services : désolés, votre RDV du {when} ({place}) est annulé par le site."
    ),
    Kind.reminder: "France Services : rappel, RDV le {when}, {place}.{link}",
}

CANCELLATIONS = (Kind.cancellation_person, Kind.cancellation_site)


def _when(starts_at: dt.datetime, timezone: str, now: dt.datetime) -> str:
    """``demain à 9 h``, ``aujourd'hui à 14 h 30`` or ``le mardi 1er décembre 2026 à 9 h``."""
    days = (starts_at.astimezone(dt.UTC).date() - now.astimezone(dt.UTC).date()).days
    time = french_time(starts_at, timezone)
    if days == 0:
        return f"aujourd'hui à {time}"
    if days == 1:
        return f"demain à {time}"
    return f"le {french_date(starts_at, timezone)} à {time}"


def render_email(
    kind: Kind,
    booking: BookingSnapshot,
    *,
    manage_url: str | None,
    sequence: int,
    sender: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The stored payload of an e-mail delivery: subject, text, HTML and, except reminders, the ICS."""
    tz = booking.place.timezone
    context = {
        "name": booking.contact.name,
        "date": french_date(booking.starts_at, tz),
        "time": french_time(booking.starts_at, tz),
        "previous_date": french_date(booking.previous_starts_at, tz) if booking.previous_starts_at else None,
        "previous_time": french_time(booking.previous_starts_at, tz) if booking.previous_starts_at else None,
        "when": _when(booking.starts_at, tz, now),
        "place": booking.place,
        "demarches": booking.demarches,
        "documents": list(dict.fromkeys(doc for d in booking.demarches for doc in d.documents)),
        "show_details": kind not in CANCELLATIONS,
        "manage_url": manage_url if kind not in CANCELLATIONS else None,
    }
    subject = _SUBJECTS[kind].format(date=context["date"], time=context["time"])
    context["subject"] = subject
    ics = None
    if kind != Kind.reminder:
        ics = booking_ics(
            booking,
            sequence=sequence,
            cancelled=kind in CANCELLATIONS,
            organizer=parseaddr(sender)[1],
            stamp=now,
        )
    return {
        "subject": subject,
        "text": _env.get_template(f"{kind}.txt").render(context),
        "html": _env.get_template(f"{kind}.html").render(context),
        "ics": ics,
        "ics_method": "CANCEL" if kind in CANCELLATIONS else "REQUEST",
    }


def render_sms(kind: Kind, booking: BookingSnapshot, *, manage_url: str | None) -> str:
    link = f" Gérer : {manage_url}" if manage_url and kind not in CANCELLATIONS else ""
    when = short_datetime(booking.starts_at, booking.place.timezone)
    return sms.fit(_SMS[kind], booking.place.name, when=when, link=link)
