"""Agent token verification: a static PEM key, or the keys of a JWKS served over HTTP."""

import datetime as dt

import pytest
from fastapi import FastAPI

from fs_common.agent_auth import Role, TokenVerifier
from fs_common.errors import ServiceUnavailable, Unauthorized
from fs_testkit.servers import http_server
from fs_testkit.tokens import AgentKey


def token(key: AgentKey, *, sites=(12,), minutes: int = 5, role: str = "agent") -> str:
    return key.token(role, sites, expires_in=dt.timedelta(minutes=minutes))


def jwks_app(keys: list[dict]) -> tuple[FastAPI, list[int]]:
    app, calls = FastAPI(), []

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict:
        calls.append(1)
        return {"keys": keys}

    return app, calls


async def test_jwks_keys_verify_and_a_new_kid_refreshes_them():
    first, second = AgentKey("k1"), AgentKey("k2")
    keys = [first.jwk]
    app, calls = jwks_app(keys)
    async with http_server(app) as url:
        verifier = TokenVerifier(jwks_url=f"{url}/.well-known/jwks.json")
        agent = await verifier.verify(token(first, sites=(12, 34)))
        await verifier.verify(token(first))
        assert len(calls) == 1  # cached
        keys.append(second.jwk)  # the gateway rotated its key
        assert (await verifier.verify(token(second, role="site_admin"))).role == Role.site_admin
        assert len(calls) == 2
    assert agent.id == "agent-1" and agent.sites == frozenset({12, 34}) and agent.can_access_site(34)
    assert not agent.can_access_site(56)


async def test_made_up_kids_fetch_the_jwks_at_most_once_a_minute():
    known = AgentKey("k1")
    app, calls = jwks_app([known.jwk])
    async with http_server(app) as url:
        verifier = TokenVerifier(jwks_url=f"{url}/.well-known/jwks.json")
        await verifier.verify(token(known))
        for i in range(20):
            with pytest.raises(Unauthorized, match="invalide"):
                await verifier.verify(token(AgentKey(f"made-up-{i}")))
        assert len(calls) == 2  # the first unknown kid looked the keys up again, the others did not
        assert (await verifier.verify(token(known))).id == "agent-1"


async def test_forged_and_expired_tokens_are_refused():
    key, forger = AgentKey("k1"), AgentKey("k1")
    verifier = TokenVerifier(public_key_pem=key.public_pem, jwks_url="http://127.0.0.1:9/unused")
    assert (await verifier.verify(token(key))).sites == frozenset({12})  # PEM wins, no fetch
    with pytest.raises(Unauthorized, match="invalide"):
        await verifier.verify(token(forger))
    with pytest.raises(Unauthorized, match="expiré"):
        await verifier.verify(token(key, minutes=-1))
    with pytest.raises(Unauthorized):
        await verifier.verify("not-a-token")


async def test_an_unreachable_jwks_is_a_503_not_a_401():
    verifier = TokenVerifier(jwks_url="http://127.0.0.1:9/.well-known/jwks.json")
    with pytest.raises(ServiceUnavailable):
        await verifier.verify(token(AgentKey("k1")))
