"""One error shape everywhere: RFC 9457 problem details with a French detail."""

from typing import Annotated

import httpx
import pytest
from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import create_async_engine

from fs_common.app import create_service_app
from fs_common.db import create_engine
from fs_common.errors import Conflict
from fs_testkit.isolation import PG_BASE
from fs_testkit.servers import serve_in_process


def make_app():
    app = create_service_app(service="demo", title="demo", description="")

    @app.get("/conflict")
    async def conflict() -> None:
        raise Conflict("Ce créneau vient d'être pris.", alternatives=["2026-12-01T09:00:00+01:00"])

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    @app.get("/limit")
    async def limit(n: Annotated[int, Query(ge=1, le=10)]) -> dict:
        return {"n": n}

    @app.post("/strict")
    async def strict(body: Strict) -> dict:
        return body.model_dump()

    return app


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    days: list[int] = Field(min_length=1)


async def test_domain_error_carries_status_type_and_extensions():
    async with serve_in_process(make_app()) as client:
        response = await client.get("/conflict")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "https://api.france-services.example/problems/conflict",
        "title": "Conflit",
        "status": 409,
        "detail": "Ce créneau vient d'être pris.",
        "instance": "/conflict",
        "alternatives": ["2026-12-01T09:00:00+01:00"],
    }


async def test_validation_error_lists_fields_in_french():
    async with serve_in_process(make_app()) as client:
        too_big = await client.get("/limit", params={"n": 11})
        missing = await client.get("/limit")
    assert too_big.status_code == 422
    assert too_big.json()["errors"] == [
        {
            "field": "query.n",
            "message": "La valeur doit être inférieure ou égale à 10.",
            "code": "less_than_equal",
        }
    ]
    assert missing.json()["errors"][0]["message"] == "Ce champ est obligatoire."


async def test_every_validation_message_is_french_even_for_rare_errors():
    async with serve_in_process(make_app()) as client:
        response = await client.post("/strict", json={"name": 3, "days": [], "colour": "bleu", "x": [1]})
    assert response.status_code == 422
    messages = {e["field"]: (e["code"], e["message"]) for e in response.json()["errors"]}
    assert messages == {
        "name": ("string_type", "Un texte est attendu."),
        "days": ("too_short", "Liste trop courte."),
        "colour": ("extra_forbidden", "Champ inconnu : retirez-le."),
        "x": ("extra_forbidden", "Champ inconnu : retirez-le."),
    }


async def test_unexpected_error_is_a_500_problem_without_internals():
    app = make_app()
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret" not in response.text
    assert response.json()["detail"].startswith("Une erreur inattendue")


async def test_unknown_path_and_method_are_problem_json():
    async with serve_in_process(make_app()) as client:
        unknown = await client.get("/nowhere")
        wrong_method = await client.post("/conflict")
    assert unknown.status_code == 404 and unknown.json()["detail"] == "Aucune ressource à cette adresse."
    assert wrong_method.status_code == 405
    assert wrong_method.headers["content-type"] == "application/problem+json"


async def test_an_exhausted_database_pool_is_a_503_with_retry_after():
    """Every connection busy for the pool's whole timeout: the caller is told to come back, not a 500."""
    engine = create_async_engine(f"{PG_BASE}/postgres", pool_size=1, max_overflow=0, pool_timeout=0.2)
    app = create_service_app(service="demo", title="demo", description="")

    @app.get("/query")
    async def query() -> dict:
        async with engine.connect() as conn:
            return {"one": (await conn.execute(text("SELECT 1"))).scalar_one()}

    try:
        async with serve_in_process(app) as client, engine.connect():  # holds the only connection
            response = await client.get("/query")
        async with serve_in_process(app) as client:
            after = await client.get("/query")
    finally:
        await engine.dispose()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "2"
    assert response.json()["detail"].startswith("Le service est momentanément surchargé")
    assert after.json() == {"one": 1}


async def test_a_value_the_database_cannot_hold_is_a_422():
    engine = create_async_engine(f"{PG_BASE}/postgres", pool_size=1)
    app = create_service_app(service="demo", title="demo", description="")

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict:
        async with engine.connect() as conn:
            return {"id": (await conn.execute(text("SELECT CAST(:id AS int)"), {"id": item_id})).scalar_one()}

    try:
        async with serve_in_process(app) as client:
            too_big = await client.get("/items/99999999999999999999")
            fine = await client.get("/items/7")
    finally:
        await engine.dispose()
    assert too_big.status_code == 422
    assert too_big.headers["content-type"] == "application/problem+json"
    assert too_big.json()["detail"].startswith("Une valeur de la requête dépasse")
    assert fine.json() == {"id": 7}


async def test_error_logs_name_the_route_never_the_path_nor_the_values(caplog):
    """A path may hold a token, a failing statement's values a person's e-mail: neither is logged."""
    engine = create_engine(f"{PG_BASE}/postgres", pool_size=1)
    app = create_service_app(service="demo", title="demo", description="")
    secret_email = "zoe.secret-4471@example.org"

    @app.get("/manage/{token}")
    async def manage(token: str) -> dict:
        async with engine.connect() as conn:  # a statement the database refuses, with a personal value
            await conn.execute(text("SELECT CAST(:email AS int)"), {"email": secret_email})
        return {}

    @app.get("/crash/{token}")
    async def crash(token: str) -> dict:
        raise RuntimeError(f"cannot reach {secret_email} with {token}")

    token = "tok-9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                refused = await client.get(f"/manage/{token}")
                crashed = await client.get(f"/crash/{token}")
        async with engine.connect() as conn:  # and a traceback shows the statement, not its values
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(text("SELECT length(CAST(:email AS text)) / 0"), {"email": secret_email})
        assert "division by zero" in str(caught.value) and secret_email not in str(caught.value)
    finally:
        await engine.dispose()
    assert refused.status_code == 422 and crashed.status_code == 500
    records = [r for r in caplog.records if r.name == "fs_common.errors"]
    assert {r.route for r in records} == {"/manage/{token}", "/crash/{token}"}  # type: ignore[attr-defined]
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in records)
    assert "RuntimeError" in logged and "test_errors.py" in logged  # where it broke, for the developer
    assert token not in logged and secret_email not in logged
