"""When the gateway sends a failed call again, and when it must not.

Retries calm an overload only if they stay few: each waits ``fs_common.backoff.Backoff`` (exponential,
full jitter, capped at ``max_wait_s``), never less than the service's ``Retry-After``; a service that asks
for a longer wait than ``max_wait_s`` is not retried (its 503 and ``Retry-After`` go to the caller), nor
one that says it is overloaded (problem type ``overloaded``); and all retries to a service stay within a
budget, ``budget_ratio`` of its calls over the last ``budget_window_s`` seconds (Finagle's and gRPC's
retry budgets), so that a service failing half of its calls receives at most 10 % more, not three times
the traffic.
"""

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from fs_common.backoff import Backoff


@dataclass(frozen=True)
class RetryPolicy:
    retries: int
    backoff: Backoff
    budget_ratio: float = 0.1
    budget_window_s: float = 10.0

    @property
    def max_wait_s(self) -> float:
        return self.backoff.cap_s


class RetryBudget:
    """Retries at most ``ratio`` × the calls counted over a sliding window, in one-second buckets (per
    service and per gateway process, like the circuit breaker)."""

    def __init__(self, ratio: float, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ratio = ratio
        self.window_s = max(1, math.ceil(window_s))
        self._clock = clock
        self._buckets: deque[list[int]] = deque()  # [second, calls, retries]
        self.calls = 0
        self.retries = 0

    def _current(self) -> list[int]:
        second = int(self._clock())
        while self._buckets and self._buckets[0][0] <= second - self.window_s:
            _, calls, retries = self._buckets.popleft()
            self.calls -= calls
            self.retries -= retries
        if not self._buckets or self._buckets[-1][0] != second:
            self._buckets.append([second, 0, 0])
        return self._buckets[-1]

    def record_call(self) -> None:
        self._current()[1] += 1
        self.calls += 1

    def try_spend(self) -> bool:
        """True (and counted) when one more retry stays within the budget."""
        bucket = self._current()
        if self.retries + 1 > self.ratio * self.calls:
            return False
        bucket[2] += 1
        self.retries += 1
        return True
