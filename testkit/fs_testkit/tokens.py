"""Agent tokens as the gateway signs them (``fs_common.agent_auth``'s contract), for services under test
that trust a key of the test's own."""

import datetime as dt
import json
from collections.abc import Iterable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from fs_common.agent_auth import AUDIENCE, ISSUER


class AgentKey:
    """An Ed25519 key playing the gateway's: give the service ``public_pem`` (or ``jwk`` in a JWKS), then
    sign agents' tokens with ``token`` or ``headers``."""

    def __init__(self, kid: str = "test-1") -> None:
        self.private = Ed25519PrivateKey.generate()
        self.kid = kid

    @property
    def public_pem(self) -> str:
        return (
            self.private.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    @property
    def jwk(self) -> dict:
        public = jwt.algorithms.OKPAlgorithm.to_jwk(self.private.public_key())
        return json.loads(public) | {"kid": self.kid, "alg": "EdDSA"}

    def token(
        self,
        role: str = "agent",
        sites: Iterable[int] = (),
        *,
        sub: str = "agent-1",
        expires_in: dt.timedelta = dt.timedelta(minutes=5),
    ) -> str:
        now = dt.datetime.now(dt.UTC)
        claims: dict[str, object] = {"sub": sub, "role": role, "sites": list(sites), "iss": ISSUER}
        claims |= {"aud": AUDIENCE, "iat": now, "exp": now + expires_in}
        return jwt.encode(claims, self.private, algorithm="EdDSA", headers={"kid": self.kid})

    def headers(self, role: str = "agent", sites: Iterable[int] = (), **claims) -> dict[str, str]:
        """The Authorization header of ``token(role, sites, **claims)``."""
        return {"Authorization": f"Bearer {self.token(role, sites, **claims)}"}
