"""Interface tests of the casework nameko service: a real ``ServiceContainer`` on a fresh
RabbitMQ vhost, its store in SQLite or a fresh PostgreSQL database. Registry facts arrive as
envelopes published to the registry's exchange (what the registry's relay does) and go through
the real inbox subscriber; commands go through ``entrypoint_hook`` and over AMQP; the relay's
messages are read back from the broker; the deadline timer is fired by hand with a set clock.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casework.service import CaseworkService
from casework.usecases import USE_CASES
from casework_testing import RUBBISH, FixedClock, uid
from kombu import Connection, Exchange, Queue
from nameko.containers import ServiceContainer
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook
from shequ.errors import Forbidden, NotFound, RuleViolation, ValidationError
from shequ.subscriber import inbox_queue
from shequ.testing import publish_envelope, sign_as

from tests.support.containers import service_env, started, wait_for
from tests.support.infra import pg_database, rabbit_vhost

pytestmark = pytest.mark.rabbit

STAFF = {"person_id": "staff-1", "role": "district_staff"}
EXTRAS = {"notifications", "health", "batch", "replay_dead_letter", "deadline_timer"}
CASEWORK = Exchange("shequ.casework.events", type="topic", durable=True)


class Running:
    def __init__(self, container: ServiceContainer, amqp_uri: str) -> None:
        self.container, self.amqp_uri = container, amqp_uri
        self.position = 0

    def call(self, method: str, **kwargs: Any) -> Any:
        with entrypoint_hook(self.container, method, timeout=30) as hook:
            return hook(**kwargs)

    @property
    def app(self) -> Any:
        return next(
            d for d in self.container.extensions if type(d).__name__ == "Platform"
        ).runtime.app

    def registry_fact(self, contract: str, data: dict[str, Any]) -> None:
        """Publish one registry envelope, as the registry's relay would."""
        prev = self.position or None
        self.position += 1
        env = {
            "contract": f"registry.{contract}",
            "version": 1,
            "service": "registry",
            "position": self.position,
            "prev": prev,
            "event_id": f"registry:{self.position}",
            "aggregate_id": uid(),
            "aggregate_version": 1,
            "occurred_at": "2026-03-02T01:00:00+00:00",
            "actor": {"person_id": "system", "role": "system"},
            "data": data,
        }
        publish_envelope(self.amqp_uri, sign_as("registry", env))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def service(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Running]:
    with (
        rabbit_vhost() as amqp,
        pg_database() if request.param == "postgres" else _sqlite(tmp_path) as store_url,
    ):
        service_env(monkeypatch, "casework", store_url, amqp, tmp_path)
        sign_as("registry", {})  # the registry's key exists before casework starts
        with Connection(amqp) as conn:  # the inbox queue exists before facts are published
            inbox_queue("casework", "registry")(conn.channel()).declare()
        with started(CaseworkService, amqp) as container:
            yield Running(container, amqp)


class _sqlite:
    def __init__(self, tmp: Path) -> None:
        self.url = f"sqlite:///{tmp / 'store' / 'casework.db'}"

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc: object) -> None:
        return None


def directory(svc: Running) -> dict[str, str]:
    w = {"community": uid(), "village": uid(), "household": uid(), "team": uid(), "owner": uid()}
    svc.registry_fact(
        "community.established",
        {"community_id": w["community"], "name": "立柱", "name_en": "Lizhu", "district_id": uid()},
    )
    svc.registry_fact(
        "village.registered",
        {
            "village_id": w["village"],
            "name": "示例村",
            "community_id": w["community"],
            "registered_on": "2024-01-01",
            "sample": True,
        },
    )
    svc.registry_fact(
        "household.registered",
        {
            "household_id": w["household"],
            "village_id": w["village"],
            "head_id": uid(),
            "address": "第一组",
            "since": "2024-01-01",
            "sample": True,
        },
    )
    svc.registry_fact(
        "team.formed",
        {
            "team_id": w["team"],
            "community_id": w["community"],
            "name": "服务队",
            "groups": ["sanitation"],
        },
    )
    svc.registry_fact(
        "team.member_joined",
        {
            "team_id": w["team"],
            "community_id": w["community"],
            "person_id": w["owner"],
            "group": "sanitation",
            "name": "王示例",
            "phone": "13800000001",
            "duties": "保洁",
            "since": "2024-01-01",
        },
    )
    wait_for(
        lambda: svc.call("health")["inboxes"]["registry"]["position"] == 5,
        what="registry facts applied",
    )
    return w


def open_on_march_2(svc: Running, w: dict[str, str], key: str) -> dict[str, Any]:
    """With the service's clock at 2026-03-02 09:00, open a walk-in rubbish demand for the
    community (due 2026-03-05)."""
    svc.app.clock = FixedClock("2026-03-02T09:00:00+08:00")
    return svc.call(
        "open_case",
        actor=STAFF,
        idempotency_key=key,
        channel="walk_in",
        community_id=w["community"],
        **RUBBISH,
    )


def test_every_entrypoint_is_a_policy_row_or_a_platform_extra() -> None:
    found = {
        name
        for name in dir(CaseworkService)
        if getattr(getattr(CaseworkService, name), "nameko_entrypoints", None)
    }
    assert found == set(USE_CASES.cases) | EXTRAS


def test_a_case_opened_over_rpc_is_routed_from_inbox_facts_and_relayed(service: Running) -> None:
    w = directory(service)
    with Connection(service.amqp_uri) as conn:
        bound = Queue(
            f"test-{uuid.uuid4().hex[:8]}", exchange=CASEWORK, routing_key="#", durable=False
        )(conn.channel())
        bound.declare()
        opened = service.call(
            "open_case",
            actor=STAFF,
            idempotency_key="itf:case:1",
            channel="contact_card",
            household_id=w["household"],
            **RUBBISH,
        )
        accepted = service.call(
            "accept_case", actor=STAFF, idempotency_key="itf:accept:1", case_id=opened["case_id"]
        )
        assert accepted["owner_id"] == w["owner"]
        messages: list[Any] = []

        def drained() -> bool:
            while (m := bound.get(no_ack=True)) is not None:
                messages.append(json.loads(m.body))
            return len(messages) >= 3

        wait_for(drained, what="relayed case events")
    assert [m["contract"] for m in messages] == [
        "casework.case.opened",
        "casework.case.accepted",
        "casework.case.assigned",
    ]
    assert messages[2]["data"]["owner_id"] == w["owner"]
    assert [m["prev"] for m in messages[1:]] == [m["position"] for m in messages[:-1]]


def test_errors_cross_amqp_structured_and_write_nothing(service: Running) -> None:
    w = directory(service)
    before = service.call("health")["log_position"]
    with ClusterRpcProxy({"AMQP_URI": service.amqp_uri, "serializer": "json"}, timeout=30) as proxy:
        demand = {"case_type": "demand", "category": "rubbish", "channel": "walk_in", "title": "x"}
        with pytest.raises(NotFound) as nf:
            proxy.casework.open_case(
                actor=STAFF, idempotency_key="itf:bad:1", household_id=uid(), **demand
            )
        assert nf.value.field == "household_id"
        in_community = {"community_id": w["community"], **demand}
        with pytest.raises(ValidationError) as bad:
            proxy.casework.open_case(
                actor=STAFF, idempotency_key="itf:bad:2", colour="red", **in_community
            )
        assert bad.value.field == "colour"
        auditor = {"person_id": "a", "role": "auditor"}
        with pytest.raises(Forbidden):
            proxy.casework.open_case(actor=auditor, idempotency_key="itf:bad:3", **in_community)
    assert service.call("health")["log_position"] == before


def test_the_deadline_timer_chases_with_the_clock_it_is_given(service: Running) -> None:
    w = directory(service)
    opened = open_on_march_2(service, w, "itf:late:1")
    service.call("deadline_timer")  # due 2026-03-05: nothing yet
    assert service.call("overdue_cases", actor=STAFF) == []
    service.app.clock = FixedClock("2026-03-06T09:00:00+08:00")
    service.call("deadline_timer")
    overdue = service.call("overdue_cases", actor=STAFF)
    assert [(c["case_id"], c["chased_on"]) for c in overdue] == [(opened["case_id"], "2026-03-06")]


def test_a_fact_dated_before_it_was_typed_in_over_rpc(service: Running) -> None:
    """Issue 16: over AMQP, a paper petition is registered with the day it was received; a day
    in the future comes back as a structured error naming the field, and writes nothing."""
    w = directory(service)
    service.app.clock = FixedClock("2026-03-09T09:00:00+08:00")
    petition = {
        "form": "written",
        "petitioner_name": "李示例",
        "address": "示例村第一组",
        "request": "要求补发土地补偿款",
        "facts": "征地补偿款未足额发放",
    }
    args = {
        "actor": STAFF,
        "case_type": "petition",
        "category": "petition",
        "channel": "walk_in",
        "title": "征地补偿款未足额发放",
        "household_id": w["household"],
        "petition": petition,
    }
    before = service.call("health")["log_position"]
    with ClusterRpcProxy({"AMQP_URI": service.amqp_uri, "serializer": "json"}, timeout=30) as proxy:
        with pytest.raises(RuleViolation) as late:
            proxy.casework.open_case(
                idempotency_key="itf:paper:0", received_on="2026-03-10", **args
            )
        assert (late.value.code, late.value.field) == ("rule.date.future", "received_on")
        assert service.call("health")["log_position"] == before
        opened = proxy.casework.open_case(
            idempotency_key="itf:paper:1", received_on="2026-03-02", **args
        )
        case = proxy.casework.case(actor=STAFF, case_id=opened["case_id"])
    assert (case["received_on"], case["recorded_at"], case["due_on"]) == (
        "2026-03-02",
        "2026-03-09T01:00:00+00:00",
        "2026-03-17",
    )


def test_an_answer_dated_on_paper_and_the_queue_over_rpc(service: Running) -> None:
    """Issue 16: over AMQP, a case resolved and answered days before it was typed in keeps
    those days (the reopening window counts from the answer); an answer dated before the
    resolution is a structured error naming the field; queue rows show when the case was
    typed in beside the day it was received."""
    w = directory(service)
    service.app.clock = FixedClock("2026-03-09T09:00:00+08:00")
    with ClusterRpcProxy({"AMQP_URI": service.amqp_uri, "serializer": "json"}, timeout=30) as proxy:
        cw = proxy.casework
        case_id = cw.open_case(
            actor=STAFF,
            idempotency_key="itf:dated:open",
            channel="walk_in",
            household_id=w["household"],
            received_on="2026-03-02",
            **RUBBISH,
        )["case_id"]
        cw.accept_case(
            actor=STAFF,
            idempotency_key="itf:dated:accept",
            case_id=case_id,
            accepted_on="2026-03-02",
        )
        cw.start_case(actor=STAFF, idempotency_key="itf:dated:start", case_id=case_id)
        cw.resolve_case(
            actor=STAFF,
            idempotency_key="itf:dated:resolve",
            case_id=case_id,
            evidence=["清运记录"],
            resolved_on="2026-03-03",
        )
        answer = {"actor": STAFF, "case_id": case_id, "text": "已清运"}
        with pytest.raises(RuleViolation) as early:
            cw.answer_case(idempotency_key="itf:dated:answer0", answered_on="2026-03-02", **answer)
        assert (early.value.code, early.value.field) == ("rule.date.before_start", "answered_on")
        cw.answer_case(idempotency_key="itf:dated:answer", answered_on="2026-03-04", **answer)
        case = cw.case(actor=STAFF, case_id=case_id)
        rows = cw.queue(actor=STAFF, community_id=w["community"], include_closed=True)
    assert (case["resolved_on"], case["answered_on"], case["reopen_until"]) == (
        "2026-03-03",
        "2026-03-04",
        "2026-03-11",
    )
    assert [(r["received_on"], r["recorded_at"]) for r in rows] == [
        ("2026-03-02", "2026-03-09T01:00:00+00:00")
    ]


def test_scan_deadlines_runs_on_the_service_clock_never_on_a_callers(service: Running) -> None:
    """A caller cannot move the scan's clock: a ``now`` years ahead would chase (and later
    reprimand) cases early, and assessment would count them. Tests move the application's
    clock instead."""
    w = directory(service)
    opened = open_on_march_2(service, w, "itf:clock:1")  # due 2026-03-05
    before = service.call("health")["log_position"]
    for now in ("2031-01-01T09:00:00+08:00", 12345):
        with pytest.raises(ValidationError) as refused:
            service.call("scan_deadlines", actor=STAFF, now=now)
        assert refused.value.field == "now"
    [answer] = service.call(
        "batch",
        actor=STAFF,
        commands=[{"command": "scan_deadlines", "args": {"now": "2031-01-01T09:00:00+08:00"}}],
    )
    assert answer["error"]["field"] == "now"
    assert service.call("health")["log_position"] == before
    assert service.call("scan_deadlines", actor=STAFF)["chased"] == []  # the service's today
    service.app.clock = FixedClock("2026-03-06T09:00:00+08:00")
    assert service.call("scan_deadlines", actor=STAFF) == {
        "on": "2026-03-06",
        "chased": [opened["case_id"]],
        "reprimanded": [],
        "closed": [],
        "resolved": [],
    }
