"""E-mail over SMTP (aiosmtplib) with a small pool of open connections."""

import asyncio
import contextlib
import email.policy
import email.utils
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from notify.channels import PermanentFailure, TemporaryFailure
from notify.config import NotifySettings

# Headers unfolded up to RFC 5322's limit: Python's folding before an encoded word doubles a space.
_POLICY = email.policy.SMTP.clone(max_line_length=998)


def build_message(payload: dict[str, Any], *, recipient: str, sender: str, message_id: str) -> EmailMessage:
    """Text and HTML alternatives, plus the calendar file when there is one.

    The ``Message-ID`` is derived from the delivery id, the same on every attempt.
    """
    message = EmailMessage(policy=_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = payload["subject"]
    message["Date"] = email.utils.formatdate(localtime=False)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(payload["text"], cte="quoted-printable")
    message.add_alternative(payload["html"], subtype="html", cte="quoted-printable")
    if payload.get("ics"):
        message.add_attachment(
            payload["ics"].encode(),
            maintype="text",
            subtype="calendar",
            filename="rendez-vous.ics",
            params={"method": payload["ics_method"]},
        )
    message["Content-Language"] = "fr"  # after the body: set_content() drops Content-* headers
    return message


def _response_failure(code: int, text: str) -> TemporaryFailure | PermanentFailure:
    reason = f"SMTP {code} {text}".strip()
    return PermanentFailure(reason) if 500 <= code < 600 else TemporaryFailure(reason)


class Mailer:
    """Sends through up to ``smtp_pool_size`` reused connections; reconnects after any failure."""

    def __init__(self, settings: NotifySettings) -> None:
        self._settings = settings
        self._idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        self._slots = asyncio.Semaphore(settings.smtp_pool_size)

    def _client(self) -> aiosmtplib.SMTP:
        s = self._settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username or None,
            password=s.smtp_password or None,
            use_tls=s.smtp_use_tls,
            start_tls=s.smtp_start_tls if s.smtp_start_tls else False,
            timeout=s.smtp_timeout_s,
        )

    async def send(self, message: EmailMessage) -> None:
        async with self._slots:
            reused = not self._idle.empty()
            client = self._idle.get_nowait() if reused else self._client()
            try:
                await self._send(client, message)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:  # a fresh connection dropped: the server is in trouble
                    raise TemporaryFailure("SMTP : connexion coupée par le serveur") from None
                client = self._client()  # the server had closed an idle connection: once more
                try:
                    await self._send(client, message)
                except aiosmtplib.SMTPServerDisconnected:
                    raise TemporaryFailure("SMTP : connexion coupée par le serveur") from None
            self._idle.put_nowait(client)

    async def _send(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        try:
            if not client.is_connected:
                await client.connect()
            # Flattened here: aiosmtplib's own flattening would fold headers with the default policy.
            await client.sendmail(
                email.utils.parseaddr(message["From"])[1], [message["To"]], message.as_bytes(policy=_POLICY)
            )
        except aiosmtplib.SMTPServerDisconnected:
            self._discard(client)
            raise
        except aiosmtplib.SMTPRecipientsRefused as exc:
            self._discard(client)
            refusal = exc.recipients[0]
            raise _response_failure(refusal.code, refusal.message) from exc
        except aiosmtplib.SMTPResponseException as exc:
            self._discard(client)
            raise _response_failure(exc.code, exc.message) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            self._discard(client)
            raise TemporaryFailure(f"SMTP injoignable : {type(exc).__name__}") from exc

    @staticmethod
    def _discard(client: aiosmtplib.SMTP) -> None:
        with contextlib.suppress(Exception):
            client.close()

    async def aclose(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            with contextlib.suppress(Exception):
                await client.quit()
