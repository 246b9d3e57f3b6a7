"""Booking events: the contract between booking (producer) and notify (consumer).

Booking writes each event to its outbox in the same transaction as the change; a relay publishes it to
the Redis Stream ``booking.events`` as one field ``event`` holding this model's JSON, with the personal
part (the contact and the manage link) sealed by :class:`EventKeys` (version 2). Delivery is at least
once: consumers deduplicate on ``id``. A change of shape bumps ``version``.
"""

import base64
import binascii
import datetime as dt
import json
import os
import re
import secrets
import uuid
from enum import StrEnum
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import BaseModel, Field

STREAM = "booking.events"
EVENT_FIELD = "event"


class BookingEventType(StrEnum):
    created = "booking.created"
    cancelled = "booking.cancelled"
    rescheduled = "booking.rescheduled"
    status_changed = "booking.status_changed"


class DemarcheRef(BaseModel):
    code: str
    label: str
    partner: str
    documents: list[str] = Field(default_factory=list, description="Pièces à apporter")


class Contact(BaseModel):
    """Only what notify needs to reach the person; never logged."""

    name: str
    email: str | None = None
    phone: str | None = None
    consent_contact: bool = False


class Place(BaseModel):
    site_id: int
    stop_id: int | None = None
    name: str
    address: str
    timezone: str = Field(examples=["Europe/Paris"])
    opening_hours_text: str | None = Field(default=None, description="Horaires en clair, en français")


class BookingSnapshot(BaseModel):
    booking_id: uuid.UUID
    status: str = Field(
        examples=["confirmed", "cancelled", "honoured", "no_show", "excused", "cancelled_by_site"]
    )
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: Place
    demarches: list[DemarcheRef]
    contact: Contact
    manage_url: str | None = Field(
        default=None,
        description="Lien de gestion (jeton en clair) ; présent à la création et au report seulement",
    )
    cancelled_by: str | None = Field(default=None, description="person ou site")
    previous_starts_at: dt.datetime | None = None


class BookingEvent(BaseModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: BookingEventType
    version: int = Field(default=2, description="2: the contact and the manage link travel sealed")
    occurred_at: dt.datetime
    booking: BookingSnapshot


# --- the personal part, sealed -------------------------------------------------------------------
# In the outbox and the stream, the contact and the manage link travel encrypted (AES-256-GCM) with a
# key that booking and notify share; ``kid`` names the key so that keys can rotate: the first key of
# the setting encrypts, every listed key decrypts. The event's id and type are authenticated with it
# (a sealed part cannot be moved to another event), so an event that does not open is refused whole.

KEY_BYTES = 32
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class EventKeyError(ValueError):
    """The key setting is malformed."""


class SealedEventError(ValueError):
    """An event that cannot be opened: no sealed part, an unknown key id, or tampered data."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_key_line(kid: str | None = None) -> str:
    """``kid:key`` with a fresh random 256-bit key, as the setting and the key file hold them."""
    return f"{kid or dt.datetime.now(dt.UTC).strftime('k%Y%m%d')}:{_b64(secrets.token_bytes(KEY_BYTES))}"


class EventKeys:
    """The shared keys by id; ``current`` encrypts."""

    def __init__(self, keys: dict[str, bytes], current: str) -> None:
        if current not in keys:
            raise EventKeyError("the current key is not among the keys")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.current = current

    @classmethod
    def parse(cls, value: str) -> "EventKeys":
        """``kid:base64url-key`` entries separated by commas or new lines; the first encrypts."""
        keys: dict[str, bytes] = {}
        for entry in re.split(r"[,\s]+", value.strip()):
            if not entry:
                continue
            kid, sep, encoded = entry.partition(":")
            if not sep or not _KID.match(kid):
                raise EventKeyError("each key is written kid:base64url-key (kid: letters, digits, . _ -)")
            try:
                key = _unb64(encoded)
            except (ValueError, binascii.Error) as exc:
                raise EventKeyError(f"key {kid}: not base64url") from exc
            if len(key) != KEY_BYTES:
                raise EventKeyError(f"key {kid}: {len(key)} bytes, 32 expected (AES-256)")
            keys.setdefault(kid, key)
        if not keys:
            raise EventKeyError("no event key")
        return cls(keys, next(iter(keys)))

    @classmethod
    def load(cls, value: str, key_file: str) -> "EventKeys":
        """The setting when given; otherwise the key file, created with one fresh key on first use (by
        whichever service starts first: the others read it)."""
        if value.strip():
            return cls.parse(value)
        path = Path(key_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            draft.write_text(new_key_line() + "\n", encoding="ascii")
            draft.chmod(0o600)
            try:
                os.link(draft, path)  # atomic: exactly one first writer wins
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        return cls.parse(path.read_text(encoding="ascii"))

    @staticmethod
    def _aad(event_id: str, event_type: str) -> bytes:
        return f"{event_id}|{event_type}".encode()

    def seal(self, event: BookingEvent) -> dict[str, Any]:
        """The event as the outbox and the stream hold it: everything but the contact and the manage
        link in clear (notify needs it to route and partners receive it), those two sealed."""
        body = event.model_dump(mode="json")
        booking = body["booking"]
        secret = {"contact": booking.pop("contact"), "manage_url": booking.pop("manage_url")}
        nonce = secrets.token_bytes(12)
        data = self._keys[self.current].encrypt(
            nonce, json.dumps(secret).encode(), self._aad(body["id"], body["type"])
        )
        body["sealed"] = {"kid": self.current, "nonce": _b64(nonce), "data": _b64(data)}
        return body

    def open(self, raw: bytes | str) -> BookingEvent:
        """The whole event from its stream form; :class:`SealedEventError` when it cannot be trusted."""
        try:
            body = json.loads(raw)
            sealed = body.pop("sealed")
            aead = self._keys.get(sealed["kid"])
            if aead is None:
                raise SealedEventError(f"unknown event key id {sealed['kid']!r}")
            secret = json.loads(
                aead.decrypt(
                    _unb64(sealed["nonce"]), _unb64(sealed["data"]), self._aad(body["id"], body["type"])
                )
            )
            body["booking"] |= secret
            return BookingEvent.model_validate(body)
        except SealedEventError:
            raise
        except (ValueError, KeyError, TypeError, InvalidTag, binascii.Error) as exc:
            raise SealedEventError(f"unreadable or tampered event ({type(exc).__name__})") from exc
