"""Retries during a burst against a booking stand-in that answers 503 half of the time: the extra calls
the gateway's retries send (target ≤ 10 %), with its policy (``gateway/proxy/retries.py``: backoff with
jitter, ``Retry-After``, a retry budget) next to the former one (two retries after 50 and 100 ms, no
budget), same run, same stand-in. Both go through the gateway's ``Upstream`` over real HTTP.
"""

import math
import random

import httpx
from fastapi import FastAPI, Response

from bench.harness import closed_loop, http_server
from fs_common.backoff import Backoff
from gateway.config import GatewaySettings
from gateway.main import retry_policy
from gateway.proxy.breaker import CircuitBreaker
from gateway.proxy.retries import RetryPolicy
from gateway.proxy.upstream import Upstream

CALLS = 2000
CONCURRENCY = 32
# What the gateway did before: retries=2, sleeps of 50 then 100 ms, every 502/503 retried, no budget.
FORMER = RetryPolicy(retries=2, backoff=Backoff(0.05, 0.1, jitter=0.0), budget_ratio=math.inf)


def _stand_in(received: list[int]) -> FastAPI:
    app = FastAPI()
    rng = random.Random(42)

    @app.get("/v1/demarches")
    async def demarches() -> Response:
        received.append(1)
        if rng.random() < 0.5:
            return Response(status_code=503)
        return Response(b"[]", media_type="application/json")

    return app


async def _burst(url: str, policy: RetryPolicy, received: list[int]) -> tuple[float, float, float]:
    """(share of extra calls, share of callers answered 503, calls per second)."""
    upstream = Upstream(
        "booking",
        url,
        timeout=httpx.Timeout(5.0),
        limits=httpx.Limits(max_connections=CONCURRENCY),
        breaker=CircuitBreaker(threshold=10**9, reset_s=10),  # measure the retries, not the breaker
        retry=policy,
    )
    failed = 0

    async def call(_: int) -> None:
        nonlocal failed
        response = await upstream.send(upstream.client.build_request("GET", "/v1/demarches"), retryable=True)
        await response.aclose()
        failed += response.status_code == 503

    try:
        await closed_loop(call, concurrency=CONCURRENCY, total=1, warmup=0)
        received.clear()
        failed = 0
        result = await closed_loop(call, concurrency=CONCURRENCY, total=CALLS, warmup=0)
    finally:
        await upstream.client.aclose()
    return len(received) / CALLS - 1, failed / CALLS, result.rate


async def main() -> None:
    received: list[int] = []
    async with http_server(_stand_in(received)) as url:
        current = await _burst(url, retry_policy(GatewaySettings()), received)
        former = await _burst(url, FORMER, received)
    print(f"{CALLS} GETs, {CONCURRENCY} at a time, booking stand-in answering 503 to half of its calls")
    print(f"  {'policy':34} {'extra calls':>12}   {'503 to callers':>14}   {'calls/s':>8}")
    for label, (extra, failed, rate) in (
        ("former (2 retries, 50/100 ms)", former),
        ("now (backoff, budget)", current),
    ):
        print(f"  {label:34} {extra:12.1%}   {failed:14.1%}   {rate:8.0f}")
    print(
        f"  extra calls sent by retries: {current[0]:.1%} (target ≤ 10 %), {former[0]:.1%} before", flush=True
    )
