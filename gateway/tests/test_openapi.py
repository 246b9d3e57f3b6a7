"""The aggregated OpenAPI document and the docs page."""

import httpx

from gateway.openapi.aggregate import merge


async def test_one_document_for_the_whole_public_api(gateway: httpx.AsyncClient):
    response = await gateway.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert "x-unavailable-services" not in document
    paths = document["paths"]
    for path in (
        "/v1/sites/nearest",  # locator
        "/v1/access-points/nearest",
        "/v1/demarches",  # booking
        "/v1/sites/{site_id}/slots",
        "/v1/help-near-me",  # the gateway's own
        "/v1/auth/login",
        "/.well-known/jwks.json",
    ):
        assert path in paths, path
    assert not any(p.startswith("/admin") for p in paths)
    assert "partnerKey" in document["components"]["securitySchemes"]
    schemas = document["components"]["schemas"]
    assert "HelpNearMeResponse" in schemas and "NearestSitesResponse" in schemas
    assert schemas["HelpNearMeResponse"]["examples"]
    refs = set()

    def collect(node):
        if isinstance(node, dict):
            refs.update(v.rsplit("/", 1)[1] for k, v in node.items() if k == "$ref")
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(document)
    assert refs <= set(schemas), refs - set(schemas)
    docs = await gateway.get("/docs")
    assert docs.status_code == 200 and "/openapi.json" in docs.text


def test_schema_names_that_clash_are_prefixed():
    own = {"paths": {}, "components": {"schemas": {"Point": {"type": "object", "title": "gateway"}}}}
    booking = {
        "paths": {
            "/v1/demarches": {"get": {"responses": {"200": {"$ref": "#/components/schemas/Point"}}}},
            "/v1/sites/nearest": {"get": {}},  # not booking's to publish
        },
        "components": {"schemas": {"Point": {"type": "object", "title": "booking"}}},
    }
    merged = merge(own, {"booking": booking})
    assert merged["components"]["schemas"]["BookingPoint"]["title"] == "booking"
    assert merged["components"]["schemas"]["Point"]["title"] == "gateway"
    ref = merged["paths"]["/v1/demarches"]["get"]["responses"]["200"]["$ref"]
    assert ref == "#/components/schemas/BookingPoint"
    assert "/v1/sites/nearest" not in merged["paths"]
