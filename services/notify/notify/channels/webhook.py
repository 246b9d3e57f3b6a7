"""Partner webhooks: the event as JSON, signed with HMAC-SHA256.

Headers: ``X-FS-Event`` (type), ``X-FS-Delivery`` (id, the same on every attempt), ``X-FS-Timestamp``
(Unix seconds of this attempt) and ``X-FS-Signature: sha256=<hex>``, the HMAC-SHA256 with the
partner's secret of ``"{timestamp}.{body}"`` (body as sent, bytes). A partner recomputes it, compares in
constant time and rejects timestamps more than five minutes old.

The target is checked again before each attempt (``notify.webhooks.targets``) and the request goes to
the address that was checked, never to a second DNS answer; a redirect is a failure, never followed.
"""

import hashlib
import hmac
import time

import httpx

from notify.channels import PermanentFailure, TemporaryFailure
from notify.channels.sms import classify
from notify.webhooks.targets import TargetPolicy, TargetRefused, check

SIGNATURE_HEADER = "X-FS-Signature"
TIMESTAMP_HEADER = "X-FS-Timestamp"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


async def post_event(
    http: httpx.AsyncClient,
    *,
    url: str,
    policy: TargetPolicy,
    secret: str,
    body: bytes,
    event_type: str,
    delivery_id: str,
) -> None:
    try:
        target = await check(url, policy)
    except TargetRefused as exc:
        raise PermanentFailure(str(exc)) from exc
    timestamp = str(int(time.time()))
    headers = {
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": "FranceServices-Notify/1.0",
        "X-FS-Event": event_type,
        "X-FS-Delivery": delivery_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    # TLS: the name of the URL for SNI and the certificate check, while the socket goes to the address.
    extensions = {"sni_hostname": target.host} if target.url.scheme == "https" else {}
    try:
        request = http.build_request(
            "POST", target.connect_url, content=body, headers=headers, extensions=extensions
        )
        response = await http.send(request, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise TemporaryFailure(f"partenaire injoignable : {type(exc).__name__}") from exc
    if response.is_redirect or 300 <= response.status_code < 400:
        raise PermanentFailure(f"partenaire : redirection HTTP {response.status_code} refusée")
    classify(response, "partenaire")
