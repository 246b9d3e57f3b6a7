"""Serves the widget (``/widget.js``, ``/widget.css``) and the demo page (``/demo``).

The widget's files are package data, read once. They are cached by browsers and proxies for an hour
and revalidated with a strong ETag, so a partner page costs one conditional request per hour.
"""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib.resources import files
from string import Template
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from gateway.widget.config import WidgetSettings, get_widget_settings

router = APIRouter(tags=["widget"])

_ASSET_CACHE = "public, max-age=3600, stale-while-revalidate=86400"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


@lru_cache
def asset(name: str, media_type: str) -> Asset:
    body = (files("gateway.widget") / "static" / name).read_bytes()
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


def _serve(request: Request, item: Asset) -> Response:
    headers = {
        "Cache-Control": _ASSET_CACHE,
        "ETag": item.etag,
        "X-Content-Type-Options": "nosniff",
        # Any page may embed the widget; its API calls are what the partner key restricts.
        "Access-Control-Allow-Origin": "*",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
    if item.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(item.body, media_type=item.media_type, headers=headers)


@router.get(
    "/widget.js",
    summary="Le module à intégrer (locator et prise de rendez-vous)",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}}, 304: {"description": "Inchangé"}},
)
async def widget_js(request: Request) -> Response:
    return _serve(request, asset("widget.js", "text/javascript; charset=utf-8"))


@router.get(
    "/widget.css",
    summary="La feuille de style du module (chargée dans son Shadow DOM)",
    response_class=Response,
    responses={200: {"content": {"text/css": {}}}, 304: {"description": "Inchangé"}},
)
async def widget_css(request: Request) -> Response:
    return _serve(request, asset("widget.css", "text/css; charset=utf-8"))


def _attribute(name: str, value: str) -> str:
    return f' {name}="{escape(value, quote=True)}"' if value else ""


@router.get(
    "/demo",
    summary="Page de démonstration : le module intégré à la page d'une mairie",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
async def demo(settings: Annotated[WidgetSettings, Depends(get_widget_settings)]) -> Response:
    template = Template((files("gateway.widget") / "static" / "demo.html").read_text("utf-8"))
    attributes = (
        _attribute("api-key", settings.demo_api_key)
        + _attribute("demarche", settings.demo_demarche)
        + _attribute("map-tiles", settings.map_tiles_url)
        + _attribute("map-attribution", settings.map_attribution)
    )
    shown_key = escape(settings.demo_api_key or "VOTRE_CLE_API", quote=True)
    page = template.substitute(widget_attributes=attributes, shown_key=shown_key)
    return Response(page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
