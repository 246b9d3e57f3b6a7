"""Partner keys: creation (shown once), revocation effective at once, lookup through a Redis cache.

A key is ``fsk_`` + 43 url-safe characters (256 random bits): a plain SHA-256 is a safe, fast hash for
it (argon2 is for low-entropy passwords). The Redis cache holds, per key hash, either the key's quotas
and origins or a "revoked/unknown" marker; revocation overwrites the entry, and cache fills only write
where nothing is (``SET NX``), so a fill racing with a revocation cannot bring the key back.
"""

import datetime as dt
import hashlib
import secrets
import uuid

import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from fs_common.errors import NotFound
from gateway.partners import repository
from gateway.partners.models import PartnerKey
from gateway.partners.schemas import KeyInfo, PartnerKeyCreate, PartnerKeyCreated, PartnerKeyOut

KEY_PREFIX = "fsk_"
_INVALID = "-"
_UNKNOWN_TTL_S = 60


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _cache_key(prefix: str, key_hash: str) -> str:
    return f"{prefix}partner-key:{key_hash}"


def _origins_key(prefix: str) -> str:
    return f"{prefix}partner-origins"


async def create_key(
    *, session: AsyncSession, cache: redis.Redis, prefix: str, data: PartnerKeyCreate
) -> PartnerKeyCreated:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = await repository.add(
        session,
        PartnerKey(
            partner=data.partner,
            prefix=key[:8],
            key_hash=hash_key(key),
            per_minute=data.per_minute,
            per_day=data.per_day,
            origins=data.origins,
            created_at=dt.datetime.now(dt.UTC),
        ),
    )
    await session.commit()
    await cache.delete(_origins_key(prefix))
    return PartnerKeyCreated(key=key, **PartnerKeyOut.model_validate(row, from_attributes=True).model_dump())


async def revoke_key(
    *, session: AsyncSession, cache: redis.Redis, prefix: str, key_id: uuid.UUID, ttl_s: int
) -> PartnerKeyOut:
    row = await repository.revoke(session, key_id, dt.datetime.now(dt.UTC))
    if row is None:
        raise NotFound("Aucune clé avec cet identifiant.")
    await session.commit()
    await cache.set(_cache_key(prefix, row.key_hash), _INVALID, ex=ttl_s)
    await cache.delete(_origins_key(prefix))
    return PartnerKeyOut.model_validate(row, from_attributes=True)


async def list_keys(*, session: AsyncSession) -> list[PartnerKeyOut]:
    return [
        PartnerKeyOut.model_validate(k, from_attributes=True) for k in await repository.list_keys(session)
    ]


async def lookup(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: redis.Redis,
    prefix: str,
    key: str,
    ttl_s: int,
) -> KeyInfo | None:
    """The key's quotas and origins, or None when unknown or revoked."""
    if not key.startswith(KEY_PREFIX) or len(key) > 100:
        return None
    key_hash = hash_key(key)
    cached = await cache.get(_cache_key(prefix, key_hash))
    if cached is not None:
        return None if cached == b"-" else KeyInfo.model_validate_json(cached)
    async with sessionmaker() as session:
        row = await repository.get_active_by_hash(session, key_hash)
    if row is None:
        await cache.set(_cache_key(prefix, key_hash), _INVALID, ex=_UNKNOWN_TTL_S, nx=True)
        return None
    info = KeyInfo.model_validate(row, from_attributes=True)
    await cache.set(_cache_key(prefix, key_hash), info.model_dump_json(), ex=ttl_s, nx=True)
    return info


async def origin_has_a_key(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    cache: redis.Redis,
    prefix: str,
    origin: str,
    ttl_s: int,
) -> bool:
    """Whether some active key allows ``origin``: enough to answer a CORS preflight, which carries no key
    (the request that follows is then checked against its own key's origins)."""
    cached = await cache.get(_origins_key(prefix))
    if cached is None:
        async with sessionmaker() as session:
            origins = await repository.active_origins(session)
        await cache.set(_origins_key(prefix), "\n".join(sorted(origins)), ex=ttl_s)
        return origin in origins
    text = cached.decode() if isinstance(cached, bytes) else cached
    return origin in text.split("\n")
