"""Test kit shared by the notify tests and the benchmark: sample booking events, and real local
stand-ins for the outside world (an aiosmtpd SMTP server, an HTTP server playing the SMS provider or a
partner), each listening on 127.0.0.1 with a port chosen by the system. Needs the dev dependencies."""

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import functools
import json
import socket
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import redis.asyncio as redis
import uvicorn
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, Request, Response
from sqlalchemy import select
from sqlmodel import col

from fs_common.events import (
    EVENT_FIELD,
    BookingEvent,
    BookingEventType,
    BookingSnapshot,
    Contact,
    DemarcheRef,
    EventKeys,
    Place,
)
from fs_common.testing import TEST_EVENT_KEYS
from notify.config import NotifySettings
from notify.deliveries.models import Delivery
from notify.workers import consumer, dispatcher

SITE_ID = 4242


# --- booking events -------------------------------------------------------------------------------


def snapshot(
    *,
    booking_id: uuid.UUID | None = None,
    starts_at: dt.datetime | None = None,
    status: str = "confirmed",
    email_address: str | None = "camille.durand@example.org",
    phone: str | None = None,
    timezone: str = "America/Cayenne",
    cancelled_by: str | None = None,
    manage_url: str | None = "https://rdv.france-services.example/gerer/t0k3n-0123456789abcdef",
    previous_starts_at: dt.datetime | None = None,
) -> BookingSnapshot:
    starts_at = starts_at or dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=5)
    return BookingSnapshot(
        booking_id=booking_id or uuid.uuid4(),
        status=status,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=30),
        place=Place(
            site_id=SITE_ID,
            name="France Services de Saint-Laurent-du-Maroni",
            address="12 avenue Félix Éboué, 97320 Saint-Laurent-du-Maroni",
            timezone=timezone,
            opening_hours_text="du lundi au vendredi de 8 h à 12 h et de 14 h à 17 h",
        ),
        demarches=[
            DemarcheRef(
                code="caf-rsa",
                label="Demande de RSA",
                partner="caf",
                documents=["Pièce d'identité", "Relevé d'identité bancaire"],
            )
        ],
        contact=Contact(name="Camille Durand", email=email_address, phone=phone, consent_contact=True),
        manage_url=manage_url,
        cancelled_by=cancelled_by,
        previous_starts_at=previous_starts_at,
    )


def event(
    kind: BookingEventType, booking: BookingSnapshot, *, occurred_at: dt.datetime | None = None
) -> BookingEvent:
    return BookingEvent(type=kind, occurred_at=occurred_at or dt.datetime.now(dt.UTC), booking=booking)


async def publish(
    client: redis.Redis, stream: str, *events: BookingEvent, keys: str = TEST_EVENT_KEYS
) -> None:
    """As booking's relay does: each event with its contact and manage link sealed."""
    sealer = EventKeys.parse(keys)
    async with client.pipeline(transaction=False) as pipe:
        for e in events:
            pipe.xadd(stream, {EVENT_FIELD: json.dumps(sealer.seal(e))})
        await pipe.execute()


# --- SMTP ------------------------------------------------------------------------------------------


class Mailbox:
    """aiosmtpd handler keeping the parsed messages; refuses recipients starting with ``inconnu``."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.arrived = asyncio.Condition()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list
    ) -> str:
        if address.startswith("inconnu"):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        async with self.arrived:
            self.messages.append(message)
            self.arrived.notify_all()
        return "250 Message accepted for delivery"

    async def wait_for(self, count: int, within: float = 30) -> list[EmailMessage]:
        async with self.arrived:
            await asyncio.wait_for(self.arrived.wait_for(lambda: len(self.messages) >= count), within)
        return self.messages

    def for_recipient(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def closed_port() -> int:
    """A free port nothing listens on (yet): an SMTP server that is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.asynccontextmanager
async def smtp_server(port: int = 0) -> AsyncIterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        functools.partial(SMTP, mailbox, hostname="smtp.test", decode_data=False),
        host="127.0.0.1",
        port=port,
    )
    try:
        yield mailbox, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


# --- HTTP stand-in (SMS provider and partner) ------------------------------------------------------


@dataclass
class HttpStandIn:
    """Records every request; answers with the next queued status (200 when none)."""

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/{path:path}")
        async def receive(path: str, request: Request) -> Response:
            status = self.statuses.pop(0) if self.statuses else 200
            self.requests.append(
                {
                    "path": path,
                    "headers": dict(request.headers),
                    "body": await request.body(),
                    "status": status,
                }
            )
            self.arrived.set()
            return Response(status_code=status, content=b'{"id": "x"}', media_type="application/json")

        return app

    async def wait_for(self, count: int, within: float = 30) -> list[dict[str, Any]]:
        async with asyncio.timeout(within):
            while len(self.requests) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.requests


@contextlib.asynccontextmanager
async def serve_http(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn on 127.0.0.1, a port chosen by the system; yields the base URL."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False, lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event)
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


# --- workers ---------------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def running(settings: NotifySettings, *, consume: bool = True, dispatch: bool = True, clock=None):
    """The consumer and the dispatcher as tasks of this event loop; stopped (cleanly) on exit."""
    stop = asyncio.Event()
    async with contextlib.AsyncExitStack() as stack:
        tasks = []
        if consume:
            worker = await stack.enter_async_context(consumer(settings))
            tasks.append(asyncio.create_task(worker.run(stop)))
        if dispatch:
            sender = await stack.enter_async_context(dispatcher(settings))
            if clock is not None:
                sender.clock = clock
            tasks.append(asyncio.create_task(sender.run(stop)))
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks)


async def wait_until(predicate, within: float = 30, interval: float = 0.05):
    """Poll an async predicate until it returns something truthy."""
    async with asyncio.timeout(within):
        while not (result := await predicate()):  # noqa: ASYNC110 (polling the database)
            await asyncio.sleep(interval)
    return result


async def delivery_rows(sessionmaker, booking_id: uuid.UUID | None = None) -> list[Delivery]:
    statement = select(Delivery).order_by(col(Delivery.created_at))
    if booking_id is not None:
        statement = statement.where(col(Delivery.booking_id) == booking_id)
    async with sessionmaker() as session:
        return list((await session.scalars(statement)).all())
