"""Worker loops never die of an error: they log its type (never its message) and carry on."""

import asyncio
import logging

from sqlalchemy.exc import DBAPIError, OperationalError

from fs_common.backoff import Backoff
from fs_common.workers import is_outage, keep_running, run_and_repeat

FAST = Backoff(base_s=0.001, cap_s=0.01)


async def test_a_loop_survives_failures_and_logs_no_message(caplog):
    stop = asyncio.Event()
    calls = 0
    person = "zoe" + "@example.org"  # a value, as at run time (the stack quotes code lines, not values)

    async def step() -> float:
        nonlocal calls
        calls += 1
        if calls <= 3:
            raise ConnectionResetError(f"connection of {person} was reset")
        stop.set()
        return 0.0

    with caplog.at_level(logging.WARNING):
        await asyncio.wait_for(keep_running(step, stop, what="test loop", backoff=FAST), 5)
    assert calls == 4
    failures = [r for r in caplog.records if r.name == "fs_common.workers"]
    assert len(failures) == 3 and all(r.error == "ConnectionResetError" for r in failures)  # type: ignore[attr-defined]
    assert not any(person in f"{r.getMessage()} {r.__dict__}" for r in failures)


async def test_a_periodic_job_that_raises_is_a_failed_run_not_a_dead_process():
    outcomes = iter([RuntimeError("boom"), True])

    async def job() -> bool:
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert await run_and_repeat(job, None) is False  # one-shot: the failure is the outcome
    assert await run_and_repeat(job, None) is True


def test_an_outage_is_told_from_a_bug():
    dropped = DBAPIError("SELECT 1", None, Exception("connection was closed"), connection_invalidated=True)
    assert is_outage(dropped) and is_outage(ConnectionRefusedError()) and is_outage(TimeoutError())
    assert is_outage(OperationalError("SELECT 1", None, Exception("server closed the connection")))
    assert not is_outage(ValueError("bad data")) and not is_outage(KeyError("x"))
