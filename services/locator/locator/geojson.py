"""GeoJSON (RFC 7946) output, chosen with ``Accept: application/geo+json``: coordinates are [lon, lat]."""

from typing import Any

from fastapi import Request
from starlette.responses import Response

from fs_common.responses import json_response
from locator.sites.schemas import Point

GEOJSON = "application/geo+json"
GEOJSON_DOC: dict[int | str, dict[str, Any]] = {  # the OpenAPI of an answer that can be either
    200: {"content": {GEOJSON: {}}, "description": "JSON, ou GeoJSON (RFC 7946) sur demande"}
}


def wants_geojson(request: Request) -> bool:
    return GEOJSON in request.headers.get("accept", "")


def feature(point: Point, properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.lon, point.lat]},
        "properties": properties,
    }


def feature_collection(items: list[tuple[Point, dict[str, Any]]], **foreign_members: Any) -> Response:
    body = {"type": "FeatureCollection", "features": [feature(p, props) for p, props in items]}
    body.update(foreign_members)
    return json_response(body, media_type=GEOJSON)
