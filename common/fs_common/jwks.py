"""The signing keys of whoever issues the tokens we verify (the gateway for agent tokens, an OpenID
Connect provider for ID tokens): one client, one cache.

The key set is fetched without blocking and kept for ``cache_s``. A token whose ``kid`` the cached set
does not hold (a rotated key) fetches it again at once, then at most once every ``refetch_every_s``: a
flood of made-up ``kid``s cannot make us hammer the keys' owner (a negative cache).
"""

import time

import httpx
import jwt


class JwksUnavailable(Exception):
    """The key set could not be fetched or read (the owner is down or answers nonsense)."""


class UnknownKey(LookupError):
    """No single key of the set matches the token's ``kid``."""


class JwksClient:
    """Keys of ``jwks_url``, or of the ``jwks_uri`` that ``discovery_url`` (an OpenID Connect discovery
    document) names. ``http``: the caller's client; else a short-lived one per fetch (``timeout_s``)."""

    def __init__(
        self,
        jwks_url: str = "",
        *,
        discovery_url: str = "",
        http: httpx.AsyncClient | None = None,
        cache_s: float = 300.0,
        refetch_every_s: float = 60.0,
        timeout_s: float = 3.0,
    ) -> None:
        self._jwks_url = jwks_url
        self._discovery_url = discovery_url
        self._http = http
        self._cache_s = cache_s
        self._refetch_every_s = refetch_every_s
        self._timeout_s = timeout_s
        self._keys: jwt.PyJWKSet | None = None
        self._fetched_at = 0.0
        self._refetched_at = -refetch_every_s  # when an unknown kid last fetched the set again

    async def key_for(self, token: str) -> jwt.PyJWK:
        """The key that signed ``token`` by its header's ``kid`` (the set's only key when it has none).
        Raises ``jwt.PyJWTError`` for an unreadable header, ``UnknownKey``, ``JwksUnavailable``."""
        kid = jwt.get_unverified_header(token).get("kid")
        now = time.monotonic()
        if self._keys is None or now - self._fetched_at >= self._cache_s:
            await self._fetch()
        key = self._match(kid)
        if key is None and now - self._refetched_at >= self._refetch_every_s:
            self._refetched_at = now
            await self._fetch()
            key = self._match(kid)
        if key is None:
            raise UnknownKey(kid)
        return key

    def _match(self, kid: str | None) -> jwt.PyJWK | None:
        keys = self._keys.keys if self._keys is not None else []
        matching = [k for k in keys if k.key_id == kid] if kid else keys
        return matching[0] if len(matching) == 1 else None

    async def _fetch(self) -> None:
        try:
            if self._http is not None:
                self._keys = await self._read(self._http)
            else:
                async with httpx.AsyncClient(timeout=self._timeout_s) as http:
                    self._keys = await self._read(http)
        except (httpx.HTTPError, KeyError, TypeError, ValueError, jwt.PyJWTError) as exc:
            raise JwksUnavailable(str(exc)) from exc
        self._fetched_at = time.monotonic()

    async def _read(self, http: httpx.AsyncClient) -> jwt.PyJWKSet:
        url = self._jwks_url
        if self._discovery_url:
            discovery = await http.get(self._discovery_url)
            discovery.raise_for_status()
            url = discovery.json()["jwks_uri"]
        response = await http.get(url)
        response.raise_for_status()
        return jwt.PyJWKSet.from_dict(response.json())
