"""The gateway's app in process (FastAPI's TestClient; no broker needed: nothing here reaches a
service). The route table the use-case tables call for is the table served; the OpenAPI
document is valid 3.1 and says what the models say; refusals before any RPC have the suite's
shape and status. The real process against real services: tests/test_e2e_gateway.py.

Requests go through httpx's ASGI transport on an event loop of the test's own: FastAPI's
TestClient waits on a thread portal, which hangs under the eventlet patching every test process
runs with (the gateway itself never runs patched)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from gateway import errors
from gateway.app import create_app
from gateway.routes import route_table, routes, table
from gateway.security import Principal, TokenAuthenticator
from gateway.settings import Settings
from openapi_spec_validator import validate
from shequ import errors as e
from shequ.suite import SERVICES

ERROR_KEYS = {"code", "message", "message_en", "field"}


class Client:
    """Blocking calls into the app in process (no lifespan: no RPC pool is opened)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
                return await c.request(method, path, **kw)

        return asyncio.run(go())

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Client:
    tokens = tmp_path_factory.mktemp("gw") / "tokens.json"
    actor = {"person_id": "staff-1", "role": "district_staff"}
    tokens.write_text(json.dumps({hashlib.sha256(b"good").hexdigest(): actor}))
    # a broker nobody listens on: any RPC would fail, so these tests prove none is made
    settings = Settings(amqp_uri="amqp://guest:guest@127.0.0.1:1/", tokens_file=tokens)
    return Client(create_app(settings))


def test_the_routes_served_are_the_use_case_tables(client: Client) -> None:
    served = {
        (method, r.path)
        for r in client.app.routes
        if r.path.startswith("/api/v1/") and hasattr(r, "methods") and "openapi" not in r.path
        for method in r.methods - {"HEAD"}  # type: ignore[attr-defined]
        if not r.path.endswith("/docs")
    }
    wanted = set(route_table())
    assert served == wanted
    cases = sum(len(list(table(s))) for s in SERVICES)
    assert len(wanted) == cases  # one route per use case, none twice
    for route in routes():
        assert route.method == ("GET" if route.case.reads else "POST"), route.path


def test_the_openapi_document_is_valid_and_generated_from_the_models(client: Client) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    validate(doc)
    assert doc["openapi"].startswith("3.1")
    assert [t["name"] for t in doc["tags"]] == list(SERVICES)
    post = doc["paths"]["/api/v1/registry/establish_community"]["post"]
    assert post["summary"] == "设立社区" and post["tags"] == ["registry"]
    ref = post["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert schema["title"] == "设立社区" and schema["additionalProperties"] is False
    assert set(schema["required"]) == {"idempotency_key", "name", "name_en"}
    assert post["requestBody"]["content"]["application/json"]["example"]["name"] == "立柱"
    get = doc["paths"]["/api/v1/registry/household"]["get"]
    params = {p["name"]: p for p in get["parameters"]}
    assert params["household_id"]["required"] and params["household_id"]["in"] == "query"
    assert not params["purpose"]["required"]
    assert get["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert client.get("/api/v1/docs").status_code == 200


def test_no_or_a_wrong_token_is_401_before_anything_else(client: Client) -> None:
    for headers in ({}, {"Authorization": "Bearer bad"}, {"Authorization": "Basic x"}):
        answer = client.post("/api/v1/registry/establish_community", json={}, headers=headers)
        assert answer.status_code == 401
        body = answer.json()
        assert body.keys() >= ERROR_KEYS and body["code"] == "unauthenticated"


GOOD = {"Authorization": "Bearer good"}


@pytest.mark.parametrize(
    ("method", "path", "kw", "field", "rule"),
    [
        ("post", "establish_community", {"json": {"name": "甲"}}, "idempotency_key", "required"),
        (
            "post",
            "establish_community",
            {"json": {"idempotency_key": "k-000001", "name": "甲", "name_en": "A", "x": 1}},
            "x",
            "unknown_argument",
        ),
        (
            "post",
            "establish_community",
            {
                "json": {
                    "idempotency_key": "k-000001",
                    "name": "甲",
                    "name_en": "A",
                    "actor": {"person_id": "p", "role": "system"},
                }
            },
            "actor",
            "unknown_argument",
        ),
        ("post", "establish_community", {"content": b"{not json"}, "body", "json"),
        ("post", "establish_community", {"content": b"[1, 2]"}, "body", "json"),
        ("get", "household", {"params": {"household_id": "nope"}}, "household_id", None),
        ("get", "household", {"params": {}}, "household_id", "required"),
        ("get", "communities", {"params": {"actor": "system"}}, "actor", "unknown_argument"),
        (
            "get",
            "personal_data_reads",
            {"params": {"subject_id": "00000000-0000-4000-8000-000000000001", "limit": "x"}},
            "limit",
            None,
        ),
    ],
)
def test_bad_input_is_400_naming_the_field(client, method, path, kw, field, rule) -> None:
    answer = getattr(client, method)(f"/api/v1/registry/{path}", headers=GOOD, **kw)
    body = answer.json()
    assert answer.status_code == 400, body
    assert body.keys() >= ERROR_KEYS and body["code"] == "invalid"
    assert body["field"] == field and body["message"] and body["message_en"]
    if rule:
        assert body["details"]["rule"] == rule


def test_query_numbers_and_booleans_reach_the_model_typed() -> None:
    queue = next(r for r in routes() if r.path == "/api/v1/casework/queue")
    args = queue.query_arguments({"include_closed": "true"}, set())
    assert args == {"include_closed": True}
    reads = next(r for r in routes() if r.path == "/api/v1/registry/personal_data_reads")
    assert reads.query_arguments({"limit": "20"}, set()) == {"limit": 20}
    assert reads.query_arguments({"limit": "2x"}, set()) == {"limit": "2x"}
    with pytest.raises(e.ValidationError) as err:
        reads.query_arguments({"limit": "1"}, {"limit"})
    assert err.value.field == "limit"


def test_unknown_paths_and_methods_keep_the_shape(client: Client) -> None:
    answer = client.get("/api/v1/registry/nothing", headers=GOOD)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    answer = client.post("/api/v1/registry/communities", headers=GOOD)
    assert answer.status_code == 405 and answer.json().keys() >= ERROR_KEYS


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (e.ValidationError("z", "e", "f"), 400),
        (e.Forbidden("z", "e"), 403),
        (e.NotFound("z", "e"), 404),
        (e.Conflict("z", "e"), 409),
        (e.Conflict("z", "e", code="idempotency_key_reused"), 409),
        (e.RuleViolation("z", "e", code="rule.team_already_formed"), 422),
        (e.Unavailable("z", "e"), 503),
        (errors.timeout("casework", 10), 504),
        (errors.unauthenticated(), 401),
        (e.ShequError("z", "e", code="rate_limited"), 429),
        (errors.upstream("casework", KeyError("x")), 502),
    ],
)
def test_each_error_class_has_its_status(error: e.ShequError, status: int) -> None:
    assert errors.status_of(error) == status
    assert errors.answer(error).status_code == status


def test_the_actor_comes_from_the_principal_only() -> None:
    principal = Principal.from_dict(
        {"person_id": "c-1", "role": "community_staff", "community_id": "c"}
    )
    assert principal.actor_for("registry") == {
        "person_id": "c-1",
        "role": "community_staff",
        "community_id": "c",
    }
    with pytest.raises(e.ValidationError):  # the suite's own checks of a role
        Principal.from_dict({"person_id": "x", "role": "king"})


def test_tokens_are_kept_hashed(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(
        json.dumps({hashlib.sha256(b"s3cret").hexdigest(): {"person_id": "a", "role": "auditor"}})
    )
    auth = TokenAuthenticator.from_file(path)
    assert "s3cret" not in path.read_text()
    assert next(iter(auth.by_digest.values())).role == "auditor"
