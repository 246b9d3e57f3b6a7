"""Forwarding a public request to the service that owns it, with the request id passed on."""

from fastapi import APIRouter, Request, Response
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from fs_common.agent_auth import current_agent
from fs_common.errors import NotFound
from fs_common.logs import request_id_var
from gateway.proxy.routes import service_for
from gateway.proxy.upstream import Upstream, is_retryable

router = APIRouter()

# Hop-by-hop headers (RFC 9110 §7.6.1), and what only the gateway reads, are not forwarded.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
_REQUEST_DROPPED = _HOP_BY_HOP | {"x-api-key", "cookie", "x-request-id"}
# The gateway's own server sets date and server: forwarding the service's would send them twice.
_RESPONSE_DROPPED = _HOP_BY_HOP | {"x-request-id", "date", "server"}
# Answers of a known, small size are read whole and sent in one piece: streaming them costs more (a task
# group per response, chunked encoding) than holding them. Larger or unsized ones stream through.
BUFFERED_MAX_BYTES = 1024 * 1024


@router.api_route(
    "/v1/{path:path}", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward(request: Request, path: str) -> Response:
    """HEAD is asked of the service as GET (its routes answer GET only): the same status and headers,
    and the server sends no body (RFC 9110 §9.3.2), as uptime probes and caches expect."""
    service = service_for(request.url.path)
    if service is None:
        raise NotFound("Aucune ressource à cette adresse.")
    if request.url.path.startswith("/v1/agent/"):
        # Refused here already when absent, forged or expired; the service checks it again and scopes.
        await current_agent(request)
    upstream: Upstream = request.app.state.upstreams[service]
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _REQUEST_DROPPED}
    headers["x-request-id"] = request_id_var.get() or ""
    if request.client:
        headers["x-forwarded-for"] = request.client.host
    retryable = is_retryable(request.method, request.headers)
    content = None
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        # Read whole, within the request guard's limit (a 413 past it): a retry sends it again.
        content = await request.body()
    query = request.url.query
    upstream_request = upstream.client.build_request(
        "GET" if request.method == "HEAD" else request.method,
        f"{request.url.path}?{query}" if query else request.url.path,
        headers=headers,
        content=content,
    )
    response = await upstream.send(upstream_request, retryable=retryable)
    response_headers = {k: v for k, v in response.headers.items() if k.lower() not in _RESPONSE_DROPPED}
    if int(response.headers.get("content-length", BUFFERED_MAX_BYTES + 1)) <= BUFFERED_MAX_BYTES:
        try:
            body = b"".join([chunk async for chunk in response.aiter_raw()])  # as sent: still encoded
        finally:
            await response.aclose()
        return Response(body, status_code=response.status_code, headers=response_headers)
    return StreamingResponse(
        response.aiter_raw(),
        status_code=response.status_code,
        headers=response_headers,
        background=BackgroundTask(response.aclose),
    )
