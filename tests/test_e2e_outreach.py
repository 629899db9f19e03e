"""End to end with real processes: registry, outreach and a casework stand-in, each run by
``python -m shequ.runner`` on a fresh RabbitMQ vhost.

* A team member's phone changes in registry: exactly the households whose card shows them get
  one new card version with the new phone, even when the registry event is delivered twice.
* An opinion taken down on a visit is published; the case casework opens for it comes back
  and outreach records the case id against it.
* Bad input crosses RPC as a structured error and writes nothing.

``tests.support.standin.CaseworkStandIn`` publishes ``casework.case.opened`` (the real contract)
through the real platform (outbox, relay, ``notifications`` for gap repair), so that the test
controls which case comes back; ``tests/test_e2e_suite.py`` runs the real casework.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection, Producer
from shequ.errors import RuleViolation, ValidationError
from shequ.relay import exchange_for

from tests.support.facts import case_opened
from tests.support.infra import wait_healthy, wait_until
from tests.support.suite import Processes, on_fresh_vhost, sample_person

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
STAFF = {"person_id": "staff-1", "role": "district_staff"}
SYSTEM = {"person_id": "system:test", "role": "system"}
CASEWORK_STAND_IN = "tests.support.standin:CaseworkStandIn"
GROUPS = ["mediation", "sanitation", "welfare", "services", "finance", "volunteers"]


# -- the suite ------------------------------------------------------------------------------
class Trio(Processes):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        targets = {"registry": "registry", "outreach": "outreach"}
        super().__init__(amqp, stores, tmp, {**targets, "casework": CASEWORK_STAND_IN})
        # Every team change goes through the background re-issuer (as in a large community).
        self.procs["outreach"].env["SHEQU_OUTREACH_INLINE_REISSUE_LIMIT"] = "0"
        self.procs["outreach"].env["SHEQU_OUTREACH_REISSUE_CHUNK"] = "2"

    def batch(self, items: list[tuple[str, dict[str, Any]]]) -> list[Any]:
        out = self.call(
            "registry", "batch", actor=STAFF, commands=[{"command": c, "args": a} for c, a in items]
        )
        assert all("ok" in r for r in out), out
        return [r["ok"] for r in out]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def trio(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Trio]:
    names = ("registry", "outreach", "casework")
    with on_fresh_vhost(Trio, request.param, names, tmp_path) as t:
        yield t


def _person(n: int, village_id: str, kinds: list[str]) -> tuple[str, dict[str, Any]]:
    person = sample_person(7000 + n, f"测示{n}", village_id=village_id, kinds=kinds, sample=True)
    return ("register_person", {"idempotency_key": f"e2e-outreach-person-{n:04d}", **person})


def build(t: Trio, tag: str, households: int) -> dict[str, Any]:
    """A community with a village, a full team (plus one member not shown on cards), a party
    member linked to the first household, and ``households`` households."""
    # A first query builds registry's read-model projector before concurrent batch commands
    # would race to build it lazily (two projectors applying one page: duplicate rows).
    t.call("registry", "communities", actor=STAFF)
    t.establish_district(STAFF, "e2e-district")
    [community] = t.batch(
        [
            (
                "establish_community",
                {
                    "idempotency_key": f"e2e-outreach-c-{tag}",
                    "name": f"社区{tag}",
                    "name_en": f"C{tag}",
                },
            )
        ]
    )
    cid = community["community_id"]
    [village] = t.batch(
        [
            (
                "register_village",
                {
                    "idempotency_key": f"e2e-outreach-v-{tag}",
                    "community_id": cid,
                    "name": f"{tag}村（示例）",
                    "sample": True,
                },
            )
        ]
    )
    vid = village["village_id"]
    base = 100 * (ord(tag[0]) % 50)
    people = t.batch(
        [
            _person(base + i, vid, ["resident", "party_member"] if i == 7 else ["resident"])
            for i in range(8 + households)
        ]
    )
    pids = [p["person_id"] for p in people]
    [team] = t.batch(
        [("form_team", {"idempotency_key": f"e2e-outreach-t-{tag}", "community_id": cid})]
    )
    tid = team["team_id"]
    for i in range(7):  # one at a time: they change one aggregate, the team
        t.command(
            "registry",
            "add_team_member",
            STAFF,
            f"e2e-outreach-m-{tag}-{i}",
            team_id=tid,
            person_id=pids[i],
            group=(GROUPS + ["mediation"])[i],
            duties=f"职责{i}",
            since="2024-01-0" + str(1 + i // 6),
        )
    t.batch(
        [
            (
                "appoint_team_leader",
                {"idempotency_key": f"e2e-outreach-l-{tag}", "team_id": tid, "person_id": pids[0]},
            )
        ]
    )
    homes = t.batch(
        [
            (
                "register_household",
                {
                    "idempotency_key": f"e2e-outreach-h-{tag}-{i}",
                    "village_id": vid,
                    "head_id": pids[8 + i],
                    "address": f"{tag}村第一村民小组{i}号",
                    "sample": True,
                },
            )
            for i in range(households)
        ]
    )
    hids = [h["household_id"] for h in homes]
    t.batch(
        [
            (
                "assign_zone",
                {
                    "idempotency_key": f"e2e-outreach-z-{tag}",
                    "party_member_id": pids[7],
                    "community_id": cid,
                    "name": "一组",
                },
            )
        ]
    )
    t.batch(
        [
            (
                "link_household",
                {
                    "idempotency_key": f"e2e-outreach-k-{tag}",
                    "party_member_id": pids[7],
                    "household_id": hids[0],
                },
            )
        ]
    )  # since today: not overdue
    return {
        "community_id": cid,
        "village_id": vid,
        "team_id": tid,
        "members": pids[:7],
        "party_member": pids[7],
        "households": hids,
    }


def versions(t: Trio, household_id: str) -> list[int]:
    return [
        c["version"]
        for c in t.call("outreach", "card_history", actor=SYSTEM, household_id=household_id)
    ]


def cards_ready(t: Trio, world: dict[str, Any], expected: dict[str, list[int]]) -> bool:
    return all(versions(t, h) == v for h, v in expected.items())


# -- 1. the contact-card proof ----------------------------------------------------------------
def test_phone_change_reissues_exactly_the_affected_cards_once_even_if_delivered_twice(trio):
    a, b = build(trio, "甲", 3), build(trio, "乙", 2)
    first = {h: [1] for h in a["households"][1:] + b["households"][1:]}
    first.update({a["households"][0]: [1, 2], b["households"][0]: [1, 2]})  # linked: 2 versions
    wait_until(lambda: cards_ready(trio, a, first), timeout=90, what="first cards")
    top = trio.call("outreach", "health")["log_position"]

    shown = a["members"][2]  # the welfare group's contact
    trio.command(
        "registry",
        "change_team_member_phone",
        STAFF,
        "e2e-phone-1",
        team_id=a["team_id"],
        person_id=shown,
        phone="13812345678",
    )
    after = {h: v + [v[-1] + 1] if h in a["households"] else v for h, v in first.items()}
    wait_until(lambda: cards_ready(trio, a, after), timeout=60, what="re-issued cards")
    for h in a["households"]:
        card = trio.call("outreach", "card", actor=SYSTEM, household_id=h)
        assert {c["person_id"]: c["phone"] for c in card["contacts"]}[shown] == "13812345678"
    issued = trio.call("outreach", "health")["log_position"]

    # The registry event delivered a second time, as a broker redelivery would.
    [envelope] = [
        e
        for e in trio.call("registry", "notifications", actor=SYSTEM, after=0, limit=1000)
        if e["contract"] == "registry.team.member_phone_changed"
    ]
    with Connection(trio.amqp) as conn:
        Producer(conn).publish(
            json.dumps(envelope, ensure_ascii=False),
            exchange=exchange_for("registry"),
            routing_key=f"{envelope['contract']}.v1",
            content_type="application/json",
            delivery_mode=2,
        )

    def duplicate_seen() -> bool:
        counts = trio.call("outreach", "health")["inboxes"]["registry"]["counts"]
        return counts["duplicate"] >= 1

    wait_until(duplicate_seen, timeout=60, what="the duplicate reached outreach")
    assert trio.call("outreach", "health")["log_position"] == issued
    assert cards_ready(trio, a, after)
    # Only the three cards of community 甲 were issued (one event each), nothing else.
    published = trio.call("outreach", "notifications", actor=SYSTEM, after=top, limit=1000)
    assert sorted(e["data"]["household_id"] for e in published) == sorted(a["households"])
    assert {e["contract"] for e in published} == {"outreach.card.issued"}


@pytest.mark.parametrize("trio", ["sqlite"], indirect=True)
def test_outreach_killed_during_a_reissue_resumes_and_issues_each_card_once(trio):
    """kill -9 while the background jobs re-issue (chunks of 2): after a restart every card
    has exactly one new version, whenever the kill landed."""
    a = build(trio, "戊", 7)
    first = {h: [1] for h in a["households"][1:]} | {a["households"][0]: [1, 2]}
    wait_until(lambda: cards_ready(trio, a, first), timeout=90, what="first cards")
    trio.command(
        "registry",
        "change_team_member_duties",
        STAFF,
        "e2e-outreach-duties-1",
        team_id=a["team_id"],
        person_id=a["members"][1],
        duties="垃圾日产日清",
    )
    outreach = trio.procs["outreach"]
    wait_until(
        lambda: (
            trio.call("outreach", "health")["inboxes"]["registry"]["position"]
            >= max(
                e["position"]
                for e in trio.call("registry", "notifications", actor=SYSTEM, after=0, limit=1000)
            )
        ),
        timeout=60,
        what="outreach received the change",
    )
    outreach.kill9()
    outreach.start()
    wait_healthy(trio.amqp, outreach)
    after = {h: v + [v[-1] + 1] for h, v in first.items()}
    wait_until(lambda: cards_ready(trio, a, after), timeout=90, what="re-issue finished")
    for h in a["households"]:
        duties = {
            c["person_id"]: c["duties"]
            for c in trio.call("outreach", "card", actor=SYSTEM, household_id=h)["contacts"]
        }
        assert duties[a["members"][1]] == "垃圾日产日清"


# -- 2. opinions become cases, and the case id comes back -------------------------------------
def test_opinion_from_a_visit_gets_its_case_id_back_from_casework(trio):
    a = build(trio, "丙", 2)
    visitor = a["members"][3]
    wait_until(lambda: versions(trio, a["households"][1]) == [1], timeout=90, what="cards")
    rnd = trio.command(
        "outreach",
        "open_round",
        STAFF,
        "e2e-round-1",
        community_id=a["community_id"],
        title="春季走访",
        period_start="2025-01-01",
        period_end="2099-12-31",
        assignees=[visitor],
    )
    visit = trio.visit_with_opinion(
        visitor, "e2e-visit-1", rnd["round_id"], a["households"][1], "2025-03-02"
    )
    [opinion_id] = visit["opinion_ids"]
    log = trio.call("outreach", "notifications", actor=SYSTEM, after=0, limit=1000)
    [collected] = [e for e in log if e["contract"] == "outreach.opinion.collected"]
    assert collected["data"]["opinion_id"] == opinion_id
    assert collected["data"]["source_id"] == visit["visit_id"]
    case = case_opened(
        "5b2d7c1e-0000-5000-8000-0000000000c1",
        a["community_id"],
        "2025-03-02",
        category="infrastructure",
        village_id=a["village_id"],
        household_id=a["households"][1],
        origin_opinion_id=opinion_id,
    )
    trio.command("casework", "emit", SYSTEM, "e2e-case-1", contract="case.opened", data=case)

    def recorded() -> Any:
        rows = trio.call("outreach", "opinions", actor=STAFF, community_id=a["community_id"])
        return rows if rows and rows[0]["case_id"] else None

    rows = wait_until(recorded, timeout=60, what="case id recorded")
    assert [(r["opinion_id"], r["case_id"]) for r in rows] == [(opinion_id, case["case_id"])]


# -- 3. bad input over RPC ----------------------------------------------------------------------
@pytest.mark.parametrize("trio", ["sqlite"], indirect=True)
def test_bad_input_crosses_rpc_structured_and_writes_nothing(trio):
    a = build(trio, "丁", 1)
    wait_until(lambda: versions(trio, a["households"][0]) == [1, 2], timeout=90, what="cards")
    top = trio.call("outreach", "health")["log_position"]

    def refused(error, method, key, **args):
        return trio.refused(error, "outreach", method, STAFF, key, **args)

    january = {
        "community_id": a["community_id"],
        "title": "走访",
        "period_start": "2025-01-01",
        "period_end": "2025-01-31",
        "assignees": [a["members"][0]],
    }
    err = refused(ValidationError, "open_round", "e2e-bad-1", **{**january, "title": ""})
    assert err.field == "title" and err.message_zh and err.message_en
    rule = refused(
        RuleViolation, "open_round", "e2e-bad-2", **{**january, "period_start": "2025-02-01"}
    )
    assert rule.code == "rule.period_end_before_start"
    missing = refused(
        ValidationError,
        "record_card_distribution",
        "e2e-bad-3",
        household_id=a["households"][0],
        version=2,
    )
    assert missing.field == "acknowledged_by"
    assert trio.call("outreach", "health")["log_position"] == top
