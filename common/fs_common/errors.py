"""One error shape for every service: RFC 9457 problem details (``application/problem+json``).

Routes raise an ``AppError``; ``install_error_handlers`` turns it, FastAPI's ``HTTPException`` and
request validation errors into problem+json. ``detail`` is written for the person reading it: French.
"""

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://api.france-services.example/problems/"
# The 503 of a service that is overloaded (its pool exhausted): a proxy must not send the call again.
OVERLOADED_TYPE = TYPE_BASE + "overloaded"

logger = logging.getLogger(__name__)

_STATUS_TITLES = {
    400: "Requête invalide",
    401: "Authentification requise",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    406: "Format non disponible",
    409: "Conflit",
    413: "Requête trop volumineuse",
    414: "Adresse trop longue",
    415: "Type de contenu non pris en charge",
    422: "Données invalides",
    429: "Trop de requêtes",
    431: "En-têtes trop volumineux",
    500: "Erreur interne",
    502: "Service indisponible",
    503: "Service indisponible",
    504: "Délai dépassé",
}


class AppError(Exception):
    """Base of the domain errors; subclasses fix the status and the problem type."""

    status: int = 400
    type_slug: str = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.title = title or _STATUS_TITLES.get(self.status, "Erreur")
        self.headers = headers or {}
        self.extensions = extensions


class BadRequest(AppError):
    status, type_slug = 400, "bad-request"


class Unauthorized(AppError):
    status, type_slug = 401, "unauthorized"


class Forbidden(AppError):
    status, type_slug = 403, "forbidden"


class NotFound(AppError):
    status, type_slug = 404, "not-found"


class Conflict(AppError):
    status, type_slug = 409, "conflict"


class Unprocessable(AppError):
    status, type_slug = 422, "validation-error"


class TooManyRequests(AppError):
    status, type_slug = 429, "too-many-requests"


class ServiceUnavailable(AppError):
    status, type_slug = 503, "service-unavailable"


class BadGateway(AppError):
    status, type_slug = 502, "bad-gateway"


class GatewayTimeout(AppError):
    status, type_slug = 504, "gateway-timeout"


def problem_response(
    status: int,
    detail: str,
    *,
    type_slug: str | None = None,
    title: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (type_slug or str(status)),
        "title": title or _STATUS_TITLES.get(status, "Erreur"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body",)]
        fields.append({"field": ".".join(loc), "message": _french_message(err), "code": err.get("type")})
    return fields


_MESSAGES = {
    "missing": "Ce champ est obligatoire.",
    "int_parsing": "Un nombre entier est attendu.",
    "float_parsing": "Un nombre est attendu.",
    "bool_parsing": "Une valeur booléenne (true ou false) est attendue.",
    "datetime_from_date_parsing": "Une date et heure ISO 8601 est attendue.",
    "datetime_parsing": "Une date et heure ISO 8601 est attendue.",
    "date_from_datetime_parsing": "Une date AAAA-MM-JJ est attendue.",
    "date_parsing": "Une date AAAA-MM-JJ est attendue.",
    "uuid_parsing": "Un identifiant UUID est attendu.",
    "json_invalid": "Le corps de la requête n'est pas un JSON valide.",
    "enum": "Valeur non reconnue.",
    "literal_error": "Valeur non reconnue.",
    "string_too_short": "Texte trop court.",
    "string_too_long": "Texte trop long.",
    "string_pattern_mismatch": "Format non reconnu.",
    "value_error": "Valeur invalide.",
    "extra_forbidden": "Champ inconnu : retirez-le.",
    "string_type": "Un texte est attendu.",
    "int_type": "Un nombre entier est attendu.",
    "int_from_float": "Un nombre entier est attendu.",
    "float_type": "Un nombre est attendu.",
    "bool_type": "Une valeur booléenne (true ou false) est attendue.",
    "list_type": "Une liste est attendue.",
    "dict_type": "Un objet JSON est attendu.",
    "model_type": "Un objet JSON est attendu.",
    "model_attributes_type": "Un objet JSON est attendu.",
    "too_short": "Liste trop courte.",
    "too_long": "Liste trop longue.",
    "email_type": "Une adresse e-mail est attendue.",
    "time_parsing": "Une heure HH:MM est attendue.",
    "timezone_aware": "Une date et heure avec son fuseau (décalage UTC) est attendue.",
    "timezone_naive": "Une date et heure sans fuseau est attendue.",
    "date_out_of_range": "La date doit être comprise entre le 01/01/2000 et le 31/12/2100.",
}


def _french_message(err: dict[str, Any]) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    or_equal = "ou égale " if kind.endswith("_equal") else ""
    if kind in ("greater_than_equal", "greater_than"):
        return f"La valeur doit être supérieure {or_equal}à {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"La valeur doit être inférieure {or_equal}à {ctx.get('le', ctx.get('lt'))}."
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    if kind == "enum" and ctx.get("expected"):
        return f"Valeur non reconnue ; valeurs possibles : {ctx['expected']}."
    # pydantic's own message is English: the code stays in ``code`` for developers, people read French.
    return _MESSAGES.get(kind, "Valeur invalide.")


def route_of(request: Request) -> str:
    """The matched route's template (``/v1/bookings/manage/{token}``), never the raw path: a path may
    hold a token or an e-mail, and logs keep what they are given. ``unmatched`` when no route matched."""
    return getattr(request.scope.get("route"), "path", None) or "unmatched"


def _stack(exc: BaseException) -> str:
    """Where an unexpected error was raised, file and line and code, without its message: a message
    may quote the values at fault (a name, an e-mail, a token)."""
    return "".join(traceback.format_tb(exc.__traceback__))


def install_error_handlers(app: FastAPI) -> None:
    """Every error leaves as problem+json; an unexpected exception is logged and becomes a 500."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.detail,
            type_slug=exc.type_slug,
            title=exc.title,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extensions,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        fields = _field_errors(exc)
        summary = "; ".join(f"{f['field'] or 'requête'} : {f['message']}" for f in fields)
        return problem_response(
            422,
            f"Paramètres invalides. {summary}",
            type_slug="validation-error",
            instance=request.url.path,
            errors=fields,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else _STATUS_TITLES.get(exc.status_code, "Erreur")
        if exc.status_code == 404 and detail == "Not Found":
            detail = "Aucune ressource à cette adresse."
        elif exc.status_code == 405 and detail == "Method Not Allowed":
            detail = "Cette méthode n'est pas permise sur cette adresse."
        return problem_response(
            exc.status_code, detail, instance=request.url.path, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(SQLAlchemyTimeoutError)
    async def _pool_exhausted(request: Request, exc: SQLAlchemyTimeoutError) -> JSONResponse:
        # Every database connection stayed busy for the pool's whole timeout: overload, not a bug.
        logger.warning("database pool exhausted", extra={"route": route_of(request)})
        return problem_response(
            503,
            "Le service est momentanément surchargé ; réessayez dans quelques secondes.",
            type_slug="overloaded",
            instance=request.url.path,
            headers={"Retry-After": "2"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.error(
            "unhandled error",
            extra={"route": route_of(request), "error": type(exc).__name__, "stack": _stack(exc)},
        )
        return problem_response(
            500, "Une erreur inattendue est survenue ; elle a été enregistrée.", instance=request.url.path
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> JSONResponse:
        # SQLSTATE class 22 (data exception): a value the database cannot hold, e.g. an id beyond its
        # integers. It came from the request: say so. Any other database error is a bug (500).
        if str(getattr(exc.orig, "sqlstate", "") or "").startswith("22"):
            logger.warning("request value refused by the database", extra={"route": route_of(request)})
            return problem_response(
                422,
                "Une valeur de la requête dépasse ce que le service accepte (nombre trop grand, date "
                "impossible…).",
                type_slug="validation-error",
                instance=request.url.path,
            )
        return await _unexpected(request, exc)


# The shape of every error body, as documented.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}


def problem_doc(status: int) -> dict[str, Any]:
    return {
        "description": _STATUS_TITLES.get(status, "Erreur"),
        "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}},
    }


# Documented in each route's OpenAPI ``responses``.
PROBLEM_RESPONSE_DOC: dict[int | str, dict[str, Any]] = {
    status: problem_doc(status) for status in (400, 404, 422)
}

# What any operation of a service may answer before or besides its own logic: the request guard
# (``fs_common.limits``: 404, 413, 414, 431) and request validation (422).
SERVICE_STATUSES = (404, 413, 414, 422, 431)


def document_problems(document: dict[str, Any], statuses: tuple[int, ...]) -> dict[str, Any]:
    """Documents ``statuses`` as problem+json on every operation that does not document them already, and
    FastAPI's default 422 (``HTTPValidationError``, JSON) as the problem+json that is really sent."""
    for item in document.get("paths", {}).values():
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch", "head", "options"):
                continue
            responses = operation.setdefault("responses", {})
            validation = responses.get("422", {}).get("content", {}).get("application/json", {})
            if "HTTPValidationError" in str(validation.get("schema", "")):
                responses["422"] = problem_doc(422)
            for status in statuses:
                responses.setdefault(str(status), problem_doc(status))
            for response in responses.values():
                content = response.get("content", {})
                if PROBLEM_JSON in content and not content[PROBLEM_JSON]:
                    content[PROBLEM_JSON] = {"schema": PROBLEM_SCHEMA}
    return document
