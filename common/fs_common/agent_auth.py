"""Agent tokens: short-lived JWTs issued by the gateway, verified by every service that serves agent data.

Contract (see ARCHITECTURE.md): asymmetric signature (EdDSA or RS256/ES256), issuer
``france-services-gateway``, audience ``france-services``, claims ``sub`` (agent id), ``role``
(``agent``, ``site_admin`` or ``national_admin``), ``sites`` (list of site ids, the national ``id_fs``)
and ``exp``. A service gets the public keys either from the gateway's JWKS URL or from a PEM given in
its settings.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

import jwt
from fastapi import Depends, Request

from fs_common.errors import Forbidden, Unauthorized

ISSUER = "france-services-gateway"
AUDIENCE = "france-services"
ALGORITHMS = ["EdDSA", "RS256", "ES256"]


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
    """Verifies agent tokens with a static public key (PEM) or the keys of a JWKS URL."""

    def __init__(self, *, public_key_pem: str = "", jwks_url: str = "") -> None:
        self._public_key_pem = public_key_pem
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None

    def verify(self, token: str) -> Agent:
        try:
            if self._jwks is not None:
                key = self._jwks.get_signing_key_from_jwt(token).key
            elif self._public_key_pem:
                key = self._public_key_pem
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
            raise Unauthorized("Votre session a expiré : reconnectez-vous.") from exc
        except (jwt.PyJWTError, KeyError, ValueError, TypeError) as exc:
            raise Unauthorized("Jeton d'authentification invalide.") from exc
        return Agent(id=str(claims["sub"]), role=role, sites=sites)


def current_agent(request: Request) -> Agent:
    """FastAPI dependency: the agent of the ``Authorization: Bearer`` token (``app.state.token_verifier``)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "Authentification requise : jeton d'agent absent.", headers={"WWW-Authenticate": "Bearer"}
        )
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(token.strip())


CurrentAgent = Annotated[Agent, Depends(current_agent)]
