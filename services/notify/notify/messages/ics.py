"""The calendar file attached to the e-mails: one UID per booking, SEQUENCE increasing with each change."""

import datetime as dt
import functools
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vCalAddress

from fs_common.events import BookingSnapshot

UID_DOMAIN = "france-services.gouv.fr"


@functools.lru_cache(maxsize=256)
def _vtimezone(tzid: str, year: int) -> Timezone:
    """The zone's rules around that year (computing them takes milliseconds: cached)."""
    return Timezone.from_tzid(tzid, first_date=dt.date(year - 1, 1, 1), last_date=dt.date(year + 2, 1, 1))


def booking_uid(snapshot: BookingSnapshot) -> str:
    return f"{snapshot.booking_id}@{UID_DOMAIN}"


def booking_ics(
    snapshot: BookingSnapshot, *, sequence: int, cancelled: bool, organizer: str, stamp: dt.datetime
) -> str:
    """``METHOD:REQUEST`` for a confirmation or a change, ``METHOD:CANCEL`` for a cancellation.

    Times are written in the site's time zone (``TZID``) with its ``VTIMEZONE``.
    """
    tz = ZoneInfo(snapshot.place.timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//France Services//notify//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", booking_uid(snapshot))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", snapshot.starts_at.astimezone(tz))
    event.add("dtend", snapshot.ends_at.astimezone(tz))
    event.add("summary", f"Rendez-vous France Services — {snapshot.place.name}")
    event.add("location", f"{snapshot.place.name}, {snapshot.place.address}")
    event.add("description", ", ".join(d.label for d in snapshot.demarches))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("organizer", vCalAddress(f"mailto:{organizer}"))
    calendar.add_component(event)
    calendar.add_component(_vtimezone(snapshot.place.timezone, snapshot.starts_at.year))
    return calendar.to_ical().decode()
