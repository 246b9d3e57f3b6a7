"""Serialising a response model once.

FastAPI validates a returned model against ``response_model`` again before serialising it; on hot
paths, routes return ``model_response(answer)`` instead (the ``response_model`` still documents it).
"""

from pydantic import BaseModel
from starlette.responses import Response


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
