"""The door of the public API (``/v1/...``): partner key, CORS for the key's origins, rate limits.

- ``X-Api-Key`` present: it must be active (401 otherwise); a browser call (``Origin``) must come from
  one of the key's origins or from the gateway's own (403 otherwise); one IP's ceiling with that key
  (``GATEWAY_KEY_PER_IP_PER_MINUTE``: a key is publishable, a copied one must not starve the partner's
  citizens), then the key's per-minute and per-day quotas apply. These 401 and 403 answers carry a
  CORS grant for the calling origin, so that the partner's page can read why it is refused (they hold
  nothing but that reason).
- No key: per-IP limits for anonymous calls; CORS only for the configured first-party origins.
- A CORS preflight carries no key: it is granted when some active key (or the first-party list) allows
  the origin; the real call that follows is then checked against its own key.
Answers 429 problem+json with ``Retry-After`` and ``RateLimit-*`` headers when over quota.
"""

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fs_common.errors import problem_response
from gateway.access.ratelimit import Limiter, Verdict, per_day, per_minute
from gateway.config import GatewaySettings
from gateway.partners import service as keys

ALLOWED_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
ALLOWED_HEADERS = {"x-api-key", "content-type", "authorization", "idempotency-key", "x-request-id", "accept"}
EXPOSED_HEADERS = (
    "X-Request-ID, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy"
)


def _cors_headers(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": EXPOSED_HEADERS,
        "Vary": "Origin",
    }


class AccessMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1/"):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        settings: GatewaySettings = state.settings
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self._preflight(scope, receive, send, origin, headers)
            return
        api_key = headers.get("x-api-key")
        cors: dict[str, str] = {}
        refusal_cors = _cors_headers(origin) if origin else {}
        if api_key:
            info = await keys.lookup(
                sessionmaker=state.sessionmaker,
                cache=state.redis,
                prefix=settings.redis_prefix,
                key=api_key,
                ttl_s=settings.key_cache_s,
            )
            if info is None:
                detail = "Clé d'API inconnue ou révoquée."
                await self._problem(scope, receive, send, 401, detail, refusal_cors)
                return
            if origin and origin.lower() not in info.origins and not _same_origin(scope, headers, origin):
                detail = "Cette clé d'API n'est pas autorisée depuis ce site (origine non déclarée)."
                await self._problem(scope, receive, send, 403, detail, refusal_cors)
                return
            # A key is publishable (it sits in the partner's page): one IP has its own ceiling, checked
            # and counted first, so that a script hammering with a copied key is refused without using up
            # the quota of the partner's citizens.
            ceiling = await state.limiter.hit(
                [(per_minute(settings.key_per_ip_per_minute), f"key:{info.id}:ip:{_client_ip(scope)}")]
            )
            if not ceiling.allowed:
                detail = "Trop de requêtes depuis cette adresse IP. Réessayez après le délai (Retry-After)."
                await self._problem(scope, receive, send, 429, detail, ceiling.headers() | refusal_cors)
                return
            identity = f"key:{info.id}"
            quotas = [(per_minute(info.per_minute), identity), (per_day(info.per_day), identity)]
        else:
            identity = f"ip:{_client_ip(scope)}"
            quotas = [
                (per_minute(settings.anonymous_per_minute), identity),
                (per_day(settings.anonymous_per_day), identity),
            ]
        if origin and (api_key or origin.lower() in settings.public_origins):
            cors = _cors_headers(origin)
        limiter: Limiter = state.limiter
        verdict = await limiter.hit(quotas)
        if not verdict.allowed:
            detail = "Trop de requêtes : quota dépassé. Réessayez après le délai indiqué (Retry-After)."
            await self._problem(scope, receive, send, 429, detail, verdict.headers() | cors)
            return
        await self.app(scope, receive, _adding(send, verdict, cors))

    async def _preflight(
        self, scope: Scope, receive: Receive, send: Send, origin: str | None, headers: Headers
    ) -> None:
        state = scope["app"].state
        settings: GatewaySettings = state.settings
        allowed = origin is not None and (
            origin.lower() in settings.public_origins
            or await keys.origin_has_a_key(
                sessionmaker=state.sessionmaker,
                cache=state.redis,
                prefix=settings.redis_prefix,
                origin=origin.lower(),
                ttl_s=60,
            )
        )
        if origin is None or not allowed:
            detail = "Origine non autorisée à appeler cette API depuis un navigateur."
            await self._problem(scope, receive, send, 403, detail, {})
            return
        requested = {
            h.strip().lower()
            for h in headers.get("access-control-request-headers", "").split(",")
            if h.strip()
        }
        response_headers = _cors_headers(origin) | {
            "Access-Control-Allow-Methods": ALLOWED_METHODS,
            "Access-Control-Allow-Headers": ", ".join(sorted(requested & ALLOWED_HEADERS)),
            "Access-Control-Max-Age": "600",
        }
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [(k.lower().encode(), v.encode()) for k, v in response_headers.items()],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _problem(
        self, scope: Scope, receive: Receive, send: Send, status: int, detail: str, headers: dict[str, str]
    ) -> None:
        slugs = {401: "invalid-api-key", 403: "origin-not-allowed", 429: "too-many-requests"}
        response = problem_response(
            status, detail, type_slug=slugs.get(status), instance=scope["path"], headers=headers
        )
        await response(scope, receive, send)


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


def _same_origin(scope: Scope, headers: Headers, origin: str) -> bool:
    """A page served by the gateway itself (the widget's demo) calling it: not a cross-origin call."""
    host = headers.get("host")
    return host is not None and origin.lower() == f"{scope.get('scheme', 'http')}://{host}".lower()


def _adding(send: Send, verdict: Verdict, cors: dict[str, str]) -> Send:
    extra = [(k.lower().encode(), v.encode()) for k, v in (verdict.headers() | cors).items()]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = list(message.get("headers", [])) + extra
        await send(message)

    return wrapped
