import datetime as dt

from fs_common.backoff import Backoff, parse_retry_after


def test_full_jitter_stays_within_the_exponential_ceiling() -> None:
    backoff = Backoff(base_s=0.5, cap_s=30)
    assert [backoff.ceiling(n) for n in (1, 2, 3, 7, 8)] == [0.5, 1.0, 2.0, 30, 30]
    delays = [backoff.delay(3) for _ in range(500)]
    assert all(0 <= d <= 2.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 100  # jittered, not in step


def test_partial_jitter_keeps_the_schedule_readable_and_capped() -> None:
    backoff = Backoff(base_s=30, cap_s=3600, jitter=0.2)
    assert all(48 <= backoff.delay(2) <= 72 for _ in range(200))
    assert all(backoff.delay(20) <= 3600 for _ in range(200))


def test_huge_attempt_counts_do_not_overflow() -> None:
    assert Backoff(base_s=1, cap_s=60).ceiling(10**9) == 60


def test_retry_after_is_a_floor() -> None:
    assert Backoff(base_s=0.05, cap_s=1).delay(1, retry_after_s=3) == 3


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = dt.datetime(2026, 12, 4, 10, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Fri, 04 Dec 2026 10:00:30 GMT", now=now) == 30
    assert parse_retry_after("Fri, 04 Dec 2026 09:00:00 GMT", now=now) == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("bientôt") is None
    assert parse_retry_after("-5") is None
