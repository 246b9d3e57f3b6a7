"""An external OpenID Connect provider in place of the built-in login.

The agent signs in at the provider (authorization code flow, done by the front end); the front end then
posts the provider's ID token to ``POST /v1/auth/oidc/token``. The gateway verifies it against the
provider's keys (``fs_common.jwks``: the JWKS its discovery document names, cached, refetched on an
unknown ``kid`` at most once a minute: made-up ``kid``s cannot make us hammer the provider), checks issuer,
audience (our client id), ``azp`` (our client id when present, required when several audiences), the
``nonce`` when the front end sends the one it gave the provider, and expiry; maps the claims to a role
and sites, and answers with its own agent token, so that the services keep verifying one kind of token.

Mapping: the claims named by ``GATEWAY_OIDC_ROLE_CLAIM`` and ``GATEWAY_OIDC_SITES_CLAIM`` when the
provider sends them; otherwise the agent account with the same verified e-mail (created with
``gateway create-agent`` and no password) gives role and sites. Either way, an agent account with
that e-mail that has been deactivated (``gateway deactivate-agent``) is refused.
"""

import hmac
from typing import Any

import httpx
import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from fs_common.agent_auth import Role
from fs_common.errors import BadGateway, Forbidden, Unauthorized
from fs_common.jwks import JwksClient, JwksUnavailable, UnknownKey
from gateway.agents import repository
from gateway.agents.service import normalise_email

_ALGORITHMS = ["RS256", "ES256", "EdDSA", "PS256"]


class OidcProvider:
    def __init__(
        self, http: httpx.AsyncClient, *, issuer: str, client_id: str, role_claim: str, sites_claim: str
    ) -> None:
        self.http = http
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.role_claim = role_claim
        self.sites_claim = sites_claim
        self._jwks = JwksClient(discovery_url=f"{self.issuer}/.well-known/openid-configuration", http=http)

    async def verify(self, id_token: str, nonce: str | None = None) -> dict[str, Any]:
        try:
            key = await self._jwks.key_for(id_token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Jeton d'identité invalide.") from exc
        except UnknownKey as exc:
            raise Unauthorized("Jeton d'identité signé par une clé inconnue.") from exc
        except JwksUnavailable as exc:
            raise BadGateway("Le fournisseur d'identité ne répond pas correctement.") from exc
        try:
            claims = jwt.decode(
                id_token,
                key,
                algorithms=_ALGORITHMS,
                audience=self.client_id,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Jeton d'identité expiré : reconnectez-vous.") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Jeton d'identité invalide.") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        azp = claims.get("azp")
        if (azp is not None or len(audiences) > 1) and azp != self.client_id:
            raise Unauthorized("Jeton d'identité émis pour une autre application (azp).")
        if nonce is not None:
            sent = claims.get("nonce")
            if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), nonce.encode()):
                raise Unauthorized("Jeton d'identité invalide : nonce différent de celui de la connexion.")
        return claims

    async def identity(self, session: AsyncSession, claims: dict[str, Any]) -> tuple[str, Role, list[int]]:
        """(subject, role, sites) of a verified ID token."""
        email = claims.get("email")
        agent = (
            await repository.get_by_email(session, normalise_email(email)) if isinstance(email, str) else None
        )
        if agent is not None and not agent.active:
            raise Forbidden("Ce compte d'agent est désactivé.")
        if self.role_claim in claims:
            try:
                role = Role(claims[self.role_claim])
                sites = [int(s) for s in claims.get(self.sites_claim, [])]
            except (ValueError, TypeError) as exc:
                raise Forbidden("Rôle ou sites non reconnus dans le jeton d'identité.") from exc
            return f"oidc:{claims['sub']}", role, sites
        if agent is not None and claims.get("email_verified") is True:
            return str(agent.id), Role(agent.role), agent.sites
        raise Forbidden("Aucun compte d'agent ne correspond à cette identité.")
