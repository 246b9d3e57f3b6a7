"""SMS through the HTTP provider adapter, against a local HTTP server playing the provider."""

import json

from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import wait_until
from notify.messages.sms import gsm_length, to_gsm

from .helpers import delivery_rows, running


def sms_settings(settings, standin, smtp_port: int):
    return settings.model_copy(
        update={
            "smtp_port": smtp_port,
            "sms_provider_url": f"{standin.base_url}/v1/sms",
            "sms_api_key": "cle-fournisseur-de-test",
        }
    )


async def test_confirmation_sms_is_short_french_and_retried_after_a_provider_error(
    settings, smtp, http_standin, redis_client, sessionmaker
):
    _, port = smtp
    settings = sms_settings(settings, http_standin, port)
    http_standin.statuses = [503]  # the provider hiccups once
    booking = snapshot(phone="+594694123456", email_address=None)
    async with running(settings):
        await publish(redis_client, settings.stream, event(BookingEventType.created, booking))
        first, second = await http_standin.wait_for(2)

        async def sent():
            rows = await delivery_rows(sessionmaker)
            return rows and rows[0].status == "sent" and rows[0]

        row = await wait_until(sent)
    assert (first["status"], second["status"]) == (503, 200)
    assert second["path"] == "v1/sms"
    assert second["headers"]["authorization"] == "Bearer cle-fournisseur-de-test"
    body = json.loads(second["body"])
    assert body["to"] == "+594694123456"
    assert body["reference"] == str(row.id) == json.loads(first["body"])["reference"]
    text = body["text"]
    assert text.startswith("France Services : RDV confirmé le ")
    assert booking.manage_url in text
    assert to_gsm(text) == text and gsm_length(text) <= 160
    assert (row.channel, row.attempts) == ("sms", 2)


async def test_a_rejected_number_goes_to_dead_letter(
    settings, smtp, http_standin, redis_client, sessionmaker
):
    _, port = smtp
    settings = sms_settings(settings, http_standin, port)
    http_standin.statuses = [400]
    booking = snapshot(phone="+33000", email_address=None)
    async with running(settings):
        await publish(redis_client, settings.stream, event(BookingEventType.created, booking))

        async def dead():
            rows = await delivery_rows(sessionmaker)
            return rows and rows[0].status == "dead" and rows[0]

        row = await wait_until(dead)
    assert (row.attempts, row.last_error) == (1, "fournisseur SMS : HTTP 400")


def test_every_sms_fits_one_gsm_segment_even_with_a_long_place_name():
    from notify.deliveries.models import Kind
    from notify.messages.render import render_sms

    booking = snapshot(phone="+33612345678")
    booking.place.name = "Maison France Services intercommunale de la Communauté de communes du Pays d'Œuvre"
    for kind in (
        Kind.confirmation,
        Kind.reschedule,
        Kind.cancellation_person,
        Kind.cancellation_site,
        Kind.reminder,
    ):
        text = render_sms(kind, booking, manage_url=booking.manage_url)
        assert to_gsm(text) == text and gsm_length(text) <= 160, (kind, text)
