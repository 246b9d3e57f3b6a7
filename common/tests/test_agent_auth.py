"""Agent token verification: a static PEM key, or the keys of a JWKS served over HTTP."""

import datetime as dt
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI

from fs_common.agent_auth import AUDIENCE, ISSUER, Role, TokenVerifier
from fs_common.errors import ServiceUnavailable, Unauthorized
from fs_testkit.servers import http_server


def keypair(kid: str) -> tuple[Ed25519PrivateKey, dict, str]:
    private = Ed25519PrivateKey.generate()
    jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(private.public_key())) | {"kid": kid, "alg": "EdDSA"}
    pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, jwk, pem


def token(private: Ed25519PrivateKey, kid: str, *, sites=(12,), minutes: int = 5, role: str = "agent") -> str:
    now = dt.datetime.now(dt.UTC)
    claims = {"sub": "agent-1", "role": role, "sites": list(sites), "iss": ISSUER, "aud": AUDIENCE}
    claims |= {"iat": now, "exp": now + dt.timedelta(minutes=minutes)}
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid})


def jwks_app(keys: list[dict]) -> tuple[FastAPI, list[int]]:
    app, calls = FastAPI(), []

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict:
        calls.append(1)
        return {"keys": keys}

    return app, calls


async def test_jwks_keys_verify_and_a_new_kid_refreshes_them():
    first, first_jwk, _ = keypair("k1")
    second, second_jwk, _ = keypair("k2")
    keys = [first_jwk]
    app, calls = jwks_app(keys)
    async with http_server(app) as url:
        verifier = TokenVerifier(jwks_url=f"{url}/.well-known/jwks.json")
        agent = await verifier.verify(token(first, "k1", sites=(12, 34)))
        await verifier.verify(token(first, "k1"))
        assert len(calls) == 1  # cached
        keys.append(second_jwk)  # the gateway rotated its key
        assert (await verifier.verify(token(second, "k2", role="site_admin"))).role == Role.site_admin
        assert len(calls) == 2
    assert agent.id == "agent-1" and agent.sites == frozenset({12, 34}) and agent.can_access_site(34)
    assert not agent.can_access_site(56)


async def test_forged_and_expired_tokens_are_refused():
    private, jwk, pem = keypair("k1")
    forger, _, _ = keypair("k1")
    verifier = TokenVerifier(public_key_pem=pem, jwks_url="http://127.0.0.1:9/unused")
    assert (await verifier.verify(token(private, "k1"))).sites == frozenset({12})  # PEM wins, no fetch
    with pytest.raises(Unauthorized, match="invalide"):
        await verifier.verify(token(forger, "k1"))
    with pytest.raises(Unauthorized, match="expiré"):
        await verifier.verify(token(private, "k1", minutes=-1))
    with pytest.raises(Unauthorized):
        await verifier.verify("not-a-token")


async def test_an_unreachable_jwks_is_a_503_not_a_401():
    private, _, _ = keypair("k1")
    verifier = TokenVerifier(jwks_url="http://127.0.0.1:9/.well-known/jwks.json")
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(token(private, "k1"))
