"""RabbitMQ users per service (shequ.brokerusers, ADR 0031), on the local broker: each test makes
its own vhost and users with the suite's grants and checks what the broker refuses — a service
publishing to another service's event exchange, a service sending an RPC request other than a
notifications pull, a caller sending a reply or an event, a service binding to another
service's requests — and that a real service runs under its own user and answers the
gateway's user, who may also ask whether it runs (``shequ.presence``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from amqp.exceptions import AccessRefused
from kombu import Connection, Exchange, Queue
from registry.service import RegistryService
from shequ.brokerusers import (
    RPC_EXCHANGE,
    caller_grant,
    provision,
    service_grant,
    suite_grants,
)
from shequ.config import SERVICES
from shequ.presence import Presence, ServiceDown, require_running
from shequ.relay import exchange_for
from shequ.subscriber import inbox_queue

from tests.support.containers import service_env, started, wait_for
from tests.support.infra import RABBIT_API, rabbit_vhost, rpc

ADMIN = ("guest", "guest")
RPC = Exchange(RPC_EXCHANGE, type="topic", durable=True)


class Broker:
    """A test vhost with a user per role: ``casework`` and ``registry`` (services),
    ``gateway`` and ``ops`` (callers)."""

    def __init__(self, amqp: str) -> None:
        self.vhost = amqp.rsplit("/", 1)[1]
        prefix = f"shequ-test-{uuid.uuid4().hex[:8]}"
        self.users = {role: f"{prefix}-{role}" for role in ("casework", "registry", "gateway")}
        self.users["ops"] = f"{prefix}-ops"
        self.password = uuid.uuid4().hex
        grants = [
            service_grant("casework", self.users["casework"]),
            service_grant("registry", self.users["registry"]),
            caller_grant(self.users["gateway"]),
            caller_grant(self.users["ops"], operator=True),
        ]
        provision(
            RABBIT_API,
            ADMIN,
            self.vhost,
            grants,
            {g.user: self.password for g in grants},
        )
        with Connection(amqp) as conn:  # as the services would have declared them
            for name in ("registry", "casework"):
                exchange_for(name)(conn.default_channel).declare()
            RPC(conn.default_channel).declare()

    def uri(self, role: str) -> str:
        return f"amqp://{self.users[role]}:{self.password}@127.0.0.1:5672/{self.vhost}"

    def publish(self, role: str, exchange: Exchange, routing_key: str) -> None:
        """Publish one message as ``role``, waiting for the broker's confirm (a refusal
        raises)."""
        with Connection(self.uri(role), transport_options={"confirm_publish": True}) as conn:
            conn.Producer().publish("{}", exchange=exchange, routing_key=routing_key, retry=False)

    def refused(self, role: str, exchange: Exchange, routing_key: str) -> str:
        with pytest.raises(AccessRefused) as refusal:
            self.publish(role, exchange, routing_key)
        assert "ACCESS_REFUSED" in str(refusal.value)
        return str(refusal.value)

    def declare(self, role: str, queue: Queue) -> None:
        with Connection(self.uri(role)) as conn:
            queue(conn.default_channel).declare()

    def drop_users(self) -> None:
        for user in self.users.values():
            requests.delete(f"{RABBIT_API}/users/{user}", auth=ADMIN, timeout=10)


@pytest.fixture
def broker() -> Iterator[Broker]:
    with rabbit_vhost() as amqp:
        made = Broker(amqp)
        try:
            yield made
        finally:
            made.drop_users()


def test_a_service_publishes_events_only_to_its_own_exchange(broker: Broker) -> None:
    broker.publish("casework", exchange_for("casework"), "case.opened.v1")
    refusal = broker.refused("casework", exchange_for("registry"), "person.registered.v1")
    assert "shequ.registry.events" in refusal
    broker.refused("gateway", exchange_for("registry"), "person.registered.v1")
    broker.refused("ops", exchange_for("casework"), "case.opened.v1")


def test_only_the_gateway_and_operators_send_rpc_requests(broker: Broker) -> None:
    for caller in ("gateway", "ops"):
        broker.publish(caller, RPC, "registry.establish_district")
        broker.refused(caller, RPC, str(uuid.uuid4()))  # a reply: a caller cannot fake one
    refusal = broker.refused("casework", RPC, "registry.establish_district")
    assert "registry.establish_district" in refusal
    broker.refused("casework", RPC, "casework.open_case")  # not even to itself
    broker.publish("casework", RPC, "registry.notifications")  # gap repair
    broker.publish("casework", RPC, str(uuid.uuid4()))  # a reply


def test_a_service_binds_only_its_own_requests_and_inbox_queues(broker: Broker) -> None:
    broker.declare("casework", Queue("rpc-casework", RPC, routing_key="casework.*", durable=True))
    broker.declare("casework", inbox_queue("casework", "registry"))  # reads registry's events
    with pytest.raises(AccessRefused, match="ACCESS_REFUSED"):  # would steal registry's calls
        broker.declare(
            "casework", Queue("rpc-casework", RPC, routing_key="registry.*", durable=True)
        )
    with pytest.raises(AccessRefused, match="ACCESS_REFUSED"):
        broker.declare("casework", inbox_queue("registry", "casework"))  # not its own inbox
    with pytest.raises(AccessRefused, match="ACCESS_REFUSED"):
        broker.declare("gateway", Queue("rpc-registry", RPC, routing_key="registry.*"))


def running(uri: str, service: str) -> int:
    """``service``'s consumers as the gateway (and ``shequ call``) ask it: a passive declare of
    its RPC queue over ``uri``; a refusal of the declare raises."""
    presence = Presence(uri, ttl=0)
    try:
        return presence.count(service)
    finally:
        presence.close()


def test_a_service_runs_under_its_own_user_and_answers_the_gateway(
    broker: Broker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The gateway's and an operator's users may ask whether a service runs (a passive declare
    of ``rpc-<service>``, a queue they may not configure, read or bind) and call it."""
    uri = broker.uri("registry")
    service_env(monkeypatch, "registry", f"sqlite:///{tmp_path}/registry.db", uri, tmp_path)
    staff = {"person_id": "staff-1", "role": "district_staff"}
    for caller in ("gateway", "ops"):  # no queue yet: "not running", not a refusal
        assert running(broker.uri(caller), "registry") == 0
        with pytest.raises(ServiceDown):
            require_running("registry", broker.uri(caller))
    with started(RegistryService, uri):
        for caller in ("gateway", "ops"):
            assert running(broker.uri(caller), "registry") == 1
            require_running("registry", broker.uri(caller))
        made = rpc(
            broker.uri("gateway"),
            "registry",
            "establish_district",
            actor=staff,
            idempotency_key="users:district",
            name="胶河经济区",
        )
        assert made["district_id"]
        health: Any = wait_for(
            lambda: (
                (h := rpc(broker.uri("ops"), "registry", "health", timeout=10))
                and h["relay_lag"] == 0
                and h["published_position"] > 0
                and h
            ),
            what="the registry's relay publishing under its own user",
        )
        assert health["ready"]
    for caller in ("gateway", "ops"):  # stopped: its queue stays, with no consumer
        assert running(broker.uri(caller), "registry") == 0


def test_the_suite_grants_name_every_service_the_gateway_and_operators() -> None:
    users = [g.user for g in suite_grants(SERVICES, ("ops-alice",))]
    assert users == [*SERVICES, "gateway", "ops-alice"]


def test_compose_and_kubernetes_give_each_service_its_own_broker_user() -> None:
    from shequ.cli import password_setting
    from shequ.testing import shequ_cli

    from tests.support.compose import load_compose
    from tests.support.infra import REPO

    generated = shequ_cli("broker", "grants", "--k8s")
    assert generated.returncode == 0, generated.stderr
    assert generated.stdout == (REPO / "deploy/k8s/base/rabbitmq-users.yaml").read_text()

    compose = load_compose()
    provisioner = compose["services"]["broker-users"]
    assert provisioner["command"][2:5] == ["shequ.cli", "broker", "provision"]
    assert provisioner["depends_on"] == {"rabbitmq": {"condition": "service_healthy"}}
    for grant in suite_grants(SERVICES):
        assert provisioner["environment"][password_setting(grant.user)]
    for service in SERVICES:
        entry = compose["services"][service]
        uri = entry["environment"]["SHEQU_AMQP_URI"]
        assert uri.startswith(f"amqp://{service}:"), uri
        assert entry["depends_on"]["broker-users"] == {
            "condition": "service_completed_successfully"
        }
        assert "SHEQU_ALLOW_UNSIGNED_ACTORS" not in entry["environment"]
        assert entry["environment"]["SHEQU_ACTOR_TRUSTED_KEYS_DIR"] == "/etc/shequ/actor-keys"
        deployment = (REPO / f"deploy/k8s/base/{service}.yaml").read_text()
        assert f"secretRef: {{name: {service}-amqp}}" in deployment
        assert "SHEQU_ALLOW_UNSIGNED_ACTORS" not in deployment
    kustomization = (REPO / "deploy/k8s/base/kustomization.yaml").read_text()
    settings = [line for line in kustomization.splitlines() if not line.lstrip().startswith("#")]
    assert not any("SHEQU_ALLOW_UNSIGNED_ACTORS" in line for line in settings)
    for service in SERVICES:
        assert f"SHEQU_AMQP_URI=amqp://{service}:CHANGE-ME@" in kustomization


def test_broker_provision_names_what_is_missing_and_grants_print_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    from click.testing import CliRunner
    from shequ.cli import main

    for name in ("SHEQU_BROKER_ADMIN_USER", "SHEQU_BROKER_PASSWORD_REGISTRY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SHEQU_BROKER_ADMIN_PASSWORD", "x")
    missing = CliRunner().invoke(main, ["broker", "provision", "--operator", "ops-alice"])
    assert missing.exit_code == 1
    assert "SHEQU_BROKER_ADMIN_USER" in missing.output
    assert "SHEQU_BROKER_PASSWORD_OPS_ALICE" in missing.output
    assert "SHEQU_BROKER_ADMIN_PASSWORD," not in missing.output  # set: not named
    printed = CliRunner().invoke(main, ["broker", "grants"])
    assert printed.exit_code == 0
    grants = json.loads(printed.output)
    assert [g["user"] for g in grants] == [*SERVICES, "gateway", "ops"]
    assert grants[0] == service_grant(SERVICES[0]).as_dict()
