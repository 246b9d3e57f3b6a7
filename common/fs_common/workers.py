"""What the long-running worker processes share: stopping cleanly on Ctrl-C or SIGTERM, and a job run
again and again."""

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM, so that a worker finishes what it is doing, then stops."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def run_and_repeat(
    job: Callable[[], Awaitable[bool]], every_s: float | None, *, retry_s: float = 5.0
) -> bool:
    """Runs ``job`` once; with ``every_s``, again every ``every_s`` seconds until a signal, and sooner
    (within ``retry_s``) after a run that failed (``job`` returned False). The last run's outcome."""
    stop = stop_on_signals() if every_s else None
    done = await job()
    while stop is not None and every_s and not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every_s if done else min(every_s, retry_s))
        if not stop.is_set():
            done = await job()
    return done
