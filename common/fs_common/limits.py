"""The request guard every service puts in front of its routes: sizes bounded, paths that mean one thing.

Refused before any route runs, each as problem+json:
- a path that is not plain: dot segments (``.``/``..``, encoded or not), encoded slashes or backslashes,
  empty segments (``//``), invalid UTF-8, control or unassigned characters → 404 (no such resource);
- a URL (path and query) longer than ``max_url_bytes`` → 414;
- headers longer than ``max_header_bytes`` in all → 431; with ``ascii_headers``, a header value holding
  anything but visible ASCII → 400 (the gateway, which must re-encode what it forwards);
- a body announced (``Content-Length``) or streamed beyond ``max_body_bytes`` → 413, counted on the bytes
  received, so that a body without a length is cut off at the limit instead of being read whole.
"""

import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fs_common.errors import problem_response

BODY_TOO_LARGE = "Le corps de la requête est trop volumineux ({limit} octets au plus)."


@dataclass(frozen=True)
class RequestLimits:
    max_body_bytes: int = 64 * 1024
    max_header_bytes: int = 8 * 1024
    max_url_bytes: int = 4 * 1024
    ascii_headers: bool = False


def plain_path(raw_path: bytes) -> bool:
    """True when the path names one resource, the same for every reader (us, a proxy, a service)."""
    lowered = raw_path.lower()
    if not raw_path.startswith(b"/") or b"%2f" in lowered or b"%5c" in lowered or b"\\" in raw_path:
        return False
    try:
        path = unquote_to_bytes(raw_path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    if any(unicodedata.category(char)[0] == "C" for char in path):
        return False
    segments = path.split("/")[1:]
    last = len(segments) - 1
    return not any(s in (".", "..") or (s == "" and i < last) for i, s in enumerate(segments))


def _visible_ascii(value: bytes) -> bool:
    return all(byte == 9 or 32 <= byte <= 126 for byte in value)


class RequestGuardMiddleware:
    def __init__(self, app: ASGIApp, limits: RequestLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        query: bytes = scope.get("query_string", b"")
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        refusal: tuple[int, str] | None = None
        if len(raw_path) + len(query) > limits.max_url_bytes:
            refusal = 414, f"L'adresse est trop longue ({limits.max_url_bytes} octets au plus)."
        elif not plain_path(raw_path):
            refusal = 404, "Aucune ressource à cette adresse."
        elif sum(len(name) + len(value) for name, value in headers) > limits.max_header_bytes:
            refusal = 431, f"Les en-têtes sont trop volumineux ({limits.max_header_bytes} octets au plus)."
        elif limits.ascii_headers and (bad := next((n for n, v in headers if not _visible_ascii(v)), None)):
            name = bad.decode("ascii", "replace")
            refusal = 400, f"L'en-tête {name} contient des caractères non ASCII : encodez-le ou retirez-le."
        else:
            length = next((v for n, v in headers if n == b"content-length"), None)
            if length is not None and length.isdigit() and int(length) > limits.max_body_bytes:
                refusal = 413, BODY_TOO_LARGE.format(limit=limits.max_body_bytes)
        if refusal is not None:
            status, detail = refusal
            await problem_response(status, detail)(scope, receive, send)
            return
        await self.app(scope, _bounded(receive, limits.max_body_bytes), send)


def _bounded(receive: Receive, limit: int) -> Receive:
    """``receive`` that counts the body's bytes and stops at ``limit``: the route reading the body gets a
    413 (an ``HTTPException``, which FastAPI lets through to the problem+json handler)."""
    received = 0

    async def bounded() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, BODY_TOO_LARGE.format(limit=limit))
        return message

    return bounded
