"""Partner webhooks: registration by administrators, signed JSON deliveries, retries, dead-letter."""

import hashlib
import hmac
import json
import time

from fs_common.events import BookingEventType
from fs_testkit.events import event, publish, snapshot
from fs_testkit.servers import http_server, serve_in_process, wait_until
from fs_testkit.standins import HttpStandIn
from notify.main import create_app

from .helpers import delivery_rows, running

SECRET = "s3cret-partagé-avec-le-partenaire-0123456789"


def verify(secret: str, request: dict) -> bool:
    """What a partner does: recompute the HMAC over "timestamp.body", compare in constant time."""
    timestamp = request["headers"]["x-fs-timestamp"]
    expected = hmac.new(
        secret.encode(), timestamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(request["headers"]["x-fs-signature"], f"sha256={expected}")


async def test_registration_is_for_administrators_only(api, admin_headers, agent_headers):
    body = {"name": "CAF", "url": "https://partenaire.example/hook", "secret": SECRET}
    assert (await api.post("/v1/webhooks", json=body)).status_code == 401
    basic = {"Authorization": "Basic " + admin_headers["Authorization"].partition(" ")[2]}
    other_scheme = await api.post("/v1/webhooks", json=body, headers=basic)
    assert other_scheme.status_code == 401  # the static token counts only as a Bearer token
    response = await api.post("/v1/webhooks", json=body, headers=agent_headers("site_admin"))
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "Réservé aux administrateurs nationaux."
    by_agent = await api.post("/v1/webhooks", json=body, headers=agent_headers("national_admin", []))
    assert by_agent.status_code == 201
    generated = await api.post(
        "/v1/webhooks", json={"name": "MSA", "url": "https://msa.example/h"}, headers=admin_headers
    )
    assert generated.status_code == 201 and len(generated.json()["secret"]) >= 32
    listed = (await api.get("/v1/webhooks", headers=admin_headers)).json()
    assert [s["name"] for s in listed] == ["CAF", "MSA"]
    assert all("secret" not in s for s in listed)
    invalid = await api.post("/v1/webhooks", json={"name": "X", "url": "pas une url"}, headers=admin_headers)
    assert invalid.status_code == 422
    gone = await api.delete(f"/v1/webhooks/{by_agent.json()['id']}", headers=admin_headers)
    assert gone.status_code == 204
    assert [s["active"] for s in (await api.get("/v1/webhooks", headers=admin_headers)).json()] == [
        False,
        True,
    ]


async def test_events_are_posted_signed_and_retried(
    settings, api, admin_headers, smtp, http_standin, redis_client, sessionmaker
):
    _, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    registered = await api.post(
        "/v1/webhooks",
        json={"name": "CAF", "url": f"{http_standin.base_url}/hooks/caf", "secret": SECRET},
        headers=admin_headers,
    )
    assert registered.status_code == 201
    http_standin.statuses = [500]  # the partner fails once
    created = event(BookingEventType.created, snapshot())
    async with running(settings):
        await publish(redis_client, settings.stream, created)
        failed, delivered = await http_standin.wait_for(2)

        async def sent() -> bool:
            rows = await delivery_rows(sessionmaker)
            return {(r.channel, r.status) for r in rows} == {("email", "sent"), ("webhook", "sent")}

        await wait_until(sent)
    assert (failed["status"], delivered["status"]) == (500, 200)
    assert verify(SECRET, delivered)
    assert not verify("une autre clé", delivered)
    headers = delivered["headers"]
    assert headers["x-fs-event"] == "booking.created"
    assert headers["x-fs-delivery"] == failed["headers"]["x-fs-delivery"]  # same id on every attempt
    assert headers["content-type"] == "application/json"
    body = json.loads(delivered["body"])
    assert body["id"] == str(created.id) and body["type"] == "booking.created"
    assert body["booking"]["booking_id"] == str(created.booking.booking_id)
    assert "contact" not in body["booking"] and "manage_url" not in body["booking"]  # no personal data
    (webhook,) = [r for r in await delivery_rows(sessionmaker) if r.channel == "webhook"]
    assert webhook.attempts == 2


async def test_a_partner_down_for_good_ends_in_dead_letter(
    settings, api, admin_headers, smtp, http_standin, redis_client, sessionmaker
):
    _, port = smtp
    settings = settings.model_copy(update={"smtp_port": port})
    await api.post(
        "/v1/webhooks",
        json={"name": "CAF", "url": f"{http_standin.base_url}/hooks/caf", "secret": SECRET},
        headers=admin_headers,
    )
    http_standin.statuses = [503] * settings.max_attempts
    async with running(settings):
        await publish(redis_client, settings.stream, event(BookingEventType.created, snapshot()))

        async def dead():
            rows = [r for r in await delivery_rows(sessionmaker) if r.channel == "webhook"]
            return rows and rows[0].status == "dead" and rows[0]

        row = await wait_until(dead)
    assert len(http_standin.requests) == settings.max_attempts == row.attempts
    assert (
        row.last_error == f"Abandon après {row.attempts} tentatives. Dernière erreur : partenaire : HTTP 503"
    )


async def test_internal_targets_are_refused_at_registration(api, admin_headers):
    """Our own services, the cloud's metadata, loopback in IPv6, a private network: never a target."""
    refused = [
        "http://127.0.0.1:8002/v1/bookings",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8003/",
        "http://10.0.0.1/hook",
        "https://[::ffff:127.0.0.1]/hook",  # IPv4 hidden in IPv6
        "https://0.0.0.0/hook",
        "https://192.168.1.20/hook",
        "https://[fd00:ec2::254]/",  # unique-local (a cloud's IPv6 metadata)
        "https://100.64.0.1/hook",  # carrier-grade NAT
        "https://224.0.0.1/hook",  # multicast
        "https://localhost/hook",
        "https://nowhere.invalid/hook",
        "https://user:pass@partenaire.example/hook",
    ]
    for url in refused:
        response = await api.post(
            "/v1/webhooks", json={"name": "Intrus", "url": url, "secret": SECRET}, headers=admin_headers
        )
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"], url
    detail = (
        await api.post(
            "/v1/webhooks",
            json={"name": "Intrus", "url": "http://169.254.169.254/latest/meta-data/"},
            headers=admin_headers,
        )
    ).json()["detail"]
    assert "Adresse interne refusée" in detail and "169.254.169.254" in detail
    assert (await api.get("/v1/webhooks", headers=admin_headers)).json() == []


async def test_plain_http_only_when_a_setting_allows_it(settings, admin_headers):
    production = settings.model_copy(update={"webhook_allow_http": False})
    async with serve_in_process(create_app(production), "http://notify") as api:
        body = {"name": "CAF", "url": "http://partenaire.example/hook", "secret": SECRET}
        response = await api.post("/v1/webhooks", json=body, headers=admin_headers)
        assert response.status_code == 422 and "https://" in response.json()["detail"]
        body["url"] = "https://partenaire.example/hook"
        assert (await api.post("/v1/webhooks", json=body, headers=admin_headers)).status_code == 201


async def test_a_name_that_now_points_inside_is_refused_at_delivery(
    settings, api, admin_headers, redis_client, sessionmaker
):
    """DNS rebinding: the name answered a public address at registration, it answers 127.0.0.1 now.
    The delivery checks again, connects only to the address it checked, and reaches nothing inside."""
    inside = HttpStandIn()  # what the attacker aims at: a service of ours on the loopback
    async with http_server(inside.app()) as inside_url:
        port = inside_url.rpartition(":")[2]
        url = f"http://rebind.example:{port}/hook"
        at_registration = settings.model_copy(
            update={"webhook_hosts": [*settings.webhook_hosts, "rebind.example=93.184.215.16"]}
        )
        async with serve_in_process(create_app(at_registration), "http://notify") as registrar:
            registered = await registrar.post(
                "/v1/webhooks",
                json={"name": "Partenaire", "url": url, "secret": SECRET},
                headers=admin_headers,
            )
        assert registered.status_code == 201, registered.text
        rebound = settings.model_copy(update={"webhook_hosts": ["rebind.example=127.0.0.1"]})
        async with running(rebound, consume=True):
            await publish(redis_client, settings.stream, event(BookingEventType.created, snapshot()))

            async def dead():
                rows = [r for r in await delivery_rows(sessionmaker) if r.channel == "webhook"]
                return rows and rows[0].status == "dead" and rows[0]

            row = await wait_until(dead)
    assert inside.requests == [], "nothing reached the service inside"
    assert row.attempts == 1 and "Adresse interne refusée" in row.last_error


async def test_a_redirect_is_never_followed(
    settings, api, admin_headers, http_standin, redis_client, sessionmaker
):
    await api.post(
        "/v1/webhooks",
        json={"name": "CAF", "url": f"{http_standin.base_url}/hooks/caf", "secret": SECRET},
        headers=admin_headers,
    )
    http_standin.statuses = [307]
    async with running(settings):
        await publish(redis_client, settings.stream, event(BookingEventType.created, snapshot()))

        async def dead():
            rows = [r for r in await delivery_rows(sessionmaker) if r.channel == "webhook"]
            return rows and rows[0].status == "dead" and rows[0]

        row = await wait_until(dead)
    assert len(http_standin.requests) == 1 and "redirection" in row.last_error
