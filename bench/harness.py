"""Shared pieces of the benchmarks: a throw-away database, a real HTTP server, a closed-loop load."""

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fs_testkit.servers import free_port, http_server

__all__ = ["LoadResult", "closed_loop", "free_port", "http_server"]


@dataclass
class LoadResult:
    requests: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        return statistics.quantiles(self.latencies_ms, n=100)[int(p) - 1]

    def line(self, label: str) -> str:
        return (
            f"{label:<38} {self.rate:9.0f} req/s   p50 {self.percentile(50):7.2f} ms   "
            f"p99 {self.percentile(99):7.2f} ms   ({self.requests} requests)"
        )


async def closed_loop(
    call: Callable[[int], Awaitable[None]], *, concurrency: int, total: int, warmup: int = 100
) -> LoadResult:
    """``concurrency`` workers calling ``call(i)`` back to back until ``total`` calls are done."""
    for i in range(warmup):
        await call(i)
    latencies: list[float] = []
    counter = iter(range(total))

    async def worker() -> None:
        for i in counter:
            start = time.perf_counter()
            await call(i)
            latencies.append((time.perf_counter() - start) * 1000)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return LoadResult(total, time.perf_counter() - start, latencies)
