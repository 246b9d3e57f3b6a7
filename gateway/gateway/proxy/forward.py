"""Forwarding a public request to the service that owns it, with the request id passed on."""

import httpx
from fastapi import APIRouter, Request, Response
from fs_common.errors import BadGateway, GatewayTimeout, NotFound, ServiceUnavailable
from fs_common.logs import request_id_var
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from gateway.proxy.routes import service_for

router = APIRouter()

# Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded.
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


@router.api_route(
    "/v1/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False
)
async def forward(request: Request, path: str) -> Response:
    service = service_for(request.url.path)
    if service is None:
        raise NotFound("Aucune ressource à cette adresse.")
    client: httpx.AsyncClient = request.app.state.upstreams[service]
    headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
    headers["x-request-id"] = request_id_var.get() or ""
    upstream_request = client.build_request(
        request.method,
        request.url.path,
        params=request.query_params,
        headers=headers,
        content=request.stream() if request.method in ("POST", "PUT", "PATCH") else None,
    )
    try:
        upstream = await client.send(upstream_request, stream=True)
    except httpx.TimeoutException as exc:
        raise GatewayTimeout(
            f"Le service {service} n'a pas répondu à temps.", headers={"Retry-After": "5"}
        ) from exc
    except httpx.ConnectError as exc:
        raise ServiceUnavailable(
            f"Le service {service} est momentanément indisponible.", headers={"Retry-After": "5"}
        ) from exc
    except httpx.HTTPError as exc:
        raise BadGateway(f"Le service {service} a répondu de façon inattendue.") from exc
    response_headers = {
        k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP | {"x-request-id"}
    }
    return StreamingResponse(
        upstream.aiter_raw(),
        status_code=upstream.status_code,
        headers=response_headers,
        background=BackgroundTask(upstream.aclose),
    )
