"""Interface tests of the registry's real nameko entrypoints, the nameko way.

A real ``ServiceContainer(RegistryService, config)`` runs in this process on a fresh RabbitMQ
vhost, with its store in a SQLite file or a fresh PostgreSQL database, configured through the
same environment variables operators set. Entrypoints are called with ``entrypoint_hook``
(in-process) and, where the wire matters, over AMQP while ``entrypoint_waiter`` waits for the
worker. The relay's messages are read back from the broker, the sealer's tree heads from disk,
and the metrics from the HTTP endpoint.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from kombu import Connection, Exchange, Queue
from nameko.containers import ServiceContainer
from nameko.rpc import Rpc
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.testing.services import entrypoint_hook, entrypoint_waiter
from prometheus_client.parser import text_string_to_metric_families
from registry.application import Registry
from registry.domain import Community
from registry.domain.common import natural_id
from registry.domain.team import GROUPS
from registry.seed import sample_person
from registry.service import RegistryService
from registry.usecases import USE_CASES
from registry_testing import opened_registry
from shequ.actor import Actor
from shequ.audit import load_or_create_key, read_heads, signature_ok, verify_service
from shequ.errors import Forbidden, ShequError, ValidationError
from shequ.runtime import Platform
from shequ.store import Store

from tests.support.containers import service_env, started, wait_for
from tests.support.infra import free_port, rabbit_vhost

STAFF = {"person_id": "staff-1", "role": "district_staff"}
AUDITOR = {"person_id": "auditor-1", "role": "auditor"}
# Entrypoints outside the policy table: the platform's notifications and health, the seed, and
# ``batch`` (added by ``expose``; it runs policy-table commands, each authorised on its own).
PLATFORM_EXTRAS = {"notifications", "health", "seed_demo", "batch", "replay_dead_letter"}
RULES = USE_CASES.policy.rules
EXCHANGE = Exchange("shequ.registry.events", type="topic", durable=True)


# -- fixtures ---------------------------------------------------------------------------------
@dataclass
class Running:
    container: ServiceContainer
    amqp_uri: str
    store_url: str
    treehead_dir: Path
    key_dir: Path
    metrics_port: int

    def call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        with entrypoint_hook(self.container, method, timeout=30) as hook:
            return hook(*args, **kwargs)

    def health(self) -> dict[str, Any]:
        return self.call("health")  # type: ignore[no-any-return]

    @property
    def nameko_config(self) -> dict[str, Any]:
        return {"AMQP_URI": self.amqp_uri, "serializer": "json"}


@pytest.fixture(scope="module")
def metrics_port() -> int:
    # prometheus_client's registry is per process and health.serve starts one HTTP server per
    # port per process: every container in this module serves on the same port.
    return free_port()


@pytest.fixture
def amqp_uri() -> Iterator[str]:
    with rabbit_vhost() as uri:
        yield uri


@pytest.fixture
def service(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    store_url: str,
    amqp_uri: str,
    metrics_port: int,
) -> Iterator[Running]:
    treehead_dir, key_dir = tmp_path / "treeheads", tmp_path / "keys"
    service_env(
        monkeypatch, "registry", store_url, amqp_uri, tmp_path, metrics_port, SEAL_INTERVAL="1"
    )
    with started(RegistryService, amqp_uri) as container:
        yield Running(container, amqp_uri, store_url, treehead_dir, key_dir, metrics_port)


# -- helpers ----------------------------------------------------------------------------------
def establish(svc: Running, names: list[tuple[str, str]], prefix: str) -> list[dict[str, Any]]:
    svc.call(
        "establish_district", actor=STAFF, idempotency_key=f"{prefix}:district", name="胶河经济区"
    )
    return [community(svc, STAFF, f"{prefix}:c:{en}", name, en) for name, en in names]


def community(svc: Running, actor: dict[str, str], key: str, name: str, en: str) -> Any:
    """``establish_community`` through its entrypoint."""
    return svc.call("establish_community", actor=actor, idempotency_key=key, name=name, name_en=en)


def community_refused(
    error: type[ShequError], svc: Running, actor: dict[str, str], key: str, name: str, en: str
) -> Any:
    """The refusal ``establish_community`` raises (of type ``error``)."""
    with pytest.raises(error) as info:
        community(svc, actor, key, name, en)
    return info.value


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample served at /metrics, keyed by (sample name, labels)."""
    response = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
    response.raise_for_status()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


def sample(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float | None:
    return samples.get((name, frozenset(labels.items())))


# -- 1. commands through entrypoint_hook ------------------------------------------------------
def test_command_returns_its_result_and_a_repeat_writes_nothing(service: Running) -> None:
    assert service.health()["log_position"] == 0
    district = service.call(
        "establish_district", actor=STAFF, idempotency_key="itf:district", name="胶河经济区"
    )
    assert district == {"district_id": str(natural_id("district"))}
    lizhu = {"idempotency_key": "itf:c:lizhu", "name": "立柱", "name_en": "Lizhu"}
    first = service.call("establish_community", actor=STAFF, **lizhu)
    assert first == {"community_id": str(Community.create_id("立柱"))}
    position = service.health()["log_position"]
    assert position > 0

    again = service.call("establish_community", actor=STAFF, **lizhu)
    assert again == first
    assert service.health()["log_position"] == position

    listed = service.call("communities", actor=AUDITOR)
    assert [(c["community_id"], c["name"], c["name_en"]) for c in listed] == [
        (first["community_id"], "立柱", "Lizhu")
    ]


# -- 2. errors reach the caller, and nothing is written ---------------------------------------
def test_bad_input_and_forbidden_role_reach_the_caller_and_write_nothing(service: Running) -> None:
    establish(service, [("立柱", "Lizhu")], "itf2")
    position = service.health()["log_position"]
    assert position > 0

    invalid = community_refused(ValidationError, service, STAFF, "itf2:c:empty", "", "Empty")
    assert invalid.field == "name"
    assert invalid.code == "invalid"

    forbidden = community_refused(Forbidden, service, AUDITOR, "itf2:c:taqiao", "塔桥", "Taqiao")
    assert forbidden.field == "actor.role"
    assert forbidden.code == "forbidden"

    # The same refusal over AMQP, as a remote caller sees it, while the worker is awaited.
    with (
        entrypoint_waiter(service.container, "establish_community", timeout=30) as waited,
        ClusterRpcProxy(service.nameko_config, timeout=30) as proxy,
        pytest.raises(ValidationError) as remote,
    ):
        proxy.registry.establish_community(
            actor=STAFF, idempotency_key="itf2:c:remote", name="塔桥", name_en=""
        )
    assert remote.value.field == "name_en"
    assert remote.value.code == "invalid"
    with pytest.raises(ValidationError) as served:
        waited.get()
    assert served.value.field == "name_en"

    assert service.health()["log_position"] == position
    assert [c["name"] for c in service.call("communities", actor=AUDITOR)] == ["立柱"]


# -- 3. entrypoints and the policy table ------------------------------------------------------
def test_every_entrypoint_is_a_policy_row_or_a_platform_extra_and_vice_versa() -> None:
    container = ServiceContainer(RegistryService, {"AMQP_URI": "memory://", "serializer": "json"})
    entrypoints = {ep.method_name: ep for ep in container.entrypoints}
    names = set(entrypoints)

    assert all(isinstance(ep, Rpc) for ep in entrypoints.values())
    assert names - set(RULES) == PLATFORM_EXTRAS
    assert set(RULES) - names == set()
    assert not PLATFORM_EXTRAS & set(RULES)
    # Policy-derived entrypoints pass structured errors back as expected exceptions.
    for name in RULES:
        assert entrypoints[name].expected_exceptions == ShequError, name


# -- 4. metrics --------------------------------------------------------------------------------
def test_metrics_endpoint_serves_entrypoint_and_log_metrics(service: Running) -> None:
    port = service.metrics_port
    ep = {"service": "registry", "entrypoint": "establish_community"}
    before = scrape(port)

    def count(samples: Any, name: str, **labels: str) -> float:
        return sample(samples, name, **labels) or 0.0

    seconds_before = count(before, "shequ_entrypoint_seconds_count", **ep)
    ok_before = count(before, "shequ_entrypoint_calls_total", **ep, outcome="ok")
    invalid_before = count(before, "shequ_entrypoint_calls_total", **ep, outcome="invalid")
    forbidden_before = count(before, "shequ_entrypoint_calls_total", **ep, outcome="forbidden")
    appended_before = count(before, "shequ_events_appended_total", service="registry")

    communities = [("立柱", "Lizhu"), ("塔桥", "Taqiao"), ("乔庄", "Qiaozhuang")]
    establish(service, communities, "itf4")
    community_refused(ValidationError, service, STAFF, "itf4:c:bad", "", "Bad")
    community_refused(Forbidden, service, AUDITOR, "itf4:c:no", "禁止", "No")
    calls = len(communities) + 2
    position = service.health()["log_position"]

    after = scrape(port)
    seconds_count = count(after, "shequ_entrypoint_seconds_count", **ep)
    ok = count(after, "shequ_entrypoint_calls_total", **ep, outcome="ok")
    invalid = count(after, "shequ_entrypoint_calls_total", **ep, outcome="invalid")
    forbidden = count(after, "shequ_entrypoint_calls_total", **ep, outcome="forbidden")
    assert seconds_count >= seconds_before + calls
    assert (ok - ok_before, invalid - invalid_before, forbidden - forbidden_before) == (
        len(communities),
        1,
        1,
    )

    # The log gauges and the appended counter are refreshed by the metrics loop (every second).
    def log_metrics_caught_up() -> Any:
        s = scrape(port)
        return (
            s
            if (
                sample(s, "shequ_log_position", service="registry") == position
                and count(s, "shequ_events_appended_total", service="registry") - appended_before
                >= position
                and sample(s, "shequ_relay_lag", service="registry") is not None
            )
            else None
        )

    latest = wait_for(log_metrics_caught_up, what="log metrics to reach the log position")
    appended = count(latest, "shequ_events_appended_total", service="registry")
    assert appended - appended_before == position
    assert 0 <= (sample(latest, "shequ_relay_lag", service="registry") or 0) <= position


# -- 5. the relay publishes what the commands stored ------------------------------------------
def test_relay_publishes_every_stored_fact_in_order_with_a_prev_chain(service: Running) -> None:
    with Connection(service.amqp_uri) as conn:
        queue = Queue(
            f"test-relay-{uuid.uuid4().hex[:8]}",
            exchange=EXCHANGE,
            routing_key="#",
            durable=False,
            auto_delete=False,
        )
        bound = queue(conn.channel())
        bound.declare()

        communities = [("立柱", "Lizhu"), ("塔桥", "Taqiao")]
        results = establish(service, communities, "itf5")
        # A repeated key publishes nothing new.
        community(service, STAFF, "itf5:c:Lizhu", "立柱", "Lizhu")

        health = wait_for(
            lambda: (
                (h := service.health())["relay_lag"] == 0
                and h["relay_position"] == h["log_position"]
                and h
            ),
            what="relay lag 0",
        )
        assert health["relay_leader"] is True
        expected = ["registry.district.established"] + ["registry.community.established"] * len(
            communities
        )

        messages: list[Any] = []

        def drained() -> bool:
            while (message := bound.get(no_ack=True)) is not None:
                messages.append(message)
            return len(messages) >= len(expected)

        wait_for(drained, what=f"{len(expected)} relayed messages")
        # The relay advances its position only after the broker confirmed each message, so at
        # lag 0 every message (a duplicate too) is already queued: drain what is left.
        drained()

    envelopes = [json.loads(m.body) for m in messages]
    assert [e["contract"] for e in envelopes] == expected
    positions = [e["position"] for e in envelopes]
    assert positions == sorted(set(positions))
    assert positions[-1] <= health["log_position"]
    assert [e["prev"] for e in envelopes] == [None] + positions[:-1]
    assert [e["data"]["community_id"] for e in envelopes[1:]] == [
        r["community_id"] for r in results
    ]
    for message, envelope in zip(messages, envelopes, strict=True):
        assert message.properties["delivery_mode"] == 2
        assert message.properties["message_id"] == f"registry:{envelope['position']}"
        assert message.delivery_info["routing_key"] == f"{envelope['contract']}.v1"
        assert message.headers["position"] == envelope["position"]
        assert message.headers["prev"] == envelope["prev"]
        assert envelope["service"] == "registry"


# -- 6. the sealer signs tree heads ---------------------------------------------------------
def test_sealer_signs_a_tree_head_that_verifies(service: Running) -> None:
    establish(service, [("立柱", "Lizhu"), ("塔桥", "Taqiao")], "itf6")
    position = service.health()["log_position"]
    assert position > 0
    wait_for(lambda: service.health()["relay_leader"], what="relay leadership")

    heads_dir = service.treehead_dir / "registry" / "heads"

    def sealed_to_the_top() -> Any:
        heads = read_heads(service.treehead_dir / "registry")
        return heads if heads and heads[-1].last_position == position else None

    heads = wait_for(sealed_to_the_top, timeout=10, what=f"a tree head in {heads_dir}")
    head = heads[-1]
    assert (heads_dir / f"{head.tree_size:012d}.json").is_file()
    assert head.service == "registry"
    assert head.tree_size >= 1
    key_path = service.key_dir / "registry.ed25519.pem"
    assert key_path.is_file()
    public_key = load_or_create_key(key_path).public_key()
    assert signature_ok(head, public_key)
    wait_for(
        lambda: service.health()["sealed_size"] == head.tree_size,
        what="health to report the sealed size",
    )

    report = verify_service("registry", Store.parse(service.store_url), service.treehead_dir)
    assert report.ok, report
    assert report.heads == len(heads)
    assert report.checked >= head.tree_size
    assert report.problem is None


# -- 7. a batch applies the items that touch one aggregate in batch order ---------------------
def platform_app(svc: Running) -> Any:
    return next(ext for ext in svc.container.extensions if isinstance(ext, Platform)).runtime.app


@pytest.mark.parametrize(
    "store_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_batch_items_on_one_aggregate_apply_in_batch_order(service: Running) -> None:
    """On PostgreSQL the items of a batch run concurrently and share group commits; the ones
    that touch the same team are applied one after another in batch order, none is handed
    back as ``concurrent_change``, and items on different aggregates still share commits."""
    community = establish(service, [("立柱", "Lizhu")], "itf7")[0]["community_id"]
    team = service.call(
        "form_team", actor=STAFF, idempotency_key="itf7:team", community_id=community
    )["team_id"]
    app = platform_app(service)

    people = [
        {
            "command": "register_person",
            "args": {"idempotency_key": f"itf7:p:{n}", **sample_person(7000 + n, f"队员{n}")},
        }
        for n in range(30)
    ]
    batches, commands = app.committer.batches, app.committer.commands
    registered = service.call("batch", actor=STAFF, commands=people)
    assert all("ok" in r for r in registered), registered
    assert app.committer.commands - commands == len(people)
    assert app.committer.batches - batches < len(people)  # still concurrent: commits shared

    person_ids = [r["ok"]["person_id"] for r in registered]
    groups = sorted(GROUPS)
    joins = [
        {
            "command": "add_team_member",
            "args": {
                "idempotency_key": f"itf7:m:{n}",
                "team_id": team,
                "person_id": pid,
                "group": groups[n % len(groups)],
                "duties": f"职责{n}",
            },
        }
        for n, pid in enumerate(person_ids)
    ]
    joined = service.call("batch", actor=STAFF, commands=joins)
    assert [r.get("error") for r in joined] == [None] * len(joins)
    assert [r["ok"]["person_id"] for r in joined] == person_ids
    events = app.events.get(uuid.UUID(team))
    assert [e.person_id for e in events if type(e).__name__ == "MemberJoined"] == person_ids


# -- 8. the notification log serves services only ---------------------------------------------
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_notifications_serve_only_services(service: Running) -> None:
    """The log carries names and phones unmasked (it serves other services' gap repair): only
    the ``system`` role reads it; auditors replay the stored, sealed events instead."""
    person = service.call(
        "register_person",
        actor=STAFF,
        idempotency_key="itf8:person",
        **sample_person(8001, "王示例"),
    )["person_id"]
    for role in ("auditor", "district_staff"):
        with pytest.raises(Forbidden) as refused:
            service.call(
                "notifications", actor={"person_id": f"{role}-1", "role": role}, after=0, limit=10
            )
        assert (refused.value.code, refused.value.field) == ("forbidden", "actor.role")
    log = service.call(
        "notifications", actor={"person_id": "system", "role": "system"}, after=0, limit=10
    )
    assert [e["aggregate_id"] for e in log] == [person]


# -- 9. a refusal is one structured log line; the unexpected keeps its traceback --------------
@pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
def test_a_refusal_is_one_log_line_and_an_unexpected_error_keeps_its_traceback(
    service: Running, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO)
    community_refused(ValidationError, service, STAFF, "itf9:c:empty", "", "Empty")
    refusals = [r for r in caplog.records if "establish_community" in r.getMessage()]
    assert [(r.levelno, r.exc_info) for r in refusals] == [(logging.INFO, None)]
    line = refusals[0].getMessage()
    assert "\n" not in line
    for part in (
        "registry.establish_community",
        "code=invalid",
        "field=name",
        "role=district_staff",
        "duration_ms=",
    ):
        assert part in line, line

    caplog.clear()
    with pytest.raises(ValidationError) as missing:  # no actor: refused at the boundary
        service.call("communities")
    assert missing.value.field == "actor"

    caplog.clear()

    def broken(self: Registry) -> Any:
        raise TypeError("a bug the platform did not foresee")

    monkeypatch.setattr(Registry, "read", broken)
    with pytest.raises(TypeError):
        service.call("communities", actor=STAFF)
    failures = [r for r in caplog.records if r.exc_info and r.exc_info[0] is TypeError]
    assert [r.levelno for r in failures] == [logging.ERROR]


# -- 10. reads of personal data: noted in memory, stored in batches, sealed, kept on stop -----
def household_of(svc: Running, prefix: str) -> str:
    """One household in one village (the smallest world a household query needs)."""
    [community] = establish(svc, [("立柱", "Lizhu")], prefix)
    village = svc.call(
        "register_village",
        actor=STAFF,
        idempotency_key=f"{prefix}:village",
        community_id=community["community_id"],
        name="东王家村（示例）",
        sample=True,
    )["village_id"]
    head = svc.call(
        "register_person",
        actor=STAFF,
        idempotency_key=f"{prefix}:person",
        village_id=village,
        **{**sample_person(7001, "王示例"), "phone": "13812345678"},
    )["person_id"]
    return str(
        svc.call(
            "register_household",
            actor=STAFF,
            idempotency_key=f"{prefix}:household",
            village_id=village,
            head_id=head,
            address="东王家村（示例）第一村民小组8号",
            sample=True,
        )["household_id"]
    )


def test_clear_reads_are_stored_in_the_background_and_sealed_with_the_log(service: Running) -> None:
    household = household_of(service, "itf10")
    masked = service.call("household", actor=STAFF, household_id=household)
    assert masked["members"][0]["phone"] == "138****5678"
    clear = service.call("household", actor=STAFF, household_id=household, purpose="核实低保")
    assert clear["members"][0]["phone"] == "13812345678"
    reads = wait_for(
        lambda: service.call("personal_data_reads", actor=AUDITOR),
        what="the read flushed by the runtime",
    )
    assert [(r["reader_id"], r["use_case"], r["purpose"], r["subject_name"]) for r in reads] == [
        ("staff-1", "household", "核实低保", "王**")
    ]
    position = service.health()["log_position"]
    wait_for(
        lambda: (
            (read_heads(service.treehead_dir / "registry") or [None])[-1] is not None
            and read_heads(service.treehead_dir / "registry")[-1].last_position == position
        ),
        what="a tree head over the read",
    )
    report = verify_service("registry", Store.parse(service.store_url), service.treehead_dir)
    assert report.ok and report.checked >= position, report


@pytest.fixture
def reads_wait_long(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHEQU_READLOG_SECONDS", "3600")  # only a stop can store them


def test_reads_still_in_memory_are_stored_on_a_clean_stop(
    reads_wait_long: None, service: Running
) -> None:
    household = household_of(service, "itf11")
    service.call("household", actor=STAFF, household_id=household, purpose="核实低保")
    assert service.call("personal_data_reads", actor=AUDITOR) == []
    service.container.stop()
    with opened_registry(Store.parse(service.store_url)) as app:
        reads = app.personal_data_reads(Actor("auditor-1", "auditor"))
    assert [(r["reader_id"], r["purpose"], r["target_id"]) for r in reads] == [
        ("staff-1", "核实低保", household)
    ]
