"""Rate limits with the ``limits`` library (fixed windows in Redis, shared by every gateway replica)."""

import asyncio
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerDay, RateLimitItemPerMinute, parse
from limits.aio.storage import RedisStorage


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

    async def _reset_s(self, item: RateLimitItem, key: str) -> int:
        reset_s = math.ceil(await self.storage.get_expiry(key) - time.time())
        return reset_s if reset_s > 0 else item.get_expiry()  # a window just opened: its full length

    async def hit(self, limits: list[tuple[RateLimitItem, str]]) -> Verdict:
        """Counts one call against each ``(limit, identity)``, as ``FixedWindowRateLimiter.hit`` does but
        keeping the counts; the verdict of the tightest limit. One round of Redis calls: the counters and
        the end of the first (shortest) window; another only when a longer window is the tightest."""
        keys = [item.key_for(identity) for item, identity in limits]
        first_item = limits[0][0]
        *counts, first_reset = await asyncio.gather(
            *(self.storage.incr(key, item.get_expiry()) for key, (item, _) in zip(keys, limits, strict=True)),
            self._reset_s(first_item, keys[0]),
        )
        remaining = [item.amount - count for count, (item, _) in zip(counts, limits, strict=True)]
        tightest = min(range(len(limits)), key=lambda i: remaining[i])
        item = limits[tightest][0]
        reset_s = first_reset if tightest == 0 else await self._reset_s(item, keys[tightest])
        return Verdict(
            allowed=remaining[tightest] >= 0,
            limit=item.amount,
            remaining=max(0, remaining[tightest]),
            reset_s=reset_s,
            window_s=item.get_expiry(),
        )

    async def give_back(self, limits: list[tuple[RateLimitItem, str]]) -> None:
        """Uncounts one call of each ``(limit, identity)``: a successful sign-in is no attempt to limit."""
        await asyncio.gather(
            *(self.storage.incr(item.key_for(identity), item.get_expiry(), -1) for item, identity in limits)
        )


def per_minute(amount: int) -> RateLimitItem:
    return RateLimitItemPerMinute(amount)


def per_day(amount: int) -> RateLimitItem:
    return RateLimitItemPerDay(amount)


def parse_limit(text: str) -> RateLimitItem:
    """``"5/15minutes"`` → 5 per 15 minutes."""
    return parse(text)
