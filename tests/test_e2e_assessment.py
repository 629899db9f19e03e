"""End to end with real processes: registry, assessment and a stand-in for casework, over a
real RabbitMQ vhost, each started by ``python -m shequ.runner`` as operators do.

``tests.support.standin.CaseworkStandIn`` is a platform service named ``casework`` whose
events the platform's relay publishes as ``casework.case.*`` envelopes checked against the
real casework contracts, so the test decides which cases were late; ``tests/test_e2e_suite.py``
runs the real casework. Duplicate deliveries are made the way a broker makes them: the
same envelopes published to the exchange again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Exchange
from shequ.errors import NotFound, RuleViolation, ShequError, ValidationError

from tests.support.facts import case_opened
from tests.support.infra import wait_until
from tests.support.schemes import community_scheme, measure
from tests.support.suite import Processes, on_fresh_vhost

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]

STAFF = {"person_id": "committee-1", "role": "district_staff"}
SYSTEM = {"person_id": "system:test", "role": "system"}
CASEWORK_STAND_IN = "tests.support.standin:CaseworkStandIn"


# -- the suite --------------------------------------------------------------------------------
class Trio(Processes):
    """Registry, assessment and the casework stand-in."""

    timeout = 30.0

    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        targets = {"registry": "registry", "assessment": "assessment"}
        super().__init__(amqp, stores, tmp, {**targets, "casework": CASEWORK_STAND_IN})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def processes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Trio]:
    names = ("registry", "assessment", "casework")
    with on_fresh_vhost(Trio, request.param, names, tmp_path, start=False) as suite:
        yield suite


SCHEME = community_scheme(
    [
        measure("on_time", "按时办结率", "daily", 40, "on_time_rate"),
        measure("satisfaction", "群众满意度", "service", 40, "satisfaction"),
        measure("key_tasks", "重点工作", "key_work", 20, "manual"),
    ]
)


def _world(p: Processes) -> dict[str, str]:
    p.establish_district(STAFF, "e2e-asm-district")
    ids = {}
    for name, en in (("立柱", "Lizhu"), ("塔桥", "Taqiao")):
        ids[name] = p.command(
            "registry", "establish_community", STAFF, f"e2e-asm-{en}", name=name, name_en=en
        )["community_id"]
    return ids


def _case(p: Processes, case_id: str, community: str, day: str, on_time: bool, rating: int) -> None:
    """Casework's stand-in publishes a case opened, resolved and rated on ``day``."""

    def emit(contract: str, **data: Any) -> None:
        at = {"case_id": case_id, "community_id": community}
        p.command(
            "casework",
            "emit",
            SYSTEM,
            f"{case_id}:{contract}",
            contract=contract,
            data={**at, **data},
        )

    emit("case.opened", **case_opened(case_id, community, day, due_on=day))
    emit(
        "case.resolved",
        team_id=None,
        case_type="demand",
        resolved_on=day,
        due_on=day,
        on_time=on_time,
    )
    emit("case.rated", team_id=None, rating=rating, rated_on=day)


def _published(p: Processes, service: str) -> list[dict[str, Any]]:
    return p.call(service, "notifications", actor=SYSTEM, after=0, limit=1000)


def _redeliver(amqp: str, envelopes: list[dict[str, Any]]) -> None:
    """Publish the same envelopes again, as a broker redelivers after a lost ack."""
    exchange = Exchange("shequ.casework.events", type="topic", durable=True)
    with Connection(amqp) as conn:
        producer = conn.Producer()
        for env in envelopes:
            producer.publish(
                json.dumps(env, ensure_ascii=False),
                exchange=exchange,
                routing_key=f"{env['contract']}.v{env['version']}",
                content_type="application/json",
                content_encoding="utf-8",
            )


def _inbox(p: Processes, upstream: str) -> dict[str, Any]:
    return p.call("assessment", "health")["inboxes"][upstream]  # type: ignore[no-any-return]


def _registry_caught_up(p: Processes) -> None:
    last = wait_until(lambda: _published(p, "registry"), what="registry published")[-1]
    wait_until(
        lambda: _inbox(p, "registry")["position"] >= last["position"],
        what="communities known to assessment",
    )


def test_late_cases_lower_the_right_communitys_on_time_rate_once(processes: Processes) -> None:
    """Cases resolved late in casework lower 立柱's on-time rate once, even when every
    casework envelope is delivered twice; 塔桥 is untouched; the results recompute."""
    p = processes
    p.start()
    c = _world(p)
    p.command("assessment", "define_scheme", STAFF, "e2e-asm-scheme", **SCHEME)
    _case(p, "L-1", c["立柱"], "2025-01-10", True, 5)
    _case(p, "L-2", c["立柱"], "2025-02-10", False, 4)
    _case(p, "L-3", c["立柱"], "2025-03-10", False, 3)
    _case(p, "T-1", c["塔桥"], "2025-02-01", True, 5)
    published = wait_until(
        lambda: (e := _published(p, "casework")) and len(e) == 12 and e, what="casework published"
    )
    last = published[-1]["position"]
    wait_until(lambda: _inbox(p, "casework")["position"] == last, what="assessment caught up")
    _redeliver(p.amqp, published)
    wait_until(
        lambda: _inbox(p, "casework")["counts"]["duplicate"] >= len(published),
        what="duplicates seen",
    )
    _registry_caught_up(p)
    top = p.call("assessment", "health")["log_position"]
    result = p.command(
        "assessment",
        "score_period",
        STAFF,
        "e2e-asm-score-q1",
        period_kind="quarter",
        period_start="2025-01-01",
    )
    rows = {
        r["name"]: r
        for r in p.call(
            "assessment",
            "scoreboard",
            actor=STAFF,
            period_kind="quarter",
            period_start="2025-01-01",
        )["rows"]
    }
    on_time = {
        name: next(i for i in row["items"] if i["key"] == "on_time") for name, row in rows.items()
    }
    satisfaction = {
        name: next(i for i in row["items"] if i["key"] == "satisfaction")
        for name, row in rows.items()
    }
    # Key tasks were not scored: no data, and it says so; the on-time rate and satisfaction
    # (40 points each) scale to 100 (x1.25). 立柱: 1 of 3 on time → 40 x 1/3 x 1.25 = 16.67;
    # ratings 5, 4, 3 (dated in Q1) → mean 4 of 5 → 40 x 0.8 x 1.25 = 40.00.
    assert on_time["立柱"]["value"] == "0.3333" and on_time["立柱"]["points"] == "16.67"
    assert on_time["塔桥"]["value"] == "1.0000" and on_time["塔桥"]["points"] == "50.00"
    assert satisfaction["立柱"]["points"] == "40.00"
    assert satisfaction["塔桥"]["points"] == "50.00"
    assert all(
        i["no_data"] for row in rows.values() for i in row["items"] if i["key"] == "key_tasks"
    )
    assert [(r["name"], r["total"], r["rank"]) for r in result["results"]["community"]] == [
        ("塔桥", "100.00", 1),
        ("立柱", "56.67", 2),
    ]

    def on_time_facts(quarter: str) -> list[dict[str, Any]]:
        """The facts 立柱's on-time rate of the quarter starting on ``quarter`` is made of."""
        return p.call(
            "assessment",
            "indicator_sources",
            actor=STAFF,
            period_kind="quarter",
            period_start=quarter,
            subject_id=c["立柱"],
            metric="on_time_rate",
        )["facts"]

    facts = on_time_facts("2025-01-01")
    assert sorted(f["key"] for f in facts) == ["L-1", "L-2", "L-3"]
    assert all(f["source"].startswith("casework:") for f in facts)
    check = p.call(
        "assessment",
        "recompute_period",
        actor={"person_id": "a-1", "role": "auditor"},
        period_kind="quarter",
        period_start="2025-01-01",
    )
    assert check["matches"] and check["differences"] == []
    assert p.call("assessment", "health")["log_position"] > top
    # A case of Q1 resolved late arrives after Q1 was scored: by the default rule it counts in
    # Q2, and says so; Q1 keeps what it published.
    _case(p, "L-4", c["立柱"], "2025-03-20", False, 1)
    late = wait_until(lambda: on_time_facts("2025-04-01"), what="late fact recorded")
    assert [(f["key"], f["late"]["rule"], f["late"]["late"]) for f in late] == [
        ("L-4", "next_period", ["quarter:2025-01-01"])
    ]
    board = p.call(
        "assessment", "scoreboard", actor=STAFF, period_kind="quarter", period_start="2025-01-01"
    )
    assert [(r["name"], r["total"]) for r in board["rows"]] == [
        ("塔桥", "100.00"),
        ("立柱", "56.67"),
    ]
    assert p.call(
        "assessment",
        "recompute_period",
        actor=STAFF,
        period_kind="quarter",
        period_start="2025-01-01",
    )["matches"]
    # assessment's own results go out on its exchange, like every service's
    contracts = wait_until(
        lambda: (
            {e["contract"] for e in _published(p, "assessment")}
            >= {"assessment.period.scored", "assessment.ranking.published"}
        ),
        what="assessment published its results",
    )
    assert contracts


@pytest.mark.parametrize("processes", ["sqlite"], indirect=True)
def test_bad_input_crosses_rpc_structured_and_writes_nothing(processes: Processes) -> None:
    """Weights not totalling 100 (RULES §5), a score outside its range and a pledge count
    outside 2-5 (RULES §5) are refused with the field and rule, and store nothing."""
    p = processes
    p.start()
    c = _world(p)
    member = p.register_person(STAFF, "e2e-asm-member", 8100, "王示例", kinds=["party_member"])
    _registry_caught_up(p)
    p.command("assessment", "define_scheme", STAFF, "e2e-asm-scheme", **SCHEME)
    wait_until(
        lambda: p.call("assessment", "scheme", actor=STAFF, subject_kind="community"),
        what="scheme readable",
    )
    before = p.call("assessment", "health")["log_position"]
    bad = {
        **SCHEME,
        "indicators": [{**SCHEME["indicators"][0], "weight": 50}, *SCHEME["indicators"][1:]],
    }

    def refused(error: type[ShequError], method: str, n: int, **args: Any) -> Any:
        """Call ``method`` under the key ``e2e-asm-bad-{n}``, expect ``error`` and return it."""
        return p.refused(error, "assessment", method, STAFF, f"e2e-asm-bad-{n}", **args)

    revised = {k: v for k, v in bad.items() if k != "name"} | {"effective_from": "2025-04-01"}
    err = refused(RuleViolation, "revise_scheme", 1, **revised)
    assert err.code == "rule.weights_not_100" and err.field == "indicators"
    err = refused(
        RuleViolation,
        "enter_score",
        2,
        period_kind="quarter",
        period_start="2025-01-01",
        subject_kind="community",
        subject_id=c["立柱"],
        item="key_tasks",
        score=21,
        reason="超出上限",
    )
    assert err.code == "rule.score_out_of_range" and err.field == "score"
    err = refused(
        RuleViolation,
        "register_pledges",
        3,
        member_id=member,
        community_id=c["塔桥"],
        year=2025,
        pledges=["一", "二", "三", "四", "五", "六"],
    )
    assert err.code == "rule.pledge_count" and err.field == "pledges"
    err = refused(
        ValidationError, "score_period", 4, period_kind="quarter", period_start="2025-02-01"
    )
    assert err.field == "period_start"
    assert p.call("assessment", "health")["log_position"] == before


@pytest.mark.parametrize("processes", ["sqlite"], indirect=True)
def test_pledges_belong_to_a_party_member_the_registry_knows(processes: Processes) -> None:
    """Issue 16 item 4: a pledge book is registered only for a person the registry records as
    a party member (in that year), under the name the registry holds, never a free-text one;
    the public board shows that name masked (RULES §6)."""
    p = processes
    p.start()
    c = _world(p)
    village = p.command(
        "registry",
        "register_village",
        STAFF,
        "e2e-asm-village",
        community_id=c["立柱"],
        name="东王家村",
        registered_on="2024-01-01",
    )["village_id"]

    def person(n: int, name: str, kinds: list[str]) -> str:
        key = f"e2e-asm-person-{n}"
        return p.register_person(STAFF, key, 8000 + n, name, village_id=village, kinds=kinds)

    member = person(1, "王建国", ["resident", "party_member"])
    resident = person(2, "赵为民", ["resident"])
    newcomer = person(3, "孙向党", ["resident"])
    p.command(
        "registry",
        "record_party_membership",
        STAFF,
        "e2e-asm-joined",
        person_id=newcomer,
        joined_on="2026-07-01",
    )
    _registry_caught_up(p)
    before = p.call("assessment", "health")["log_position"]
    book = {"community_id": c["立柱"], "year": 2025, "pledges": ["每月走访联系户", "帮扶两户增收"]}

    def pledges(error: type[ShequError] | None, key: str, member_id: str, **more: Any) -> Any:
        """register_pledges for ``member_id`` (with ``book``): refused with ``error``, or done."""
        args = {"member_id": member_id, **book, **more}
        if error is None:
            return p.command("assessment", "register_pledges", STAFF, key, **args)
        return p.refused(error, "assessment", "register_pledges", STAFF, key, **args)

    err = pledges(NotFound, "e2e-asm-pl-1", c["塔桥"])  # any UUID: not a person of the registry
    assert (err.code, err.field) == ("not_found", "member_id")
    assert err.message_zh and err.message_en
    for key, who in (("e2e-asm-pl-2", resident), ("e2e-asm-pl-3", newcomer)):
        err = pledges(RuleViolation, key, who)  # not a party member (in 2025)
        assert (err.code, err.field) == ("rule.not_party_member", "member_id")
    bad = pledges(ValidationError, "e2e-asm-pl-4", member, member_name="随便写的名字")
    assert (bad.field, bad.details["rule"]) == ("member_name", "unknown_argument")
    assert p.call("assessment", "health")["log_position"] == before
    pledges(None, "e2e-asm-pl-5", member)
    p.command(
        "assessment",
        "publish_pledges",
        STAFF,
        "e2e-asm-pl-6",
        member_id=member,
        year=2025,
        published_on="2025-02-01",
    )
    resident_actor = {"person_id": "r-1", "role": "resident", "household_id": village}
    board = p.call("assessment", "pledges", actor=resident_actor, year=2025)
    assert [(b["member_id"], b["member_name"]) for b in board] == [(member, "王**")]
    staff = p.call("assessment", "pledges", actor=STAFF, year=2025)
    assert [b["member_name"] for b in staff] == ["王建国"]
