"""What the long-running worker processes share: stopping cleanly on Ctrl-C or SIGTERM, a job run again
and again, and loops that outlive their dependencies.

A worker loop never dies of an error: PostgreSQL dropping its connections (a restart, a failover),
Redis restarting, a bug in one round. It logs the error's type and where it was raised (never its
message, which may quote personal data), waits the shared schedule (``fs_common.backoff``: exponential,
capped, jittered, so that replicas do not retry in step) and carries on; what was not done is still
there to do (outbox rows, pending stream entries, due deliveries).
"""

import asyncio
import contextlib
import logging
import signal
import traceback
from collections.abc import Awaitable, Callable

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from fs_common.backoff import Backoff
from fs_common.heartbeat import beat

logger = logging.getLogger(__name__)

# Before the n-th retry in a row: up to 0.5 s, 1 s, 2 s… never more than 10 s, so that a worker is back
# within seconds of its dependency.
WORKER_BACKOFF = Backoff(base_s=0.5, cap_s=10.0)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so that a worker finishes what it is doing, then stops."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def is_outage(exc: BaseException) -> bool:
    """The database or Redis went away (or is overloaded): not a bug nor bad data, so the work waits for
    its return instead of being set aside."""
    if isinstance(exc, OSError | RedisConnectionError | RedisTimeoutError | PoolTimeout | TimeoutError):
        return True
    if isinstance(exc, DBAPIError):
        return exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
    return False


def log_failure(what: str, exc: BaseException, *, attempt: int, retry_in_s: float) -> None:
    """One line: the error's type and its stack (file, line, code), never its message."""
    logger.warning(
        "%s failed (%s); retrying in %.1f s",
        what,
        type(exc).__name__,
        retry_in_s,
        extra={
            "error": type(exc).__name__,
            "outage": is_outage(exc),
            "attempt": attempt,
            "retry_in_s": round(retry_in_s, 2),
            "stack": "".join(traceback.format_tb(exc.__traceback__)),
        },
    )


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Waits, beating the heartbeat (``fs_common.heartbeat``) at least every 30 s meanwhile."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not stop.is_set() and (left := deadline - loop.time()) > 0:
        beat()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=min(left, 30.0))


async def keep_running(
    step: Callable[[], Awaitable[float]],
    stop: asyncio.Event,
    *,
    what: str,
    backoff: Backoff = WORKER_BACKOFF,
) -> None:
    """Calls ``step`` until ``stop`` is set; ``step`` returns how long to wait before the next call (0:
    at once). When it raises, the error is logged and the call retried after ``backoff`` (the n-th
    failure in a row waits ``backoff.delay(n)``)."""
    failures = 0
    while not stop.is_set():
        beat()
        try:
            pause = await step()
            failures = 0
        except Exception as exc:
            failures += 1
            pause = backoff.delay(failures)
            log_failure(what, exc, attempt=failures, retry_in_s=pause)
        if pause > 0:
            await sleep_unless_stopped(stop, pause)


async def run_and_repeat(
    job: Callable[[], Awaitable[bool]],
    every_s: float | None,
    *,
    retry_s: float = 5.0,
    what: str = "job",
) -> bool:
    """Runs ``job`` once; with ``every_s``, again every ``every_s`` seconds until a signal, and sooner
    after a run that failed (``job`` returned False or raised): the worker schedule, capped at
    ``retry_s``. A job that raises is logged, never fatal. The last run's outcome."""
    stop = stop_on_signals() if every_s else None
    backoff = Backoff(base_s=min(WORKER_BACKOFF.base_s, retry_s), cap_s=retry_s)
    failures = 0

    pause = 0.0

    async def attempt() -> bool:
        nonlocal failures, pause
        beat()
        try:
            done = await job()
        except Exception as exc:
            done = False
            pause = min(every_s or retry_s, backoff.delay(failures + 1))
            log_failure(what, exc, attempt=failures + 1, retry_in_s=pause)
        else:
            pause = min(every_s or retry_s, backoff.delay(failures + 1))
        failures = 0 if done else failures + 1
        return done

    done = await attempt()
    while stop is not None and every_s and not stop.is_set():
        await sleep_unless_stopped(stop, every_s if done else pause)
        if not stop.is_set():
            done = await attempt()
    return done
