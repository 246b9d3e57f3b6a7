"""Partner webhooks: the event as JSON, signed with HMAC-SHA256.

Headers: ``X-FS-Event`` (type), ``X-FS-Delivery`` (id, the same on every attempt), ``X-FS-Timestamp``
(Unix seconds of this attempt) and ``X-FS-Signature: sha256=<hex>``, the HMAC-SHA256 with the
partner's secret of ``"{timestamp}.{body}"`` (body as sent, bytes). A partner recomputes it, compares in
constant time and rejects timestamps more than five minutes old.
"""

import hashlib
import hmac
import time

import httpx

from notify.channels import TemporaryFailure
from notify.channels.sms import classify

SIGNATURE_HEADER = "X-FS-Signature"
TIMESTAMP_HEADER = "X-FS-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


async def post_event(
    http: httpx.AsyncClient, *, url: str, secret: str, body: bytes, event_type: str, delivery_id: str
) -> None:
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "FranceServices-Notify/1.0",
        "X-FS-Event": event_type,
        "X-FS-Delivery": delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    try:
        response = await http.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"partenaire injoignable : {type(exc).__name__}") from exc
    classify(response, "partenaire")
