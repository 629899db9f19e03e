"""Actors the services can trust (ADR 0031), over a real broker: the registry's real nameko
service on a fresh RabbitMQ vhost with verification on (SHEQU_ALLOW_UNSIGNED_ACTORS=0) refuses
forged, expired, replayed, wrong-audience and unsigned actors sent over raw RPC, each with its
code, and takes a correctly signed one; ``shequ call`` signs with an operator's key; a service's
own gap-repair pulls are signed with its key; a batch is one claim."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nameko.standalone.rpc import ClusterRpcProxy
from registry.service import RegistryService
from shequ.actorsig import load_private_key, new_key_pair, sign_with
from shequ.errors import ActorRefused, Forbidden
from shequ.provenance import Signer
from shequ.rpcpull import rpc_puller
from shequ.testing import shequ_cli

from tests.support.containers import service_env, started
from tests.support.infra import rabbit_vhost

STAFF = {"person_id": "staff-1", "role": "district_staff"}
SYSTEM = {"person_id": "system", "role": "system"}


@dataclass
class Verifying:
    amqp: str
    ops: Ed25519PrivateKey
    ops_key_path: Path
    key_dir: Path

    def call(self, method: str, **kwargs: Any) -> Any:
        """``registry.METHOD(**kwargs)`` over AMQP, as any client on the broker sends it."""
        with ClusterRpcProxy({"AMQP_URI": self.amqp, "serializer": "json"}, timeout=30) as rpc:
            return getattr(rpc.registry, method)(**kwargs)

    def refused(self, method: str, **kwargs: Any) -> ActorRefused:
        with pytest.raises(ActorRefused) as refusal:
            self.call(method, **kwargs)
        assert refusal.value.field == "actor"
        assert refusal.value.message_zh and refusal.value.message_en
        return refusal.value

    def signed(self, actor: dict[str, Any], audience: str = "registry", **how: Any) -> Any:
        return sign_with(self.ops, "ops", actor, audience, **how)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Verifying]:
    """The registry with verification on, trusting the operator key ``ops``."""
    private, _ = new_key_pair(tmp_path / "actors", "ops")
    with rabbit_vhost() as amqp:
        service_env(
            monkeypatch,
            "registry",
            f"sqlite:///{tmp_path}/registry.db",
            amqp,
            tmp_path,
            ACTOR_TRUSTED_KEYS_DIR=str(tmp_path / "actors"),
            ALLOW_UNSIGNED_ACTORS="0",
        )
        with started(RegistryService, amqp):
            yield Verifying(amqp, load_private_key(private), private, tmp_path / "keys")


def test_bad_claims_over_raw_rpc_are_refused_each_with_its_code_and_write_nothing(
    registry: Verifying,
) -> None:
    before = registry.call("health")["log_position"]
    command = {"idempotency_key": "sig:district", "name": "胶河经济区"}
    unsigned = registry.refused("establish_district", actor=STAFF, **command)
    assert unsigned.code == "actor.unsigned"
    forged = {**registry.signed(STAFF), "person_id": "staff-2"}  # altered after signing
    assert registry.refused("establish_district", actor=forged, **command).code == "actor.forged"
    impostor = sign_with(Ed25519PrivateKey.generate(), "ops", STAFF, "registry")
    assert registry.refused("establish_district", actor=impostor, **command).code == (
        "actor.forged"
    )
    expired = registry.signed(STAFF, now=time.time() - 120)
    assert registry.refused("establish_district", actor=expired, **command).code == (
        "actor.expired"
    )
    other = registry.signed(STAFF, audience="casework")
    assert registry.refused("establish_district", actor=other, **command).code == "actor.audience"
    stranger = sign_with(Ed25519PrivateKey.generate(), "stranger", STAFF, "registry")
    assert registry.refused("establish_district", actor=stranger, **command).code == (
        "actor.unknown_key"
    )
    assert registry.call("health")["log_position"] == before  # nothing written

    claim = registry.signed(STAFF)
    made = registry.call("establish_district", actor=claim, **command)
    assert made["district_id"]
    assert registry.call("health")["log_position"] > before
    replayed = registry.refused("establish_district", actor=claim, **command)
    assert replayed.code == "actor.replayed"
    # the same claim is no good for a query either: one claim, one call
    assert registry.refused("communities", actor=claim).code == "actor.replayed"
    assert registry.call("communities", actor=registry.signed(STAFF)) == []


def test_every_platform_entrypoint_checks_the_claim(registry: Verifying) -> None:
    items = [
        {
            "command": "establish_district",
            "args": {"idempotency_key": "batch:district", "name": "胶河"},
        },
        {
            "command": "establish_community",
            "args": {"idempotency_key": "batch:community", "name": "立柱", "name_en": "Lizhu"},
        },
    ]
    assert registry.refused("batch", actor=STAFF, commands=items).code == "actor.unsigned"
    claim = registry.signed(STAFF)
    answers = registry.call("batch", actor=claim, commands=items)  # one claim for the batch
    assert all("ok" in a for a in answers), answers
    assert registry.refused("batch", actor=claim, commands=items).code == "actor.replayed"

    assert registry.refused("notifications", actor=SYSTEM).code == "actor.unsigned"
    assert registry.refused("replay_dead_letter", actor=STAFF, letter_id="x").code == (
        "actor.unsigned"
    )
    assert registry.refused("seed_demo", actor=SYSTEM).code == "actor.unsigned"
    # an operator's signed claim still needs the role: notifications are for services
    with pytest.raises(Forbidden):
        registry.call("notifications", actor=registry.signed(STAFF))
    assert len(registry.call("notifications", actor=registry.signed(SYSTEM))) >= 2


def test_a_service_pulls_notifications_with_a_claim_signed_by_its_own_key(
    registry: Verifying,
) -> None:
    registry.call(
        "establish_district",
        actor=registry.signed(STAFF),
        idempotency_key="pull:district",
        name="胶河",
    )
    # casework's key, its public half where the registry keeps its upstreams' keys
    casework = Signer.for_service("casework", registry.key_dir / "casework.ed25519.pem")
    pull = rpc_puller("registry", registry.amqp, casework)
    pulled = pull(0, 10)
    assert pulled and pulled[0]["service"] == "registry"
    assert len(pull(0, 10)) == len(pulled)  # each pull signs a fresh claim
    # casework's key speaks for the system role only
    as_staff = sign_with(casework.key, "service:casework", STAFF, "registry")
    assert registry.refused("communities", actor=as_staff).code == "actor.issuer"


def test_shequ_call_signs_with_the_operator_key(registry: Verifying) -> None:
    env = {**os.environ, "SHEQU_AMQP_URI": registry.amqp}
    env.pop("SHEQU_ACTOR_KEY", None)
    unsigned = shequ_cli("call", "registry", "communities", env=env)
    assert unsigned.returncode == 1
    assert json.loads(unsigned.stderr)["error"]["code"] == "actor.unsigned"

    env["SHEQU_ACTOR_KEY"] = str(registry.ops_key_path)
    made = shequ_cli(
        "call",
        "registry",
        "establish_district",
        json.dumps({"idempotency_key": "cli:district", "name": "胶河经济区"}),
        env=env,
    )
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["district_id"]
    listed = shequ_cli("call", "registry", "communities", env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
