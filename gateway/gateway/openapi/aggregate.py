"""One OpenAPI document for the whole public API: the gateway's own routes plus, from each service's
``/openapi.json``, the paths the gateway routes to it. Fetched on demand and cached; a service that does
not answer is listed in ``x-unavailable-services`` and fetched again after a short delay.

Schema names that two services use for different shapes are prefixed with the service's name
(``BookingSlotOut``), and that service's references rewritten accordingly.
"""

import asyncio
import copy
import time
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from fs_common.errors import AppError, document_problems
from gateway.proxy.routes import SERVICES, service_for
from gateway.proxy.upstream import Upstream

_RETRY_INCOMPLETE_S = 10.0
# What the gateway itself may answer on any operation: a header it cannot forward (400), a partner key
# refused (401) or used from an undeclared origin (403), the request guard (404, 413, 414, 431), a quota
# (429), a service unreachable, slow or answering unexpectedly (502, 503, 504).
GATEWAY_STATUSES = (400, 401, 403, 404, 413, 414, 422, 429, 431, 502, 503, 504)
_PRIVATE_PREFIXES = ("/admin", "/metrics")
_REF = "#/components/schemas/"

DESCRIPTION = """\
L'API publique de France Services : trouver une France Services ou un arrêt de bus France Services,
voir ses horaires et ses créneaux libres, prendre et gérer un rendez-vous.

**Partenaires** : envoyez votre clé dans l'en-tête `X-Api-Key`. Chaque clé a ses quotas (par minute et
par jour) et ses origines autorisées (CORS). Sans clé, les appels sont limités par adresse IP. Au-delà
d'un quota : 429 avec `Retry-After`; chaque réponse porte `RateLimit-Limit`, `RateLimit-Remaining`,
`RateLimit-Reset`.

**Agents** : `POST /v1/auth/login` (ou l'échange d'un jeton OpenID Connect) donne un jeton court
(JWT EdDSA) à envoyer en `Authorization: Bearer` sur `/v1/agent/...`. Clés publiques :
`/.well-known/jwks.json`.

**Erreurs** : toujours `application/problem+json` (RFC 9457). Un service indisponible donne 503 ou 504
avec `Retry-After`. Chaque réponse porte un `X-Request-ID` (le vôtre s'il est bien formé).
"""


def _rename_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            k: (
                _REF + renames.get(v[len(_REF) :], v[len(_REF) :])
                if k == "$ref" and isinstance(v, str) and v.startswith(_REF)
                else _rename_refs(v, renames)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(v, renames) for v in node]
    return node


def merge(own: dict[str, Any], services: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The gateway's document with the routed paths and the schemas of each service's document."""
    document = copy.deepcopy(own)
    paths: dict[str, Any] = document.setdefault("paths", {})
    schemas: dict[str, Any] = document.setdefault("components", {}).setdefault("schemas", {})
    tags = {t["name"]: t for t in document.get("tags", [])}
    for name, spec in services.items():
        their_schemas = spec.get("components", {}).get("schemas", {})
        renames = {
            schema: f"{name.capitalize()}{schema}"
            for schema, body in their_schemas.items()
            if schema in schemas and schemas[schema] != body
        }
        spec = _rename_refs(spec, renames)
        for schema, body in spec.get("components", {}).get("schemas", {}).items():
            schemas.setdefault(renames.get(schema, schema), body)
        for path, item in spec.get("paths", {}).items():
            if service_for(path) == name:
                paths[path] = item
        for tag in spec.get("tags", []):
            tags.setdefault(tag["name"], tag)
    if tags:
        document["tags"] = list(tags.values())
    for path in [p for p in paths if p.startswith(_PRIVATE_PREFIXES)]:
        del paths[path]
    return document_problems(document, GATEWAY_STATUSES)


class OpenApiAggregator:
    def __init__(self, app: FastAPI, upstreams: dict[str, Upstream], cache_s: float, public_url: str) -> None:
        self.app = app
        self.upstreams = upstreams
        self.cache_s = cache_s
        self.public_url = public_url
        self._document: dict[str, Any] | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    def _own(self) -> dict[str, Any]:
        document = get_openapi(
            title=self.app.title, version=self.app.version, description=DESCRIPTION, routes=self.app.routes
        )
        document["servers"] = [{"url": self.public_url}]
        document.setdefault("components", {})["securitySchemes"] = {
            "partnerKey": {"type": "apiKey", "in": "header", "name": "X-Api-Key"},
            "agentToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
        }
        return document

    async def _fetch(self, name: str) -> dict[str, Any] | None:
        try:
            status, body = await self.upstreams[name].get_json("/openapi.json")
        except AppError:
            return None
        return body if status == 200 and isinstance(body, dict) else None

    async def document(self) -> dict[str, Any]:
        async with self._lock:
            if self._document is not None and time.monotonic() < self._expires:
                return self._document
            fetched = await asyncio.gather(*(self._fetch(name) for name in SERVICES))
            services = {name: spec for name, spec in zip(SERVICES, fetched, strict=True) if spec is not None}
            document = merge(self._own(), services)
            missing = [name for name in SERVICES if name not in services]
            if missing:
                document["x-unavailable-services"] = missing
            self._document = document
            self._expires = time.monotonic() + (_RETRY_INCOMPLETE_S if missing else self.cache_s)
            return document
