"""One way to wait before trying again, for every retry loop: exponential, capped, jittered, and the
server's ``Retry-After`` honoured.

Jitter keeps many clients (gateway replicas, worker loops after a database failover) from retrying in
step; ``Retry-After`` is the server's own word on when it can take the call again, so it is a floor.
"""

import datetime as dt
import email.utils
import random
from dataclasses import dataclass

# 2**62 seconds is already far beyond any cap: the exponent stops there, so no attempt count overflows.
_MAX_EXPONENT = 62


@dataclass(frozen=True)
class Backoff:
    """``delay(n)`` before the n-th retry (n ≥ 1): ``base_s · 2^(n-1)``, capped at ``cap_s``, then
    jittered. ``jitter=1`` is "full jitter" (uniform in [0, d]), the AWS recommendation for many
    clients; ``jitter=0.2`` keeps the delay within ±20 % of d (capped), for a schedule people read."""

    base_s: float
    cap_s: float
    jitter: float = 1.0

    def ceiling(self, attempt: int) -> float:
        """The un-jittered delay before retry ``attempt``."""
        exponent = min(max(attempt - 1, 0), _MAX_EXPONENT)
        return min(self.base_s * 2.0**exponent, self.cap_s)

    def delay(self, attempt: int, *, retry_after_s: float | None = None) -> float:
        """Seconds to wait before retry ``attempt``; never less than the server's ``Retry-After``."""
        ceiling = self.ceiling(attempt)
        if self.jitter >= 1:
            wait = random.uniform(0, ceiling)
        else:
            wait = min(ceiling * random.uniform(1 - self.jitter, 1 + self.jitter), self.cap_s)
        return max(wait, retry_after_s or 0.0)


def parse_retry_after(value: str | None, *, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` (RFC 9110 §10.2.3) in seconds: delay-seconds or an HTTP-date; None if absent or
    unreadable. A date in the past is 0."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max((when - now).total_seconds(), 0.0)
