"""E-mail over SMTP (aiosmtplib) with a small pool of open connections."""

import asyncio
import contextlib
import email.policy
import email.utils
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import Any

import aiosmtplib

from notify.channels import PermanentFailure, TemporaryFailure
from notify.config import NotifySettings

# The compat32 API: the same MIME as ``EmailMessage`` at an eighth of the CPU cost.
_POLICY = email.policy.compat32.clone(linesep="\r\n")


def build_message(payload: dict[str, Any], *, recipient: str, sender: str, message_id: str) -> bytes:
    """Text and HTML alternatives, plus the calendar file when there is one, as RFC 5322 bytes.

    The ``Message-ID`` is derived from the delivery id, the same on every attempt.
    """
    alternatives = MIMEMultipart("alternative")
    alternatives.attach(MIMEText(payload["text"], "plain", "utf-8"))
    alternatives.attach(MIMEText(payload["html"], "html", "utf-8"))
    if payload.get("ics"):
        message = MIMEMultipart("mixed")
        message.attach(alternatives)
        calendar = MIMEText(payload["ics"], "calendar", "utf-8")
        calendar.set_param("method", payload["ics_method"])
        calendar.add_header("Content-Disposition", "attachment", filename="rendez-vous.ics")
        message.attach(calendar)
    else:
        message = alternatives
    message["From"] = email.utils.formataddr(email.utils.parseaddr(sender), "utf-8")
    message["To"] = recipient
    message["Subject"] = Header(payload["subject"], "utf-8")  # type: ignore[assignment]
    message["Date"] = email.utils.formatdate()
    message["Message-ID"] = message_id
    message["Content-Language"] = "fr"
    message["Auto-Submitted"] = "auto-generated"
    return message.as_bytes(policy=_POLICY)


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

    async def send(self, *, sender: str, recipient: str, message: bytes) -> None:
        async with self._slots:
            reused = not self._idle.empty()
            client = self._idle.get_nowait() if reused else self._client()
            try:
                await self._send(client, sender, recipient, message)
            except aiosmtplib.SMTPServerDisconnected:
                if not reused:  # a fresh connection dropped: the server is in trouble
                    raise TemporaryFailure("SMTP : connexion coupée par le serveur") from None
                client = self._client()  # the server had closed an idle connection: once more
                try:
                    await self._send(client, sender, recipient, message)
                except aiosmtplib.SMTPServerDisconnected:
                    raise TemporaryFailure("SMTP : connexion coupée par le serveur") from None
            self._idle.put_nowait(client)

    async def _send(self, client: aiosmtplib.SMTP, sender: str, recipient: str, message: bytes) -> None:
        try:
            if not client.is_connected:
                await client.connect()
            await client.sendmail(sender, [recipient], message)
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
