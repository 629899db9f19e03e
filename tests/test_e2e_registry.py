"""End to end with real processes: registry commands over RPC reach a downstream consumer
exactly once, and the demo district loads through `seed_demo`."""

from __future__ import annotations

import pytest
from shequ.errors import Forbidden, ValidationError

from tests.support.infra import wait_until
from tests.support.suite import SYSTEM

STAFF = {"person_id": "staff-1", "role": "district_staff"}


def _communities(suite, n: int, prefix: str = "社区") -> list[dict]:
    suite.establish_district(STAFF, "e2e-district")
    return suite.establish_communities(STAFF, "e2e-community", n, prefix + "{}")


def test_commands_reach_the_consumer_exactly_once(suite):
    suite.start(suite.registry, suite.mirror)
    _communities(suite, 12)
    # A repeat with the same key is answered from the record and writes nothing new.
    again = suite.call(
        "registry",
        "establish_community",
        actor=STAFF,
        idempotency_key="e2e-community-0003",
        name="社区3",
        name_en="Community 3",
    )
    assert again["community_id"]
    published = wait_until(lambda: suite.published_positions(), what="published")
    copied = wait_until(
        lambda: (
            (c := suite.call("mirror", "copied", actor=SYSTEM)) and len(c) >= len(published) and c
        ),
        what="mirror caught up",
    )
    assert copied == published
    assert len(published) == 13  # district + 12 communities; idempotency records unpublished
    counts = suite.call("mirror", "health")["inboxes"]["registry"]["counts"]
    assert counts["repaired"] == 0  # all came through the queue, not the catch-up pull


def test_consumer_started_late_catches_up_from_the_log(suite):
    suite.start(suite.registry)
    _communities(suite, 5)
    published = wait_until(lambda: suite.published_positions(), what="published")
    suite.start(suite.mirror)  # its queue did not exist when these were published
    copied = wait_until(
        lambda: (
            (c := suite.call("mirror", "copied", actor=SYSTEM)) and len(c) >= len(published) and c
        ),
        what="late consumer caught up",
    )
    assert copied == published


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_errors_cross_rpc_structured_and_write_nothing(suite):
    suite.start(suite.registry)
    _communities(suite, 1)
    before = suite.call("registry", "health")["log_position"]

    def establish(actor: dict[str, str], key: str, **fields: str) -> None:
        suite.call("registry", "establish_community", actor=actor, idempotency_key=key, **fields)

    with pytest.raises(ValidationError) as err:
        establish(STAFF, "e2e-bad-1", name="", name_en="Nothing")
    assert err.value.field == "name" and err.value.message_en
    with pytest.raises(Forbidden):
        establish(
            {"person_id": "a-1", "role": "auditor"}, "e2e-bad-2", name="审计社区", name_en="Audit"
        )
    with pytest.raises(ValidationError) as err:  # a missing argument names the field
        establish(STAFF, "e2e-bad-3", name="缺英文名")
    assert err.value.field == "name_en" and err.value.details["rule"] == "required"
    with pytest.raises(ValidationError) as err:  # so does an unknown one
        establish(STAFF, "e2e-bad-4", name="多余参数", name_en="Extra", colour="red")
    assert err.value.field == "colour"
    with pytest.raises(Forbidden):  # refused before any lookup: no hint whether ids exist
        suite.call(
            "registry",
            "appoint",
            actor={"person_id": "a-2", "role": "auditor"},
            idempotency_key="e2e-bad-5",
            post="secretary",
            organisation_id="00000000-0000-0000-0000-000000000000",
            person_id="00000000-0000-0000-0000-000000000001",
        )
    assert suite.call("registry", "health")["log_position"] == before


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_demo_district_seeds_once(suite):
    suite.start(suite.registry)
    first = suite.call("registry", "seed_demo", actor=SYSTEM, timeout=600)
    top = suite.call("registry", "health")["log_position"]
    suite.call("registry", "seed_demo", actor=SYSTEM, timeout=600)
    assert suite.call("registry", "health")["log_position"] == top
    names = {c["name"] for c in suite.call("registry", "communities", actor=STAFF)}
    assert {"立柱", "塔桥", "下泊", "柏乡"} <= names
    assert first


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_batch_runs_each_command_once_and_reports_each_outcome(suite):
    suite.start(suite.registry)
    _communities(suite, 0)
    items = [
        {
            "command": "establish_community",
            "args": {
                "idempotency_key": f"batch-{i:04d}",
                "name": f"批量{i}",
                "name_en": f"Batch {i}",
            },
        }
        for i in range(30)
    ]
    items[7]["args"]["name"] = ""  # refused alone; the others still go through
    items.append({"command": "communities", "args": {}})  # queries are not commands
    first = suite.call("registry", "batch", actor=STAFF, commands=items)
    assert [("error" in r) for r in first] == [i in (7, 30) for i in range(31)]
    assert first[7]["error"]["field"] == "name" and first[30]["error"]["field"] == "command"
    top = suite.call("registry", "health")["log_position"]
    again = suite.call("registry", "batch", actor=STAFF, commands=items)
    assert again == first
    assert suite.call("registry", "health")["log_position"] == top
    refused = suite.call(
        "registry", "batch", actor={"person_id": "a", "role": "auditor"}, commands=items[:2]
    )
    assert all(r["error"]["code"] == "forbidden" for r in refused)


@pytest.mark.parametrize("suite", ["sqlite"], indirect=True)
def test_poison_message_goes_to_the_dead_letter_queue_and_the_consumer_goes_on(suite):
    from shequ.ops.deadletters import list_letters as list_dead_letters

    suite.mirror.env["SHEQU_MIRROR_POISON"] = "毒丸"
    suite.start(suite.registry, suite.mirror)
    communities = ["社区甲", "毒丸社区", "社区乙"]
    _communities(suite, 0)
    for i, name in enumerate(communities):
        suite.call(
            "registry",
            "establish_community",
            actor=STAFF,
            idempotency_key=f"poison-{i:04d}",
            name=name,
            name_en=f"P{i}",
        )
    published = wait_until(lambda: suite.published_positions(), what="published")
    poisoned = published[2]  # district, 社区甲, then 毒丸社区

    def settled():
        health = suite.call("mirror", "health")["inboxes"]["registry"]
        return health if health["position"] == published[-1] else None

    health = wait_until(settled, timeout=60, what="consumer past the poison")
    assert health["counts"]["dead_lettered"] == 1
    assert suite.call("mirror", "copied", actor=SYSTEM) == [p for p in published if p != poisoned]
    letters = list_dead_letters(suite.amqp)
    assert len(letters) == 1
    letter = letters[0]
    assert letter["envelope"]["position"] == poisoned
    assert letter["headers"]["consumer"] == "mirror" and letter["headers"]["attempts"] == 3
    assert "poison marker" in letter["error"]["message"]
    assert len(list_dead_letters(suite.amqp)) == 1  # listing does not consume


def test_two_replicas_one_relay_and_failover(suite):
    """Scale-out: both replicas take commands, one relays; kill it and the other takes over."""
    from tests.support.infra import ServiceProcess, free_port

    second = ServiceProcess(
        "registry",
        "registry",
        {**suite.registry.env, "SHEQU_REGISTRY_METRICS_PORT": str(free_port())},
        suite.tmp,
    )
    second.log_path = suite.tmp / "registry-2.log"
    try:
        suite.start(suite.registry, second, suite.mirror)
        _communities(suite, 10, prefix="副本")
        healths: dict[int, bool] = {}

        def both_answered() -> bool:  # requests on the shared queue reach either replica
            health = suite.call("registry", "health")
            healths[health["pid"]] = health["relay_leader"]
            return len(healths) == 2

        wait_until(both_answered, timeout=60, interval=0.05, what="both replicas answer")
        assert sorted(healths.values()) == [False, True]  # two replicas answer, one leads
        leader_pid = next(pid for pid, leads in healths.items() if leads)
        leader = suite.registry if suite.registry.proc.pid == leader_pid else second
        leader.kill9()
        suite.establish_communities(STAFF, "e2e-community", 10, "副本{}", first=10)
        published = wait_until(lambda: suite.published_positions(), what="published")
        copied = wait_until(
            lambda: (
                (c := suite.call("mirror", "copied", actor=SYSTEM))
                and len(c) >= len(published)
                and c
            ),
            timeout=60,
            what="consumer caught up after failover",
        )
        assert copied == published and len(published) == 21
    finally:
        second.stop()
