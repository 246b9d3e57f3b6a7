"""A small circuit breaker, one per upstream service and per gateway process.

closed: calls go through; ``threshold`` consecutive failures open it.
open: calls are refused at once (fast 503) for ``reset_s`` seconds.
half-open: one trial call goes through; success closes the circuit, failure opens it again.

Hand-written rather than a library: the async ones (aiobreaker, purgatory) wrap calls in decorators or
units of work, while the gateway needs to count a 503 *response* as a failure and to tell the caller
how long the circuit stays open (``Retry-After``); this is 40 lines.
"""

import math
import time
from collections.abc import Callable
from enum import StrEnum


class BreakerState(StrEnum):
    closed = "closed"
    open = "open"
    half_open = "half_open"


class CircuitOpen(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"circuit open for {retry_after_s}s")
        self.retry_after_s = retry_after_s


class CircuitBreaker:
    def __init__(self, threshold: int, reset_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.reset_s = reset_s
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        if self._opened_at is None:
            return BreakerState.closed
        if self._clock() - self._opened_at >= self.reset_s:
            return BreakerState.half_open
        return BreakerState.open

    def before_call(self) -> None:
        """Raises ``CircuitOpen`` when the call must not go through."""
        state = self.state
        if state == BreakerState.closed:
            return
        if state == BreakerState.half_open and not self._trial_in_flight:
            self._trial_in_flight = True
            return
        remaining = self.reset_s - (self._clock() - (self._opened_at or 0.0))
        raise CircuitOpen(max(1, math.ceil(remaining)))

    def record_success(self) -> None:
        self._failures = 0
        self._opened_at = None
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        if self._trial_in_flight or self._failures >= self.threshold:
            self._opened_at = self._clock()
        self._trial_in_flight = False
