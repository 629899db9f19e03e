"""Interface tests of the assessment's real nameko entrypoints, the nameko way.

A real ``ServiceContainer(AssessmentService, config)`` runs in this process on a fresh RabbitMQ
vhost with its store in a SQLite file, configured through the environment variables operators
set. Entrypoints are called with ``entrypoint_hook``; an upstream envelope is published to the
registry's exchange and reaches the container's inbox; the relay's own messages are read back
from the broker.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from assessment.service import AssessmentService
from assessment_testing import uid
from kombu import Connection, Exchange, Queue
from nameko.containers import ServiceContainer
from nameko.testing.services import entrypoint_hook
from shequ.errors import Forbidden, RuleViolation, ValidationError
from shequ.subscriber import inbox_queue
from shequ.testing import sign_as
from test_assessment_scenario import V1

from tests.support.containers import service_env, started, wait_for
from tests.support.infra import rabbit_vhost

pytestmark = pytest.mark.rabbit

STAFF = {"person_id": "committee-1", "role": "district_staff"}


class Running:
    def __init__(self, container: ServiceContainer, amqp: str) -> None:
        self.container, self.amqp = container, amqp

    def call(self, method: str, **kwargs: Any) -> Any:
        with entrypoint_hook(self.container, method, timeout=30) as hook:
            return hook(**kwargs)


@pytest.fixture
def service(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Running]:
    with rabbit_vhost() as amqp:
        store_url = f"sqlite:///{tmp_path / 'assessment.db'}"
        service_env(
            monkeypatch, "assessment", store_url, amqp, tmp_path, ASSESSMENT_LATE_EVENTS="reopen"
        )
        with started(AssessmentService, amqp) as container:
            yield Running(container, amqp)


def test_entrypoints_inbox_and_relay(service: Running) -> None:
    """Commands and queries through real entrypoints; structured errors; a registry envelope
    reaches the inbox once; the relay publishes scheme.defined on assessment's exchange."""
    published = Queue(
        "itf-assessment-events",
        exchange=Exchange("shequ.assessment.events", type="topic", durable=True),
        routing_key="#",
    )
    with Connection(service.amqp) as conn:
        published.maybe_bind(conn)
        published.declare()
    assert service.call("health")["inboxes"].keys() == {
        "registry",
        "casework",
        "outreach",
        "finance",
    }
    result = service.call(
        "define_scheme",
        actor=STAFF,
        idempotency_key="itf-scheme-1",
        subject_kind="community",
        name="社区工作考核办法",
        effective_from="2025-01-01",
        **V1,
    )
    assert result["version"] == 1
    assert (
        service.call(
            "scheme", actor={"person_id": "r", "role": "auditor"}, subject_kind="community"
        )["versions"][0]["indicators"][0]["weight"]
        == "30"
    )
    top = service.call("health")["log_position"]

    def scheme_refused(error: type[Exception], method: str, key: str, **fields: Any) -> Any:
        """The district staff's ``method`` on the communities' scheme, refused with ``error``."""
        with pytest.raises(error) as info:
            service.call(
                method, actor=STAFF, idempotency_key=key, subject_kind="community", **fields
            )
        return info.value

    err = scheme_refused(
        RuleViolation,
        "revise_scheme",
        "itf-scheme-2",
        effective_from="2025-04-01",
        indicators=V1["indicators"][:2],
    )
    assert err.code == "rule.weights_not_100"
    invalid = scheme_refused(
        ValidationError, "define_scheme", "itf-scheme-3", name="x", effective_from="2025-01-01"
    )
    assert invalid.field == "indicators" and invalid.details["rule"] == "required"
    with pytest.raises(Forbidden):
        service.call(
            "grant_reward",
            actor={"person_id": "r", "role": "resident", "household_id": uid("hh")},
            idempotency_key="itf-reward-1",
            community_id=uid("c"),
            amount_fen=1,
            reason="x",
        )
    assert service.call("health")["log_position"] == top

    community = uid("community:立柱")
    envelope = {
        "contract": "registry.community.established",
        "version": 1,
        "service": "registry",
        "position": 1,
        "prev": None,
        "event_id": "registry:1",
        "aggregate_id": community,
        "aggregate_version": 1,
        "occurred_at": "2025-01-01T00:00:00+00:00",
        "actor": {},
        "data": {
            "community_id": community,
            "name": "立柱",
            "name_en": "Lizhu",
            "district_id": uid("district"),
        },
    }
    sign_as("registry", envelope)
    with Connection(service.amqp) as conn:
        inbox_queue("assessment", "registry")(conn.default_channel).declare()  # no race
        producer = conn.Producer()
        for _ in range(2):  # delivered twice: applied once
            producer.publish(
                json.dumps(envelope, ensure_ascii=False),
                exchange=Exchange("shequ.registry.events", type="topic", durable=True),
                routing_key="registry.community.established.v1",
                content_type="application/json",
                declare=[],
            )
    counts = wait_for(
        lambda: (
            (c := service.call("health")["inboxes"]["registry"]["counts"])
            and c["applied"] + c["duplicate"] >= 2
            and c
        ),
        what="registry envelope",
    )
    assert (counts["applied"], counts["duplicate"]) == (1, 1)
    reward = service.call(
        "grant_reward",
        actor=STAFF,
        idempotency_key="itf-reward-2",
        community_id=community,
        amount_fen=50_000,
        reason="表现突出",
    )
    assert reward["reward_id"]

    def contracts() -> set[str]:
        seen = set()
        with Connection(service.amqp) as conn:
            while (message := published.bind(conn).get(no_ack=True)) is not None:
                seen.add(json.loads(message.body)["contract"])
        return seen

    got: set[str] = set()
    wait_for(
        lambda: (
            got.update(contracts())
            or {"assessment.scheme.defined", "assessment.reward.granted"} <= got
        ),
        what="relayed events",
    )
