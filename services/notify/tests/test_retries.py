"""SMTP outages wait and go out later; permanent refusals and exhausted retries end in dead-letter."""

from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import free_port, wait_until
from fs_testkit.standins import smtp_server

from .helpers import delivery_rows, running


async def test_smtp_down_then_back_the_messages_wait_and_go_out(settings, redis_client, sessionmaker):
    port = free_port()
    settings = settings.model_copy(update={"smtp_port": port, "max_attempts": 1000})
    events = [
        event(BookingEventType.created, snapshot(email_address=f"attente-{i}@example.org")) for i in range(3)
    ]
    async with running(settings):
        await publish(redis_client, settings.stream, *events)

        async def failed_twice() -> bool:
            rows = await delivery_rows(sessionmaker)
            return len(rows) == 3 and all(r.attempts >= 2 and r.status != "sent" for r in rows)

        await wait_until(failed_twice)
        rows = await delivery_rows(sessionmaker)
        assert {r.status for r in rows} <= {"retrying", "sending"}
        assert all("SMTP injoignable" in (r.last_error or "") for r in rows if r.status == "retrying")
        async with smtp_server(port) as (mailbox, _):
            await mailbox.wait_for(3)

            async def all_sent() -> bool:
                return all(r.status == "sent" for r in await delivery_rows(sessionmaker))

            await wait_until(all_sent)
    assert sorted(m["To"] for m in mailbox.messages) == sorted(e.booking.contact.email for e in events)
    rows = await delivery_rows(sessionmaker)
    assert all(r.attempts >= 3 and r.sent_at is not None and r.last_error is None for r in rows)


async def test_a_permanent_refusal_goes_to_dead_letter_at_once(settings, smtp, redis_client, sessionmaker):
    mailbox, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    refused = event(BookingEventType.created, snapshot(email_address="inconnu@example.org"))
    accepted = event(BookingEventType.created, snapshot(email_address="connue@example.org"))
    async with running(settings):
        await publish(redis_client, settings.stream, refused, accepted)
        await mailbox.wait_for(1)

        async def refused_is_dead():
            rows = await delivery_rows(sessionmaker, refused.booking.booking_id)
            return rows and rows[0].status == "dead" and rows[0]

        dead = await wait_until(refused_is_dead)
    assert dead.attempts == 1
    assert dead.last_error == "SMTP 550 5.1.1 Mailbox unavailable"
    assert [m["To"] for m in mailbox.messages] == ["connue@example.org"]


async def test_temporary_failures_end_in_dead_letter_after_max_attempts(settings, redis_client, sessionmaker):
    settings = settings.model_copy(update={"smtp_port": free_port(), "max_attempts": 3})
    created = event(BookingEventType.created, snapshot())
    async with running(settings):
        await publish(redis_client, settings.stream, created)

        async def dead():
            rows = await delivery_rows(sessionmaker)
            return rows and rows[0].status == "dead" and rows[0]

        row = await wait_until(dead)
    assert row.attempts == 3
    assert row.last_error.startswith("Abandon après 3 tentatives. Dernière erreur : SMTP injoignable")
