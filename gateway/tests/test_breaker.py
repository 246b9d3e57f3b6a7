import pytest

from gateway.proxy.breaker import BreakerState, CircuitBreaker, CircuitOpen


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_then_half_opens_for_one_trial():
    clock = Clock()
    breaker = CircuitBreaker(threshold=2, reset_s=10, clock=clock)
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state == BreakerState.closed
    breaker.record_failure()
    assert breaker.state == BreakerState.open
    with pytest.raises(CircuitOpen) as refused:
        breaker.before_call()
    assert refused.value.retry_after_s == 10
    clock.now += 10
    breaker.before_call()  # the one trial
    with pytest.raises(CircuitOpen):
        breaker.before_call()  # others wait for the trial's outcome
    breaker.record_failure()
    assert breaker.state == BreakerState.open
    clock.now += 10
    breaker.before_call()
    breaker.record_success()
    assert breaker.state == BreakerState.closed
    breaker.before_call()
