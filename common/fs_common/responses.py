"""Serialising a response once.

FastAPI validates a returned model against ``response_model`` again before serialising it; on hot
paths, routes return ``model_response(answer)`` instead (the ``response_model`` still documents it),
or ``json_response`` for content already shaped as the documented schema (dicts, lists, datetimes).
"""

from typing import Any

import orjson
from pydantic import BaseModel
from starlette.responses import Response


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")


def json_response(content: Any, media_type: str = "application/json") -> Response:
    """``content`` as JSON with orjson: datetimes in ISO 8601 with their offset, as pydantic writes them."""
    return Response(orjson.dumps(content), media_type=media_type)
