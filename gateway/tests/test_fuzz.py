"""The whole public API fuzzed through the gateway (schemathesis): every operation of the aggregated
OpenAPI, with a partner key and an agent token, inputs both valid and invalid; real bookings made first
so that the manage operations also run on live tokens, then one booking's whole life (created, viewed,
rescheduled, cancelled by its tokens) checked against the documents.

Checks on every answer: no server error, a documented status code, content type and schema, and every
error as problem+json. The budget is fixed (``EXAMPLES`` per operation and generation mode,
derandomised: the same cases on every run) and the number of cases run is printed.
"""

import datetime as dt
import itertools
import json
import uuid

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from fs_common.agent_auth import Role
from gateway.agents.tokens import TokenSigner, load_or_create_private_key
from gateway.main import create_app

from .conftest import PREFIX

EXAMPLES = 12
MANAGE = "/v1/bookings/manage"
DEMARCHE = "ants-carte-identite"


@schemathesis.check
def errors_are_problem_json(ctx, response, case) -> None:
    if response.status_code >= 400:
        media_type = response.headers.get("content-type", [""])[0]
        assert media_type == "application/problem+json", f"an error as {media_type!r}, not problem+json"
        problem = json.loads(response.content)
        assert problem.get("status") == response.status_code and problem.get("detail"), problem


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    errors_are_problem_json,
]


@pytest.fixture(scope="module")
def fuzz_gateway(gateway_settings, gateway_server, thread_server):
    """A gateway of its own (same services, database and signing key; its own Redis prefix and generous
    limits), so that what the fuzzer counts (logins, quotas) never reaches the other tests' gateway."""
    settings = gateway_settings.model_copy(
        update={
            "redis_prefix": PREFIX + "fuzz:",
            "anonymous_per_minute": 10**6,
            "anonymous_per_day": 10**8,
            "key_per_ip_per_minute": 10**6,
            "login_per_ip": "100000/minute",
        }
    )
    server = thread_server(lambda: create_app(settings))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def credentials(fuzz_gateway, gateway_settings, cli) -> dict[str, str]:
    output = cli("create-key", "--partner", "Fuzz", "--per-minute", "1000000", "--per-day", "100000000")
    key = next(line.split()[-1] for line in output.splitlines() if "fsk_" in line)
    signer = TokenSigner(load_or_create_private_key("", gateway_settings.jwt_private_key_file), 3600)
    # The agent's site is one no other test uses: what the fuzzer sends to its agendas (closures, new
    # rules) must not change the slots that other tests book.
    return {"key": key, "token": signer.issue(subject="fuzz", role=Role.agent, sites=[AGENT_SITE])}


SITE = 3015
AGENT_SITE = 2999


@pytest.fixture(scope="module")
def headers(credentials) -> dict[str, str]:
    return {"X-Api-Key": credentials["key"], "Authorization": f"Bearer {credentials['token']}"}


def _book(client: httpx.Client, starts_at: str) -> dict | None:
    """The booking, or None when the slot's desks are held meanwhile (listed free, but a booking just made
    for the slot before, by this test or another one at this site, overlaps it: 409)."""
    body = {
        "site_id": SITE,
        "demarches": [DEMARCHE],
        "starts_at": starts_at,
        "person": {"name": "Ada Lovelace", "email": "ada@example.org", "consent_contact": True},
    }
    response = client.post("/v1/bookings", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
    if response.status_code == 409:
        return None
    assert response.status_code == 201, response.text
    return response.json()


@pytest.fixture(scope="module")
def slots(fuzz_gateway, headers) -> list[str]:
    """Free slots of the site, three to six days ahead (within every cut-off)."""
    start = dt.date.today() + dt.timedelta(days=3)
    params = {
        "demarche": DEMARCHE,
        "from": start.isoformat(),
        "to": (start + dt.timedelta(days=3)).isoformat(),
    }
    with httpx.Client(base_url=fuzz_gateway.url, headers=headers, timeout=30) as client:
        response = client.get(f"/v1/sites/{SITE}/slots", params=params)
    assert response.status_code == 200, response.text
    free = [s["starts_at"] for s in response.json()["slots"]]
    assert len(free) >= 12
    return free


@pytest.fixture(scope="module")
def schema(fuzz_gateway, headers):
    with httpx.Client(base_url=fuzz_gateway.url, timeout=30) as client:
        document = client.get("/openapi.json").json()
    assert "x-unavailable-services" not in document
    loaded = schemathesis.openapi.from_dict(document)
    loaded.config.update(base_url=fuzz_gateway.url, headers=headers, request_timeout=30)
    return loaded


def test_a_booking_lives_by_its_tokens(schema, headers, slots):
    """Created, viewed, rescheduled (a new token), viewed, cancelled: each answer checked against the
    document."""

    def call(path: str, body: dict) -> dict:
        case = schema.find_operation_by_path("POST", path).Case(body=body, media_type="application/json")
        response = case.call(headers=headers | {"Idempotency-Key": uuid.uuid4().hex})
        case.validate_response(response, checks=CHECKS)
        assert response.status_code in (200, 201), response.text
        return response.json()

    created = call(
        "/v1/bookings",
        {
            "site_id": SITE,
            "demarches": [DEMARCHE],
            "starts_at": slots[-2],
            "person": {"name": "Grace Hopper", "email": "grace@example.org", "consent_contact": True},
        },
    )
    assert call(MANAGE, {"token": created["manage_token"]})["status"] == "confirmed"
    moved = call(f"{MANAGE}/reschedule", {"token": created["manage_token"], "starts_at": slots[-1]})
    assert moved["manage_token"] != created["manage_token"]
    assert call(MANAGE, {"token": moved["manage_token"]})["starts_at"] == slots[-1]
    assert call(f"{MANAGE}/cancel", {"token": moved["manage_token"]})["status"].startswith("cancelled")


def _fuzz(operation, mode: GenerationMode, headers: dict[str, str], live_token) -> int:
    """Runs ``EXAMPLES`` generated cases of one operation; the number run."""
    cases = 0
    on_a_token = operation.path.startswith(MANAGE)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    @given(case=operation.as_strategy(generation_mode=mode), token=live_token)
    def run(case, token) -> None:
        nonlocal cases
        if token and on_a_token and isinstance(case.body, dict):
            case.body["token"] = token  # a live booking's token, some of the time
        response = case.call(headers=headers)
        case.validate_response(response, checks=CHECKS)
        cases += 1

    try:
        run()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # Nothing in this operation can be made invalid (no parameter, no body).
    return cases


def test_the_whole_public_api_fuzzed(schema, fuzz_gateway, headers, slots, capsys):
    with httpx.Client(base_url=fuzz_gateway.url, headers=headers, timeout=30) as client:
        held = (_book(client, starts_at) for starts_at in slots)
        tokens = [booking["manage_token"] for booking in itertools.islice(filter(None, held), 6)]
    assert len(tokens) == 6
    live_token = st.sampled_from(tokens) | st.none()
    cases = 0
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode in GenerationMode:
            try:
                cases += _fuzz(operation, mode, headers, live_token)
            except (Exception, BaseExceptionGroup) as exc:  # all operations run; failures reported together
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    with capsys.disabled():
        print(
            f"\nschemathesis: {cases} cases over {len(operations)} operations, {len(failures)} failing",
            flush=True,
        )
    assert not failures, "\n\n".join(failures)
    assert len(operations) >= 30
