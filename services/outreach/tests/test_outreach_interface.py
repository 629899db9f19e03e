"""Interface tests of outreach's real nameko entrypoints: a ``ServiceContainer(OutreachService)``
in this process on a fresh RabbitMQ vhost, its store in SQLite or a fresh PostgreSQL database.
Registry events are published to registry's exchange as registry's relay would; a small
stand-in answers registry's ``notifications`` (gap repair). What outreach publishes is read
back from its exchange."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Producer, Queue
from nameko.containers import ServiceContainer
from nameko.rpc import rpc
from nameko.testing.services import entrypoint_hook
from outreach.service import OutreachService
from outreach_testing import RegistryFacts, new_id
from shequ.errors import ValidationError
from shequ.relay import exchange_for
from shequ.testing import sign_as

from tests.support.containers import service_env, started
from tests.support.infra import rabbit_vhost, wait_until

pytestmark = pytest.mark.rabbit
SYSTEM = {"person_id": "system:test", "role": "system"}
LOG: list[dict[str, Any]] = []


class RegistryStandIn:
    """Answers ``registry.notifications`` from what the test published."""

    name = "registry"

    @rpc
    def notifications(
        self, actor: dict[str, Any], after: int = 0, limit: int = 500
    ) -> list[dict[str, Any]]:
        return [e for e in LOG if e["position"] > after][:limit]


@pytest.fixture
def running(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, store_url: str
) -> Iterator[tuple[ServiceContainer, str]]:
    LOG.clear()
    with rabbit_vhost() as amqp:
        service_env(monkeypatch, "outreach", store_url, amqp, tmp_path)
        stand_in = ServiceContainer(RegistryStandIn, {"AMQP_URI": amqp, "serializer": "json"})
        stand_in.start()
        with started(OutreachService, amqp) as container:
            yield container, amqp
            stand_in.stop()


def publish(amqp: str, contract: str, **data: Any) -> None:
    position = len(LOG) + 1
    env = {
        "contract": f"registry.{contract}",
        "version": 1,
        "service": "registry",
        "position": position,
        "prev": position - 1 or None,
        "event_id": f"r:{position}",
        "aggregate_id": new_id(),
        "aggregate_version": 1,
        "occurred_at": "2025-01-01T00:00:00+00:00",
        "actor": SYSTEM,
        "data": data,
    }
    LOG.append(sign_as("registry", env))
    with Connection(amqp) as conn:
        Producer(conn).publish(
            json.dumps(env, ensure_ascii=False),
            exchange=exchange_for("registry"),
            routing_key=f"registry.{contract}.v1",
            declare=[exchange_for("registry")],
            content_type="application/json",
        )


class OnTheExchange(RegistryFacts):
    """Registry's facts published to its exchange, as its relay would."""

    def __init__(self, amqp: str) -> None:
        self.amqp = amqp

    def announce(self, contract: str, **data: Any) -> str:
        publish(self.amqp, contract, **data)
        return "published"


def call(container: ServiceContainer, method: str, **kwargs: Any) -> Any:
    with entrypoint_hook(container, method, timeout=30) as hook:
        return hook(**kwargs)


def test_registry_events_become_cards_published_on_the_exchange(running):
    container, amqp = running
    listen = Queue(
        "test.outreach.out",
        exchange=exchange_for("outreach"),
        routing_key="#",
        durable=False,
        auto_delete=False,
    )
    with Connection(amqp) as conn:
        listen(conn.default_channel).declare()
    x = OnTheExchange(amqp).district(1)
    hid = x["households"][0]
    card = wait_until(
        lambda: call(container, "card", actor=SYSTEM, household_id=hid),
        timeout=60,
        what="the first card",
    )
    assert card["version"] == 1
    assert {c["person_id"] for c in card["contacts"]} == set(x["members"].values())
    assert all(c["phone"] for c in card["contacts"])
    pdf = call(container, "card_pdf", actor=SYSTEM, household_id=hid)
    assert pdf["pdf_base64"].startswith("JVBER")  # %PDF

    def issued() -> Any:
        with Connection(amqp) as conn:
            message = listen(conn.default_channel).get(no_ack=True)
            return json.loads(message.body) if message else None

    envelope = wait_until(issued, timeout=60, what="card.issued on the exchange")
    assert envelope["contract"] == "outreach.card.issued"
    assert envelope["data"]["household_id"] == hid and envelope["data"]["version"] == 1
    health = call(container, "health")
    assert health["inboxes"]["registry"]["position"] == len(LOG)


def test_bad_input_through_the_entrypoint_writes_nothing(running):
    container, _ = running
    before = call(container, "health")["log_position"]
    with pytest.raises(ValidationError) as err:
        call(
            container,
            "open_round",
            actor=SYSTEM,
            idempotency_key="itf-round-0001",
            community_id="not-an-id",
            title="走访",
            period_start="2025-01-01",
            period_end="2025-01-31",
            assignees=[new_id()],
        )
    assert err.value.field == "community_id"
    with pytest.raises(ValidationError) as unknown:
        call(container, "card", actor=SYSTEM, household_id=new_id(), colour="red")
    assert unknown.value.field == "colour"
    assert call(container, "health")["log_position"] == before
