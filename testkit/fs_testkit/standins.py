"""Real local stand-ins for the outside world: an aiosmtpd SMTP server, an HTTP server playing the SMS
provider or a partner, an OpenID Connect provider's keys. Each listens on 127.0.0.1, on a port chosen by
the system unless told."""

import asyncio
import contextlib
import datetime as dt
import email
import email.policy
import functools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import jwt
from aiosmtpd.smtp import SMTP, Envelope, Session
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request, Response


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


@dataclass
class HttpStandIn:
    """Records every POST; answers with the next queued status (200 when none). Serve ``app()`` with
    ``fs_testkit.servers.http_server``."""

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


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class OidcStandIn:
    """An OpenID Connect provider as the gateway sees it: its discovery document and JWKS (``app()``, which
    counts ``jwks_fetches``), and ID tokens signed with its RSA key. Serve ``app()``, then set ``url``."""

    client_id: str
    kid: str = "test-1"
    sub: str = "u-1"
    url: str = ""
    jwks_fetches: int = 0
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)

    def app(self) -> FastAPI:
        app = FastAPI()
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict:
            return self.discovery_document()

        @app.get("/jwks")
        async def jwks() -> dict:
            self.jwks_fetches += 1
            return {"keys": [public | {"kid": self.kid, "use": "sig", "alg": "RS256"}]}

        return app

    def discovery_document(self) -> dict[str, Any]:
        """What ``/.well-known/openid-configuration`` says; a stand-in that serves more says more."""
        return {"issuer": self.url, "jwks_uri": f"{self.url}/jwks"}

    def id_token(self, *, kid: str | None = None, key: rsa.RSAPrivateKey | None = None, **claims: Any) -> str:
        """An ID token for our client, valid 5 minutes; ``claims`` add to or replace the standard ones."""
        now = dt.datetime.now(dt.UTC)
        standard = {"iss": self.url, "aud": self.client_id, "sub": self.sub, "iat": now}
        payload = standard | {"exp": now + dt.timedelta(minutes=5)} | claims
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})
