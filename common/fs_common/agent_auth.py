"""Agent tokens: short-lived JWTs issued by the gateway, verified by every service that serves agent data.

Contract between the gateway and every service: asymmetric signature (EdDSA or RS256/ES256), issuer
``france-services-gateway``, audience ``france-services``, claims ``sub`` (agent id), ``role``
(``agent``, ``site_admin`` or ``national_admin``), ``sites`` (list of site ids, the national ``id_fs``)
and ``exp``. A service gets the public keys either from the gateway's JWKS URL or from a PEM given in
its settings.
"""

import hmac
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from fs_common.errors import Forbidden, ServiceUnavailable, Unauthorized
from fs_common.jwks import JwksClient, JwksUnavailable, UnknownKey

ISSUER = "france-services-gateway"
AUDIENCE = "france-services"
ALGORITHMS = ["EdDSA", "RS256", "ES256"]


# RFC 6750 §3: a refused bearer token says why in WWW-Authenticate.
_INVALID_TOKEN = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


class Role(StrEnum):
    agent = "agent"
    site_admin = "site_admin"
    national_admin = "national_admin"


@dataclass(frozen=True)
class Agent:
    id: str
    role: Role
    sites: frozenset[int]

    def can_access_site(self, site_id: int) -> bool:
        return self.role == Role.national_admin or site_id in self.sites

    def require_site(self, site_id: int) -> None:
        if not self.can_access_site(site_id):
            raise Forbidden("Vous n'êtes pas habilité(e) pour cette France Services.")


class TokenVerifier:
    """Verifies agent tokens with a static public key (PEM, preferred when given) or the keys of a JWKS
    URL (``fs_common.jwks``: cached for ``jwks_cache_s``, a new ``kid`` triggers a refresh)."""

    def __init__(self, *, public_key_pem: str = "", jwks_url: str = "", jwks_cache_s: float = 300.0) -> None:
        self._public_key_pem = public_key_pem
        self._jwks = JwksClient(jwks_url, cache_s=jwks_cache_s) if jwks_url and not public_key_pem else None

    async def _jwks_key(self, jwks: JwksClient, token: str) -> Any:
        try:
            return (await jwks.key_for(token)).key
        except UnknownKey as exc:
            raise jwt.InvalidKeyError("no single key of the JWKS matches the token") from exc
        except JwksUnavailable as exc:
            raise ServiceUnavailable(
                "La vérification des accès agents est momentanément indisponible ; réessayez.",
                headers={"Retry-After": "5"},
            ) from exc

    async def verify(self, token: str) -> Agent:
        try:
            if self._public_key_pem:
                key = self._public_key_pem
            elif self._jwks is not None:
                key = await self._jwks_key(self._jwks, token)
            else:
                raise Unauthorized("L'authentification des agents n'est pas configurée sur ce service.")
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=AUDIENCE,
                issuer=ISSUER,
                options={"require": ["exp", "sub", "iss", "aud"]},
            )
            role = Role(claims["role"])
            sites = frozenset(int(s) for s in claims.get("sites", []))
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Votre session a expiré : reconnectez-vous.", headers=_INVALID_TOKEN) from exc
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise Unauthorized("Jeton d'authentification invalide.", headers=_INVALID_TOKEN) from exc
        return Agent(id=str(claims["sub"]), role=role, sites=sites)


def bearer_token(request: Request) -> str:
    """The token of ``Authorization: Bearer <token>``; 401 when absent or given with another scheme."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "Authentification requise : en-tête « Authorization: Bearer <jeton> ».",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token.strip()


async def current_agent(request: Request) -> Agent:
    """FastAPI dependency: the agent of the ``Authorization: Bearer`` token (``app.state.token_verifier``)."""
    verifier: TokenVerifier = request.app.state.token_verifier
    return await verifier.verify(bearer_token(request))


CurrentAgent = Annotated[Agent, Depends(current_agent)]

STATIC_ADMIN = "admin-token"
NATIONAL_ADMINS_ONLY = "Réservé aux administrateurs nationaux."


async def admin_caller(
    request: Request,
    *,
    roles: frozenset[Role] = frozenset({Role.national_admin}),
    site_id: int | None = None,
    refusal: str = NATIONAL_ADMINS_ONLY,
) -> str:
    """Who calls an admin endpoint, for the audit: ``admin-token`` (the service's static
    ``admin_token`` setting, for scripts; disabled when empty) or ``agent:<id>``, an agent whose role is
    one of ``roles`` (and who may act on ``site_id`` when given). 401 without a Bearer token or with an
    invalid one, 403 for another role or site."""
    token = bearer_token(request)
    static: str = getattr(request.app.state.settings, "admin_token", "")
    if static and hmac.compare_digest(token.encode(), static.encode()):
        return STATIC_ADMIN
    verifier: TokenVerifier = request.app.state.token_verifier
    agent = await verifier.verify(token)
    if agent.role not in roles or (site_id is not None and not agent.can_access_site(site_id)):
        raise Forbidden(refusal)
    return f"agent:{agent.id}"


async def national_admin(request: Request) -> str:
    """FastAPI dependency: a national admin, or the static admin token."""
    return await admin_caller(request)


NationalAdmin = Annotated[str, Depends(national_admin)]
