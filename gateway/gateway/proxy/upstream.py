"""One upstream service: its pooled HTTP client, its circuit breaker, retries and error mapping.

Failures become problem+json for the caller: connection refused or circuit open → 503, no answer in time
→ 504, anything else unexpected → 502, always with ``Retry-After``. Only idempotent requests (or those
carrying an ``Idempotency-Key``) are retried, and only when the service certainly did not process them
(connection refused or reset before an answer) or answered 502/503, within the policy of
``proxy/retries.py`` (backoff with jitter, ``Retry-After``, no retry of an overloaded service, a budget).
"""

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from fs_common.backoff import parse_retry_after
from fs_common.errors import OVERLOADED_TYPE, AppError, BadGateway, GatewayTimeout, ServiceUnavailable
from fs_common.logs import request_id_var
from gateway.proxy.breaker import CircuitBreaker, CircuitOpen
from gateway.proxy.retries import RetryBudget, RetryPolicy

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({502, 503})
# What says a service is unwell, and only that, opens its circuit: never a 4xx (the caller's mistake),
# never a 500 (our bug: a bug must not become an outage that anyone can trigger with a bad request).
UNWELL_STATUSES = frozenset({502, 503, 504})
# Errors raised before the service could have acted on the request.
_NOT_PROCESSED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.PoolTimeout)


async def _read_small(response: httpx.Response) -> tuple[httpx.Response, bool]:
    """A 502/503 read whole (an error body is small) and given back as a fresh response with the same
    bytes, and whether it is the problem+json of an overloaded service."""
    try:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()
    again = httpx.Response(
        response.status_code, headers=response.headers, stream=httpx.ByteStream(raw), request=response.request
    )
    return again, OVERLOADED_TYPE.encode() in raw


def is_retryable(method: str, headers: Mapping[str, str]) -> bool:
    return method.upper() in IDEMPOTENT_METHODS or "idempotency-key" in {k.lower() for k in headers}


class Upstream:
    """Requests are built by ``client`` (base URL, timeouts) but sent through its transport directly: a
    proxy must not follow redirects nor keep a cookie jar (an upstream ``Set-Cookie`` belongs to the
    caller, never to be replayed for others), and skipping that machinery halves the client's cost."""

    def __init__(
        self,
        name: str,
        base_url: str,
        *,
        timeout: httpx.Timeout,
        limits: httpx.Limits,
        breaker: CircuitBreaker,
        retry: RetryPolicy,
    ) -> None:
        self.name = name
        self.transport = httpx.AsyncHTTPTransport(limits=limits)
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=self.transport)
        self.breaker = breaker
        self.retry = retry
        self.budget = RetryBudget(retry.budget_ratio, retry.budget_window_s)

    def _unavailable(self, retry_after: int) -> AppError:
        return ServiceUnavailable(
            f"Le service {self.name} est momentanément indisponible. Réessayez dans quelques instants.",
            headers={"Retry-After": str(retry_after)},
            service=self.name,
        )

    def _wait_before_retry(self, attempt: int, retry_after_s: float | None) -> float | None:
        """Seconds to wait before sending again, or None: no attempt left, a longer wait asked for than
        the gateway holds a caller, or the service's retry budget spent."""
        if attempt > self.retry.retries:
            return None
        wait = self.retry.backoff.delay(attempt, retry_after_s=retry_after_s)
        if wait > self.retry.max_wait_s or not self.budget.try_spend():
            return None
        return wait

    async def send(self, request: httpx.Request, *, retryable: bool) -> httpx.Response:
        """The streamed response (close it), or a problem+json ``AppError``."""
        self.budget.record_call()
        retry_after = max(1, round(self.breaker.reset_s))
        attempt = 0
        while True:
            attempt += 1
            try:
                self.breaker.before_call()
            except CircuitOpen as exc:
                raise self._unavailable(exc.retry_after_s) from exc
            try:
                response = await self.transport.handle_async_request(request)
                response.request = request
            except _NOT_PROCESSED as exc:
                self.breaker.record_failure()
                logger.warning(
                    "upstream %s unreachable (%s), attempt %d", self.name, type(exc).__name__, attempt
                )
                if retryable and (wait := self._wait_before_retry(attempt, None)) is not None:
                    await asyncio.sleep(wait)
                    continue
                raise self._unavailable(retry_after) from exc
            except httpx.TimeoutException as exc:
                self.breaker.record_failure()
                raise GatewayTimeout(
                    f"Le service {self.name} n'a pas répondu à temps.",
                    headers={"Retry-After": str(retry_after)},
                    service=self.name,
                ) from exc
            except httpx.HTTPError as exc:
                self.breaker.record_failure()
                raise BadGateway(
                    f"Le service {self.name} a répondu de façon inattendue.",
                    headers={"Retry-After": str(retry_after)},
                    service=self.name,
                ) from exc
            if response.status_code not in UNWELL_STATUSES:
                self.breaker.record_success()
                return response
            self.breaker.record_failure()
            if not retryable or response.status_code not in _RETRY_STATUSES:
                return response
            response, overloaded = await _read_small(response)
            if overloaded:
                return response  # sending it again would feed the overload
            wait = self._wait_before_retry(attempt, parse_retry_after(response.headers.get("retry-after")))
            if wait is None:
                return response
            await asyncio.sleep(wait)

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> tuple[int, Any]:
        """A GET for the gateway's own compositions: (status, decoded JSON body)."""
        request = self.client.build_request(
            "GET", path, params=params, headers={"x-request-id": request_id_var.get() or ""}
        )
        response = await self.send(request, retryable=True)
        try:
            await response.aread()
        finally:
            await response.aclose()
        try:
            return response.status_code, response.json()
        except ValueError as exc:
            raise BadGateway(
                f"Le service {self.name} a répondu de façon inattendue.", service=self.name
            ) from exc
