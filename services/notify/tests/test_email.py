"""Confirmation, reschedule and cancellation e-mails, received by a real SMTP server and read back."""

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import icalendar

from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import wait_until
from fs_testkit.standins import Mailbox

from .helpers import delivery_rows, running

CAYENNE = ZoneInfo("America/Cayenne")


def parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    attachments = list(message.iter_attachments())
    return text, html, attachments


def read_ics(attachment) -> icalendar.Calendar:
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "rendez-vous.ics"
    return icalendar.Calendar.from_ical(attachment.get_payload(decode=True))


async def test_confirmation_reschedule_and_cancellation_by_site(settings, smtp, redis_client, sessionmaker):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    starts = dt.datetime(2030, 3, 4, 13, 30, tzinfo=dt.UTC)  # 10 h 30 in Cayenne (UTC-3)
    booking = snapshot(starts_at=starts)
    moved = booking.model_copy(
        update={
            "starts_at": starts + dt.timedelta(days=1, hours=1),
            "ends_at": starts + dt.timedelta(days=1, hours=1, minutes=30),
            "previous_starts_at": starts,
        }
    )
    cancelled = moved.model_copy(
        update={"status": "cancelled_by_site", "cancelled_by": "site", "manage_url": None}
    )
    now = dt.datetime.now(dt.UTC)
    async with running(settings):
        await publish(
            redis_client, settings.stream, event(BookingEventType.created, booking, occurred_at=now)
        )
        (confirmation,) = await mailbox.wait_for(1)
        await publish(
            redis_client,
            settings.stream,
            event(BookingEventType.rescheduled, moved, occurred_at=now + dt.timedelta(seconds=1)),
        )
        await mailbox.wait_for(2)
        await publish(
            redis_client,
            settings.stream,
            event(BookingEventType.cancelled, cancelled, occurred_at=now + dt.timedelta(seconds=2)),
        )
        _, reschedule, cancellation = await mailbox.wait_for(3)

    # Confirmation: headers, French text with the place, its hours, the documents and the link.
    assert confirmation["To"] == "camille.durand@example.org"
    assert "ne-pas-repondre@france-services.gouv.fr" in confirmation["From"]
    assert confirmation["Subject"] == "Votre rendez-vous France Services du lundi 4 mars 2030 est confirmé"
    assert confirmation["Content-Language"] == "fr"
    text, html, (attachment,) = parts(confirmation)
    assert "Bonjour Camille Durand," in text
    assert "lundi 4 mars 2030 à 10 h 30" in text
    assert "12 avenue Félix Éboué, 97320 Saint-Laurent-du-Maroni" in text
    assert "du lundi au vendredi de 8 h à 12 h et de 14 h à 17 h" in text
    assert "- Pièce d'identité" in text and "- Relevé d'identité bancaire" in text
    assert "https://rdv.france-services.example/gerer/t0k3n-0123456789abcdef" in text
    assert '<a href="https://rdv.france-services.example/gerer/t0k3n-0123456789abcdef">' in html
    assert "<li>Pièce d&#39;identité</li>" in html
    calendar = read_ics(attachment)
    assert calendar["METHOD"] == "REQUEST"
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"{booking.booking_id}@france-services.gouv.fr"
    assert vevent["SEQUENCE"] == 0
    start = vevent.decoded("DTSTART")
    assert start == starts and start.tzinfo.key == "America/Cayenne"  # the site's zone, right instant
    assert (start.hour, start.minute) == (10, 30)
    assert vevent["DTSTART"].params["TZID"] == "America/Cayenne"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Cayenne"]

    # Reschedule: same UID, SEQUENCE 1, the new time.
    assert reschedule["Subject"] == "Votre rendez-vous France Services est déplacé au mardi 5 mars 2030"
    text, _, (attachment,) = parts(reschedule)
    assert "du lundi 4 mars 2030 à 10 h 30 a été déplacé" in text and "mardi 5 mars 2030 à 11 h 30" in text
    (vevent,) = read_ics(attachment).walk("VEVENT")
    assert str(vevent["UID"]) == f"{booking.booking_id}@france-services.gouv.fr"
    assert vevent["SEQUENCE"] == 1
    assert vevent.decoded("DTSTART") == moved.starts_at

    # Cancellation by the site: METHOD CANCEL, SEQUENCE 2, no management link.
    assert cancellation["Subject"] == "Votre rendez-vous France Services du mardi 5 mars 2030 est annulé"
    text, _, (attachment,) = parts(cancellation)
    assert "a dû annuler votre rendez-vous" in text
    assert "gerer/" not in text
    calendar = read_ics(attachment)
    assert calendar["METHOD"] == "CANCEL"
    (vevent,) = calendar.walk("VEVENT")
    assert vevent["SEQUENCE"] == 2 and vevent["STATUS"] == "CANCELLED"

    rows = await delivery_rows(sessionmaker, booking.booking_id)
    assert [(r.kind, r.status, r.attempts) for r in rows] == [
        ("confirmation", "sent", 1),
        ("reschedule", "sent", 1),
        ("cancellation_site", "sent", 1),
    ]
    assert len({m["Message-ID"] for m in mailbox.messages}) == 3


async def test_cancellation_by_the_person(settings, smtp, redis_client):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    booking = snapshot(status="cancelled", cancelled_by="person", timezone="Europe/Paris")
    async with running(settings):
        await publish(redis_client, settings.stream, event(BookingEventType.cancelled, booking))
        (message,) = await mailbox.wait_for(1)
    assert message["Subject"].startswith("Annulation de votre rendez-vous France Services du ")
    text, _, (attachment,) = parts(message)
    assert "Vous avez annulé votre rendez-vous" in text
    assert read_ics(attachment)["METHOD"] == "CANCEL"


async def test_a_replayed_event_sends_nothing_twice(
    settings, smtp: tuple[Mailbox, int], redis_client, sessionmaker
):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    created = event(BookingEventType.created, snapshot())
    async with running(settings):
        await publish(redis_client, settings.stream, created)
        await mailbox.wait_for(1)
        await publish(redis_client, settings.stream, created, created)  # at-least-once delivery upstream
        await wait_until(
            lambda: _pending_is_empty(redis_client, settings.stream, settings.consumer_group, length=3)
        )
    assert len(mailbox.messages) == 1
    assert len(await delivery_rows(sessionmaker)) == 1


async def _pending_is_empty(client, stream: str, group: str, *, length: int) -> bool:
    """All ``length`` entries read by the group and acknowledged."""
    info = {g["name"].decode(): g for g in await client.xinfo_groups(stream)}[group]
    return info["pending"] == 0 and info["entries-read"] == length


async def test_the_dispatcher_is_woken_by_new_deliveries_not_by_its_poll(settings, smtp, redis_client):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port, "poll_interval_s": 3600})
    async with running(settings):
        await asyncio.sleep(0.2)  # the dispatcher has found nothing and sleeps for an hour
        await publish(redis_client, settings.stream, event(BookingEventType.created, snapshot()))
        await mailbox.wait_for(1, within=20)  # so only the consumer's NOTIFY can have woken it
