"""Serves the widget (``/widget.js``, ``/widget.css``), its demo page (``/demo``) and the citizen's booking
page (``/rendez-vous``, with ``/rendez-vous.js`` and ``/rendez-vous.css``).

The files are package data, read once. A script is its own files preceded by ``kit.js`` (the helpers both
scripts share), joined here rather than by a build step, so the partner's embed stays one script tag; the
widget is four parts: ``widget-text.js`` (French texts, formatting, API shapes), ``widget-map.js`` (the
optional map), ``widget-booking.js`` (the booking steps) and ``widget.js`` (the element: search, results).
Assets are cached by browsers and proxies for an hour and revalidated with a strong ETag, so a partner
page costs one conditional request per hour; the booking page names them with their ETag (``?v=``), so a
new version is picked up at once.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from fastapi import APIRouter, Request, Response

from gateway.config import GatewaySettings

router = APIRouter(tags=["widget"])
Endpoint = Callable[[Request], Awaitable[Response]]


def page(path: str, **route: Any) -> Callable[[Endpoint], Endpoint]:
    """A GET route that answers HEAD too, as every GET resource should (RFC 9110 §9.3.2): the same status
    and headers, Content-Length included, and no body (the server leaves it out). Link checkers, uptime
    probes and caches ask HEAD; HEAD stays out of the OpenAPI document."""

    def register(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(
            path, endpoint, methods=["HEAD"], include_in_schema=False, response_class=Response
        )
        return router.get(path, **route)(endpoint)

    return register


_ASSET_CACHE = "public, max-age=3600, stale-while-revalidate=86400"


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str


def _static(name: str) -> bytes:
    return (files("gateway.widget") / "static" / name).read_bytes()


@lru_cache
def asset(names: tuple[str, ...], media_type: str) -> Asset:
    """The files ``names`` joined in that order, served as one."""
    body = b"\n".join(_static(name) for name in names)
    return Asset(body, media_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


_JS = "text/javascript; charset=utf-8"
_CSS = "text/css; charset=utf-8"
WIDGET_JS = (("kit.js", "widget-text.js", "widget-map.js", "widget-booking.js", "widget.js"), _JS)
WIDGET_CSS = (("widget.css",), _CSS)
PAGE_JS = (("kit.js", "rendez-vous.js"), _JS)
PAGE_CSS = (("rendez-vous.css",), _CSS)
AGENTS_JS = (("kit.js", "agents.js"), _JS)
AGENTS_CSS = (("agents.css",), _CSS)


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


@page(
    "/widget.js",
    summary="Le module à intégrer (locator et prise de rendez-vous)",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}}, 304: {"description": "Inchangé"}},
)
async def widget_js(request: Request) -> Response:
    return _serve(request, asset(*WIDGET_JS))


@page(
    "/widget.css",
    summary="La feuille de style du module (chargée dans son Shadow DOM)",
    response_class=Response,
    responses={200: {"content": {"text/css": {}}}, 304: {"description": "Inchangé"}},
)
async def widget_css(request: Request) -> Response:
    return _serve(request, asset(*WIDGET_CSS))


def _attribute(name: str, value: str) -> str:
    return f' {name}="{escape(value, quote=True)}"' if value else ""


@page(
    "/demo",
    summary="Page de démonstration : le module intégré à la page d'une mairie",
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
async def demo(request: Request) -> Response:
    settings: GatewaySettings = request.app.state.settings
    template = Template((files("gateway.widget") / "static" / "demo.html").read_text("utf-8"))
    attributes = (
        _attribute("api-key", settings.widget_demo_api_key)
        + _attribute("demarche", settings.widget_demo_demarche)
        + _attribute("map-tiles", settings.widget_map_tiles_url)
        + _attribute("map-attribution", settings.widget_map_attribution)
    )
    shown_key = escape(settings.widget_demo_api_key or "VOTRE_CLE_API", quote=True)
    page = template.substitute(widget_attributes=attributes, shown_key=shown_key)
    return Response(page, media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})


@page(
    "/rendez-vous.js",
    summary="Le script de la page « Mon rendez-vous »",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}}, 304: {"description": "Inchangé"}},
)
async def booking_page_js(request: Request) -> Response:
    return _serve(request, asset(*PAGE_JS))


@page(
    "/rendez-vous.css",
    summary="La feuille de style de la page « Mon rendez-vous »",
    response_class=Response,
    responses={200: {"content": {"text/css": {}}}, 304: {"description": "Inchangé"}},
)
async def booking_page_css(request: Request) -> Response:
    return _serve(request, asset(*PAGE_CSS))


# The page holds no personal data (the booking is fetched by its script) and runs only its own files.
_PAGE_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
}


@lru_cache
def booking_page() -> Asset:
    def versioned(path: str, item: Asset) -> str:
        return f"{path}?v={item.etag.strip(chr(34))[:12]}"

    page = Template(_static("rendez-vous.html").decode("utf-8")).substitute(
        script=versioned("/rendez-vous.js", asset(*PAGE_JS)),
        page_css=versioned("/rendez-vous.css", asset(*PAGE_CSS)),
        widget_css=versioned("/widget.css", asset(*WIDGET_CSS)),
    )
    body = page.encode("utf-8")
    return Asset(body, "text/html; charset=utf-8", '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


@page(
    "/rendez-vous",
    summary="Mon rendez-vous : la page du lien reçu par e-mail ou SMS (voir, reporter, annuler)",
    description=(
        "Le jeton du rendez-vous suit le `#` de l'adresse (`/rendez-vous#<jeton>`) : le navigateur ne "
        "l'envoie jamais au serveur, il n'apparaît donc dans aucun journal ni en-tête Referer."
    ),
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}, 304: {"description": "Inchangé"}},
)
async def booking_page_html(request: Request) -> Response:
    item = booking_page()
    if item.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=_PAGE_HEADERS | {"ETag": item.etag})
    return Response(item.body, media_type=item.media_type, headers=_PAGE_HEADERS | {"ETag": item.etag})


@page(
    "/agents.js",
    summary="Le script de la console des agents",
    response_class=Response,
    responses={200: {"content": {"text/javascript": {}}}, 304: {"description": "Inchangé"}},
)
async def agents_js(request: Request) -> Response:
    return _serve(request, asset(*AGENTS_JS))


@page(
    "/agents.css",
    summary="La feuille de style de la console des agents (écran et impression)",
    response_class=Response,
    responses={200: {"content": {"text/css": {}}}, 304: {"description": "Inchangé"}},
)
async def agents_css(request: Request) -> Response:
    return _serve(request, asset(*AGENTS_CSS))


def agents_page(settings: GatewaySettings) -> bytes:
    def versioned(path: str, item: Asset) -> str:
        return f"{path}?v={item.etag.strip(chr(34))[:12]}"

    authorize = settings.oidc_authorization_endpoint or (
        f"{settings.oidc_issuer.rstrip('/')}/authorize" if settings.oidc_issuer else ""
    )
    page = Template(_static("agents.html").decode("utf-8")).substitute(
        script=versioned("/agents.js", asset(*AGENTS_JS)),
        page_css=versioned("/agents.css", asset(*AGENTS_CSS)),
        auth_provider=escape(settings.auth_provider, quote=True),
        oidc_authorize=escape(authorize, quote=True),
        oidc_client=escape(settings.oidc_client_id, quote=True),
        public_url=escape(str(settings.public_url).rstrip("/"), quote=True),
        sms="true" if settings.sms_notifications else "false",
    )
    return page.encode("utf-8")


@page(
    "/agents",
    summary="La console des agents : la journée, prendre rendez-vous pour une personne, les passages, "
    "les fermetures, les chiffres d'activité",
    description=(
        "Page sans cadre applicatif : le jeton d'agent reste en mémoire de la page (jamais stocké ni dans "
        "l'adresse) ; connexion intégrée ou par le fournisseur OpenID Connect configuré."
    ),
    response_class=Response,
    responses={200: {"content": {"text/html": {}}}},
)
async def agents_page_html(request: Request) -> Response:
    body = agents_page(request.app.state.settings)
    return Response(body, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)
