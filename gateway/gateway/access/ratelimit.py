"""Rate limits with the ``limits`` library (fixed windows in Redis, shared by every gateway replica)."""

import asyncio
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute, parse
from limits.aio.storage import RedisStorage
from limits.aio.strategies import FixedWindowRateLimiter


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_s: int
    window_s: int

    def headers(self) -> dict[str, str]:
        """IETF draft RateLimit headers (draft-ietf-httpapi-ratelimit-headers); Retry-After on refusal."""
        headers = {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_s),
            "RateLimit-Policy": f"{self.limit};w={self.window_s}",
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_s)
        return headers


class Limiter:
    def __init__(self, redis_url: str, key_prefix: str) -> None:
        self.storage = RedisStorage(
            "async+" + redis_url, implementation="redispy", key_prefix=key_prefix + "limits"
        )
        self.strategy = FixedWindowRateLimiter(self.storage)

    async def _hit(self, item: RateLimitItem, identity: str) -> Verdict:
        """What ``FixedWindowRateLimiter.hit`` does, keeping the count to tell what remains. The window's
        end is read at the same time (a window just opened reports its full length)."""
        key = item.key_for(identity)
        count, expires_at = await asyncio.gather(
            self.storage.incr(key, item.get_expiry()), self.storage.get_expiry(key)
        )
        reset_s = math.ceil(expires_at - time.time())
        return Verdict(
            allowed=count <= item.amount,
            limit=item.amount,
            remaining=max(0, item.amount - count),
            reset_s=reset_s if reset_s > 0 else item.get_expiry(),
            window_s=item.get_expiry(),
        )

    async def hit(self, limits: list[tuple[RateLimitItem, str]]) -> Verdict:
        """Counts one call against each ``(limit, identity)`` (concurrently); the tightest verdict."""
        verdicts = await asyncio.gather(*(self._hit(item, identity) for item, identity in limits))
        refused = [v for v in verdicts if not v.allowed]
        if refused:
            return max(refused, key=lambda v: v.reset_s)
        return min(verdicts, key=lambda v: v.remaining)

    async def exceeded(self, item: RateLimitItem, identity: str) -> Verdict | None:
        """The refusal when ``identity`` has used up ``item``, without counting a call."""
        if await self.strategy.test(item, identity):
            return None
        stats = await self.strategy.get_window_stats(item, identity)
        reset_s = max(1, math.ceil(stats.reset_time - time.time()))
        return Verdict(False, item.amount, 0, reset_s, item.get_expiry())

    async def count(self, item: RateLimitItem, identity: str) -> None:
        await self.strategy.hit(item, identity)


def per_minute(amount: int) -> RateLimitItem:
    return RateLimitItemPerMinute(amount)


def per_day(amount: int) -> RateLimitItem:
    return RateLimitItemPerDay(amount)


def parse_limit(text: str) -> RateLimitItem:
    """``"5/15minutes"`` → 5 per 15 minutes."""
    return parse(text)
