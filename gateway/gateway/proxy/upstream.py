"""One upstream service: its pooled HTTP client, its circuit breaker, retries and error mapping.

Failures become problem+json for the caller: connection refused or circuit open → 503, no answer in time
→ 504, anything else unexpected → 502, always with ``Retry-After``. Only idempotent requests (or those
carrying an ``Idempotency-Key``) are retried, and only when the service certainly did not process them
(connection refused or reset before an answer) or answered 502/503.
"""

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from fs_common.errors import AppError, BadGateway, GatewayTimeout, ServiceUnavailable
from fs_common.logs import request_id_var
from gateway.proxy.breaker import CircuitBreaker, CircuitOpen

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({502, 503})
# What says a service is unwell, and only that, opens its circuit: never a 4xx (the caller's mistake),
# never a 500 (our bug: a bug must not become an outage that anyone can trigger with a bad request).
UNWELL_STATUSES = frozenset({502, 503, 504})
# Errors raised before the service could have acted on the request.
_NOT_PROCESSED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.RemoteProtocolError, httpx.PoolTimeout)


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
        retries: int,
        backoff_s: float,
    ) -> None:
        self.name = name
        self.transport = httpx.AsyncHTTPTransport(limits=limits)
        self.client = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=self.transport)
        self.breaker = breaker
        self.retries = retries
        self.backoff_s = backoff_s

    def _unavailable(self, retry_after: int) -> AppError:
        return ServiceUnavailable(
            f"Le service {self.name} est momentanément indisponible. Réessayez dans quelques instants.",
            headers={"Retry-After": str(retry_after)},
            service=self.name,
        )

    async def send(self, request: httpx.Request, *, retryable: bool) -> httpx.Response:
        """The streamed response (close it), or a problem+json ``AppError``."""
        attempts = 1 + (self.retries if retryable else 0)
        retry_after = max(1, round(self.breaker.reset_s))
        for attempt in range(1, attempts + 1):
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
                if attempt < attempts:
                    await asyncio.sleep(self.backoff_s * attempt)
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
            if response.status_code in UNWELL_STATUSES:
                self.breaker.record_failure()
                if response.status_code in _RETRY_STATUSES and attempt < attempts:
                    await response.aclose()
                    await asyncio.sleep(self.backoff_s * attempt)
                    continue
            else:
                self.breaker.record_success()
            return response
        raise AssertionError("unreachable")  # pragma: no cover

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
