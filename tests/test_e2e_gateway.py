"""End to end through HTTP: a real gateway process (``python -m gateway``, never
monkey-patched) in front of real registry and casework processes on RabbitMQ, as operators run
them. A command and a read reach the services and answer what RPC answers; every refusal comes
back in the suite's error shape with its status; a stopped service answers 503 at once; the
API holds up under a schemathesis run (no answer ≥ 500, every error in the suite's shape)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from shequ.testing import captured

from tests.support.gateway import STAFF, WithGateway, fuzz
from tests.support.infra import rabbit_vhost, wait_until
from tests.support.suite import fresh_stores, running

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
ERROR_KEYS = {"code", "message", "message_en", "field"}


class GatewaySuite(WithGateway):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        super().__init__(amqp, stores, tmp, {"registry": "registry", "casework": "casework"})


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GatewaySuite]:
    tmp = tmp_path_factory.mktemp("gateway")
    with (
        rabbit_vhost() as amqp,
        fresh_stores("sqlite", ("registry", "casework"), tmp) as db,
        running(GatewaySuite(amqp, db, tmp)) as s,
    ):
        yield s


def shaped(answer: requests.Response, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer's error body, checked: ``status``, the suite's keys, ``code`` if given."""
    body = answer.json()
    assert answer.status_code == status, (answer.status_code, body)
    assert body.keys() >= ERROR_KEYS, body
    assert body["message"] and body["message_en"]
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture(scope="module")
def district(suite: GatewaySuite) -> dict[str, Any]:
    gw = suite.gateway
    made = gw.post(
        "registry", "establish_district", {"idempotency_key": "gw-district", "name": "胶河经济区"}
    )
    assert made.status_code == 200, made.text
    community = gw.post(
        "registry",
        "establish_community",
        {"idempotency_key": "gw-community", "name": "立柱", "name_en": "Lizhu"},
    )
    assert community.status_code == 200, community.text
    return {"district": made.json(), "community_id": community.json()["community_id"]}


def test_a_command_and_a_read_through_http_answer_what_rpc_answers(suite, district):
    gw = suite.gateway
    over_http = gw.get("registry", "communities")
    assert over_http.status_code == 200, over_http.text
    over_rpc = suite.call("registry", "communities", actor=STAFF)
    assert over_http.json() == over_rpc
    assert [c["name"] for c in over_http.json()] == ["立柱"]
    # the actor recorded is the principal's, whatever the client might wish
    again = gw.post(
        "registry",
        "establish_community",
        {"idempotency_key": "gw-community", "name": "立柱", "name_en": "Lizhu"},
    )
    assert again.json() == {"community_id": district["community_id"]}  # idempotent repeat
    chart = gw.get(
        "registry", "organisation_chart", params={"community_id": district["community_id"]}
    )
    assert chart.status_code == 200, chart.text


def test_an_actor_sent_by_the_client_is_refused(suite, district):
    gw = suite.gateway
    body = {
        "idempotency_key": "gw-actor",
        "name": "冒名",
        "name_en": "Impostor",
        "actor": {"person_id": "x", "role": "system"},
    }
    err = shaped(gw.post("registry", "establish_community", body), 400, "invalid")
    assert err["field"] == "actor"
    err = shaped(gw.get("registry", "communities", params={"actor": "system"}), 400, "invalid")
    assert err["field"] == "actor"
    names = [c["name"] for c in suite.call("registry", "communities", actor=STAFF)]
    assert "冒名" not in names


def test_each_refusal_has_its_status_and_the_suites_shape(suite, district):
    gw = suite.gateway
    # 401: no token, a wrong token
    shaped(gw.get("registry", "communities", token=None), 401, "unauthenticated")
    shaped(gw.get("registry", "communities", token="nope"), 401, "unauthenticated")
    # 400: a missing field, a wrong type, an unknown field, a body that is not an object
    err = shaped(
        gw.post("registry", "establish_community", {"idempotency_key": "gw-x-0001", "name": "甲"}),
        400,
        "invalid",
    )
    assert err["field"] == "name_en" and err["details"]["rule"] == "required"
    err = shaped(
        gw.post(
            "registry",
            "establish_community",
            {"idempotency_key": "gw-x-0001", "name": 5, "name_en": "A"},
        ),
        400,
    )
    assert err["field"] == "name"
    shaped(gw.request("POST", "/api/v1/registry/establish_community", data="[1]"), 400)
    err = shaped(gw.get("registry", "household", params={"household_id": "not-a-uuid"}), 400)
    assert err["field"] == "household_id"
    # 403: an auditor may not write
    shaped(
        gw.post(
            "registry",
            "establish_community",
            {"idempotency_key": "gw-audit-1", "name": "审计", "name_en": "Audit"},
            token="auditor-token",
        ),
        403,
        "forbidden",
    )
    # 404: no such household; no such route
    shaped(
        gw.get(
            "registry", "household", params={"household_id": "00000000-0000-4000-8000-000000000001"}
        ),
        404,
        "not_found",
    )
    shaped(gw.get("registry", "no_such_use_case"), 404, "not_found")
    # 409: the same idempotency key with another command
    shaped(
        gw.post(
            "registry",
            "establish_community",
            {"idempotency_key": "gw-community", "name": "塔桥", "name_en": "Taqiao"},
        ),
        409,
        "idempotency_key_reused",
    )
    # 409 too: a second community of the same name
    shaped(
        gw.post(
            "registry",
            "establish_community",
            {"idempotency_key": "gw-community-2", "name": "立柱", "name_en": "Lizhu"},
        ),
        409,
        "already_exists",
    )
    # 422: a rule of the domain (a community has one service team)
    team = {"community_id": district["community_id"]}
    formed = gw.post("registry", "form_team", {"idempotency_key": "gw-team-1", **team})
    assert formed.ok, formed.text
    err = shaped(gw.post("registry", "form_team", {"idempotency_key": "gw-team-2", **team}), 422)
    assert err["code"] == "rule.team_already_formed" and err["field"] == "community_id"
    # 405 on a read sent as a command, still in the suite's shape
    shaped(gw.request("POST", "/api/v1/registry/communities", json={}), 405)


def test_health_readiness_and_metrics(suite, district):
    gw = suite.gateway
    assert gw.get("registry", "communities").status_code == 200
    assert requests.get(f"{gw.url}/healthz", timeout=5).json()["status"] == "alive"
    ready = requests.get(f"{gw.url}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["ready"], ready.text
    text = requests.get(f"http://127.0.0.1:{gw.metrics_port}/metrics", timeout=5).text
    assert 'shequ_gateway_requests_total{route="/api/v1/registry/communities",status="200"}' in text
    assert "shequ_gateway_rpc_pool_wait_seconds_count" in text
    assert "shequ_gateway_request_seconds_bucket" in text
    doc = requests.get(f"{gw.url}/api/v1/openapi.json", timeout=10).json()
    assert doc["openapi"].startswith("3.1")
    assert requests.get(f"{gw.url}/api/v1/docs", timeout=10).status_code == 200


@pytest.mark.timeout(600)
def test_schemathesis_finds_no_server_error_and_only_the_suites_error_shape(suite, district):
    gw = suite.gateway
    run = fuzz(gw.url, ("registry", "casework"), "staff-token")
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:] + suite.logs()


def test_a_stopped_service_answers_503_at_once(suite, district):
    """Last in this module: it stops casework. `shequ call` says so too, promptly."""
    gw = suite.gateway
    suite.procs["casework"].stop()
    household = {"household_id": "00000000-0000-4000-8000-000000000001"}
    answer, took = wait_until(
        lambda: (
            (r := gw.timed("GET", "/api/v1/casework/my_cases", params=household))
            and r[0].status_code == 503
            and r
        ),
        timeout=10,
        what="503 from the stopped casework",
    )
    body = shaped(answer, 503, "service_down")
    assert "casework" in body["message"] and "not running" in body["message_en"]
    answer, took = gw.timed("GET", "/api/v1/casework/my_cases", params=household)
    assert answer.status_code == 503 and took < 2.0, (answer.status_code, took)
    # the registry still answers through the same gateway
    assert gw.get("registry", "communities").status_code == 200
    cli = captured(
        [sys.executable, "-m", "shequ.cli", "call", "casework", "my_cases", "{}"],
        timeout=30,
        env={**suite.gateway.env},
    )
    assert cli.returncode != 0
    assert "未运行" in cli.stderr and "not running" in cli.stderr, cli.stderr
