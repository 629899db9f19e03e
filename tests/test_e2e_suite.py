"""End to end with the REAL services and no stand-ins: every service of the suite (registry,
casework, outreach, assessment, finance), each run by ``python -m shequ.runner`` as its own
process over a real RabbitMQ vhost, each on its own database (PostgreSQL via ``pg_database``,
and SQLite).

1. An opinion taken down on an outreach visit becomes exactly one casework case, routed to the
   right work-group member, and outreach records the case id against the opinion; the same
   ``opinion.collected`` envelope delivered a second time changes nothing. A dispute heard on
   a card call goes to the mediation group; a party member's contact with a suggestion becomes
   a suggestion case, and the contact and a closed visit round become assessment facts.
2. A case resolved late in casework lowers the right community's on-time rate in assessment,
   once; the other community is unaffected; the ``case.resolved`` envelope delivered a
   second time changes nothing.
3. A registry change reaches its consumers: a work-group member's new phone re-issues
   outreach's cards; a membership change re-issues them again and casework routes the next
   case to the new member; the community's village reaches finance, whose books can then be
   opened on it.

Casework's clock. Casework stamps every date of record (opened, due, resolved) with its
injectable clock (``Casework(store, clock=...)``, README "Deadlines"); ``resolve_case`` takes
no date, and the deadline scan takes no time from its caller. Resolving a case *late* or
chasing it therefore needs casework's clock to move, which a running process can only do if
the application is built with a clock. ``CaseworkOnTestClock`` below is exactly casework's
service (same entrypoints, inboxes, relay, ``make_app``, settings) whose
application is given a clock that reads a file the test writes; without that file it is the
system clock. It is started with the same runner (``python -m shequ.runner
tests.test_e2e_suite:CaseworkOnTestClock``). Every other service runs as shipped.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from casework.contracts import translate as casework_translate
from casework.service import CaseworkService
from casework.service import make_app as make_casework
from shequ.clock import Clock
from shequ.config import ServiceConfig
from shequ.domainkit import LOCAL
from shequ.errors import RuleViolation
from shequ.runtime import Platform
from shequ.suite import CONSUMERS, SERVICES
from shequ.testing import publish_envelope

from tests.support.infra import rabbit_vhost, wait_until
from tests.support.schemes import community_scheme, measure
from tests.support.suite import Processes, fresh_stores, running, sample_person

pytestmark = [pytest.mark.slow, pytest.mark.rabbit, pytest.mark.postgres]

STAFF = {"person_id": "staff-1", "role": "district_staff"}
SYSTEM = {"person_id": "system:test", "role": "system"}
CLOCK_FILE_ENV = "SHEQU_TEST_CASEWORK_CLOCK_FILE"


# -- casework with its clock injected ---------------------------------------------------------
class FileClock(Clock):
    """The time in the file named by SHEQU_TEST_CASEWORK_CLOCK_FILE, else the real time."""

    def now(self) -> dt.datetime:
        path = os.environ.get(CLOCK_FILE_ENV)
        try:
            text = Path(path).read_text(encoding="utf-8").strip() if path else ""
        except OSError:
            text = ""
        return dt.datetime.fromisoformat(text) if text else super().now()


def _casework_on_test_clock(cfg: ServiceConfig) -> Any:
    app = make_casework(cfg)
    app.clock = FileClock()
    return app


class CaseworkOnTestClock(CaseworkService):
    """The casework service as shipped, its application built with an injected clock."""

    runtime = Platform(
        "casework",
        _casework_on_test_clock,
        casework_translate,
        inboxes=CaseworkService.runtime.inbox_specs,
    )


# -- the suite of real processes --------------------------------------------------------------
NAMES = SERVICES
TARGETS = {name: name for name in NAMES} | {"casework": "tests.test_e2e_suite:CaseworkOnTestClock"}


class World(Processes):
    def __init__(self, amqp: str, stores: dict[str, str], tmp: Path) -> None:
        super().__init__(amqp, stores, tmp, {name: TARGETS[name] for name in NAMES})
        self.clock_file = tmp / "casework-clock.txt"
        self.procs["casework"].env[CLOCK_FILE_ENV] = str(self.clock_file)

    def staff(self, service: str, method: str, key: str, **args: Any) -> Any:
        """``method`` of ``service`` by the district staff, under the key ``e2e-suite-{key}``."""
        return self.command(service, method, STAFF, f"e2e-suite-{key}", **args)

    def fact_keys(self, subject_id: str, metric: str, **period: str) -> list[str]:
        """The keys of the facts assessment holds for ``metric`` of ``subject_id`` in a period."""
        sources = self.call(
            "assessment",
            "indicator_sources",
            actor=STAFF,
            subject_id=subject_id,
            metric=metric,
            **period,
        )
        return sorted(f["key"] for f in sources["facts"])

    # casework's clock
    def set_casework_clock(self, day: str) -> None:
        self.clock_file.write_text(f"{day}T09:00:00+08:00", encoding="utf-8")

    def real_casework_clock(self) -> None:
        self.clock_file.unlink(missing_ok=True)

    # casework's cases of an outreach opinion
    def cases_of_opinion(self, community_id: str, opinion_id: str) -> list[dict[str, Any]]:
        return [
            c
            for c in self.call(
                "casework", "queue", actor=STAFF, community_id=community_id, include_closed=True
            )
            if c["origin_opinion_id"] == opinion_id
        ]

    def case_of_opinion(self, community_id: str, opinion_id: str, what: str) -> dict[str, Any]:
        """Wait for casework's case of the opinion; exactly one (the logs shown if none comes)."""
        try:
            cases = wait_until(
                lambda: self.cases_of_opinion(community_id, opinion_id), timeout=60, what=what
            )
        except AssertionError:
            raise AssertionError(f"no case for opinion {opinion_id}\n{self.logs()}") from None
        assert len(cases) == 1, cases
        return cases[0]  # type: ignore[no-any-return]

    # outreach's visit rounds
    def open_round(self, r: dict[str, Any], key: str, title: str, until: str) -> dict[str, Any]:
        """Outreach opens a visit round of the community from 1 January 2026 to ``until``, its
        services member the visitor."""
        args = {"community_id": r["community"], "title": title, "assignees": [r["services"]]}
        period = {"period_start": "2026-01-01", "period_end": until}
        return self.call(  # type: ignore[no-any-return]
            "outreach", "open_round", actor=STAFF, idempotency_key=key, **args, **period
        )

    # event logs and inboxes
    def published(self, service: str, after: int = 0) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        while True:
            batch = self.call(service, "notifications", actor=SYSTEM, after=after, limit=1000)
            if not batch:
                return out
            out.extend(batch)
            after = batch[-1]["position"]

    def inbox(self, consumer: str, upstream: str) -> dict[str, Any]:
        return self.call(consumer, "health")["inboxes"][upstream]  # type: ignore[no-any-return]

    def caught_up(self, consumer: str, upstream: str) -> None:
        """Wait until ``consumer`` has taken in everything ``upstream`` has published."""

        def done() -> bool:
            log = self.published(upstream)
            last = log[-1]["position"] if log else 0
            return bool(self.inbox(consumer, upstream)["position"] >= last)

        wait_until(done, timeout=60, what=f"{consumer} caught up with {upstream}")

    def no_dead_letters(self) -> None:
        """No inbox of any consumer dead-lettered anything, and the queue is empty."""
        from shequ.ops.deadletters import list_letters

        counts = {
            (consumer, upstream): inbox["counts"].get("dead_lettered", 0)
            for consumer in CONSUMERS
            for upstream, inbox in self.call(consumer, "health")["inboxes"].items()
        }
        letters = [(x["id"], x.get("error")) for x in list_letters(self.amqp)]
        assert not letters and not any(counts.values()), (letters, counts, self.logs())

    def redeliver(self, envelope: dict[str, Any]) -> None:
        """Publish an envelope once more to its service's exchange, as a broker redelivery."""
        publish_envelope(self.amqp, envelope)


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp(f"suite-{request.param}")
    with (
        rabbit_vhost() as amqp,
        fresh_stores(request.param, NAMES, tmp) as db,
        running(World(amqp, db, tmp)) as w,
    ):
        yield w


# -- a small district, through registry's RPC -------------------------------------------------
TAGS = {"opinion": 0, "late": 1, "ontime": 2, "change": 3, "party": 4}


def community(w: World, tag: str, households: int = 2, party: bool = False) -> dict[str, Any]:
    """A community with a village, ``households`` households and a service team: leader,
    a ``services`` member (opinions of kind demand go there), a ``sanitation`` member (rubbish)
    and one more resident not (yet) on the team; with ``party``, a party member linked to the
    first household."""
    base = 8000 + 40 * TAGS[tag]

    def call(method: str, key: str, **kw: Any) -> Any:
        return w.staff("registry", method, f"{tag}-{key}", **kw)

    w.call("registry", "communities", actor=STAFF)  # builds registry's read model first
    w.establish_district(STAFF, "e2e-suite-district")
    r: dict[str, Any] = {"tag": tag}
    r["community"] = call(
        "establish_community", "c", name=f"社区{tag}", name_en=f"Community {tag}"
    )["community_id"]
    r["village"] = call(
        "register_village",
        "v",
        community_id=r["community"],
        name=f"{tag}村（示例）",
        sample=True,
        registered_on="2024-01-01",
    )["village_id"]
    roles = ["leader", "services", "sanitation", "spare", "party"] + [
        f"head{i}" for i in range(households)
    ]
    for i, role in enumerate(roles):
        kinds = ["resident", "party_member"] if role == "party" else ["resident"]
        person = sample_person(
            base + i, f"测示{tag[:1]}{i}", village_id=r["village"], kinds=kinds, sample=True
        )
        r[role] = call("register_person", f"p{i}", **person)["person_id"]
    r["team"] = call("form_team", "team", community_id=r["community"])["team_id"]
    for role, group in (
        ("leader", "mediation"),
        ("services", "services"),
        ("sanitation", "sanitation"),
    ):
        call(
            "add_team_member",
            f"join-{role}",
            team_id=r["team"],
            person_id=r[role],
            group=group,
            duties=f"{group}职责",
            since="2024-01-01",
        )
    call("appoint_team_leader", "leader", team_id=r["team"], person_id=r["leader"])
    r["households"] = [
        call(
            "register_household",
            f"h{i}",
            village_id=r["village"],
            head_id=r[f"head{i}"],
            address=f"{tag}村第一村民小组{i}号",
            sample=True,
        )["household_id"]
        for i in range(households)
    ]
    if party and households:  # the party member is linked to the first household (today)
        call(
            "assign_zone",
            "zone",
            party_member_id=r["party"],
            community_id=r["community"],
            name="一组",
        )
        call("link_household", "link", party_member_id=r["party"], household_id=r["households"][0])
    return r


def versions(w: World, household_id: str) -> list[int]:
    return [
        c["version"]
        for c in w.call("outreach", "card_history", actor=SYSTEM, household_id=household_id)
    ]


def contact(w: World, household_id: str, role: str) -> dict[str, Any]:
    card = w.call("outreach", "card", actor=SYSTEM, household_id=household_id)
    [c] = [c for c in card["contacts"] if c["role"] == role]
    return c  # type: ignore[no-any-return]


# -- 1. outreach opinion → exactly one casework case → outreach records the case id -----------
def test_an_opinion_becomes_exactly_one_case_and_outreach_records_its_id(world: World) -> None:
    w = world
    r = community(w, "opinion")
    w.caught_up("casework", "registry")
    w.caught_up("outreach", "registry")
    rnd = w.open_round(r, "e2e-suite-round-1", "秋季走访", until="2099-12-31")
    visit = w.visit_with_opinion(
        r["services"], "e2e-suite-visit-1", rnd["round_id"], r["households"][0], "2026-03-02"
    )
    [opinion] = visit["opinion_ids"]

    case = w.case_of_opinion(r["community"], opinion, "the opinion's case in casework")
    # outreach's category "demand" is casework's demand in "other", the services group
    assert (case["owner_id"], case["work_group"]) == (r["services"], "services")
    assert case["household_id"] == r["households"][0]

    def recorded() -> Any:
        rows = w.call("outreach", "opinions", actor=STAFF, community_id=r["community"])
        return rows if rows and all(x["case_id"] for x in rows) else None

    try:
        rows = wait_until(recorded, timeout=60, what="outreach recorded the case id")
    except AssertionError:
        raise AssertionError(f"case id not recorded in outreach\n{w.logs()}") from None
    assert [(x["opinion_id"], x["case_id"]) for x in rows] == [(opinion, case["case_id"])]

    # an opinion given on a call to the contact card, a dispute: the mediation group's case
    called = w.staff(
        "outreach",
        "record_opinion",
        "card-call-1",
        household_id=r["households"][1],
        category="dispute",
        text="邻里因排水沟发生争执",
    )["opinion_id"]
    dispute = w.case_of_opinion(r["community"], called, "the card call's case")
    assert (dispute["owner_id"], dispute["work_group"]) == (r["leader"], "mediation")
    assert dispute["case_type"] == "dispute"
    rows = wait_until(
        lambda: recorded() if len(recorded() or []) == 2 else None,
        timeout=60,
        what="outreach recorded both case ids",
    )
    assert sorted((x["opinion_id"], x["case_id"]) for x in rows) == sorted(
        [(opinion, case["case_id"]), (called, dispute["case_id"])]
    )

    # The same opinion.collected envelope delivered a second time: nothing changes.
    w.caught_up("casework", "outreach")
    [collected] = [
        e
        for e in w.published("outreach")
        if e["contract"] == "outreach.opinion.collected" and e["data"]["opinion_id"] == opinion
    ]
    assert collected["data"]["source_id"] == visit["visit_id"]
    top = w.call("casework", "health")["log_position"]
    duplicates = w.inbox("casework", "outreach")["counts"]["duplicate"]
    w.redeliver(collected)
    wait_until(
        lambda: w.inbox("casework", "outreach")["counts"]["duplicate"] > duplicates,
        timeout=60,
        what="casework saw the repeat as a duplicate",
    )
    assert w.call("casework", "health")["log_position"] == top
    assert len(w.cases_of_opinion(r["community"], opinion)) == 1
    opened = [e["data"] for e in w.published("casework") if e["contract"] == "casework.case.opened"]
    assert [o["origin_opinion_id"] for o in opened].count(opinion) == 1
    w.no_dead_letters()


# -- 1b. more of outreach: a party contact's opinion, the contact and a round in assessment ---
def test_party_contact_opinion_becomes_a_case_and_outreach_facts_reach_assessment(
    world: World,
) -> None:
    w = world
    r = community(w, "party", households=2, party=True)
    w.caught_up("casework", "registry")
    w.caught_up("outreach", "registry")
    wait_until(
        lambda: versions(w, r["households"][0]) == [1, 2],
        timeout=60,
        what="the linked household's card shows its party member",
    )
    today = dt.datetime.now(LOCAL).date()
    contact_log = w.staff(
        "outreach",
        "log_party_contact",
        "party-contact-1",
        household_id=r["households"][0],
        member_id=r["party"],
        contacted_on=today.isoformat(),
        practical_task=True,
        task="代办医保",
        opinions=[{"category": "suggestion", "text": "建议增设健身器材"}],
    )
    [opinion] = contact_log["opinion_ids"]
    case = w.case_of_opinion(r["community"], opinion, "the party contact's case")
    assert (case["case_type"], case["owner_id"], case["work_group"]) == (
        "suggestion",
        r["services"],
        "services",
    )
    # a visit round of the first quarter, closed: its coverage goes to assessment
    rnd = w.open_round(r, "e2e-suite-round-q1", "春季走访", until="2026-03-31")
    w.staff(
        "outreach",
        "log_visit",
        "party-visit-1",
        round_id=rnd["round_id"],
        household_id=r["households"][1],
        visited_on="2026-03-02",
    )
    w.staff("outreach", "close_round", "round-q1-close", round_id=rnd["round_id"])

    def keys(period_start: str, metric: str) -> list[str]:
        period = {"period_kind": "quarter", "period_start": period_start}
        return w.fact_keys(r["community"], metric, **period)

    quarter = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1).isoformat()
    try:
        wait_until(
            lambda: (
                keys(quarter, "contact_compliance") == [contact_log["contact_id"]]
                and keys("2026-01-01", "visit_coverage") == [rnd["round_id"]]
            ),
            timeout=60,
            what="outreach's facts in assessment",
        )
    except AssertionError:
        raise AssertionError(f"outreach facts not in assessment\n{w.logs()}") from None
    w.caught_up("assessment", "outreach")
    w.no_dead_letters()


# -- 2. a case resolved late lowers the right community's on-time rate, once ------------------
SCHEME = community_scheme(
    [
        measure("on_time", "按时办结率", "daily", 60, "on_time_rate"),
        measure("key_tasks", "重点工作", "key_work", 40, "manual"),
    ],
    [
        {
            "key": "chase",
            "name": "催办",
            "kind": "deduction",
            "source": "chases",
            "points": 1,
            "cap": 5,
        }
    ],
)
Q1 = {"period_kind": "quarter", "period_start": "2025-01-01"}


def _open_rubbish(w: World, r: dict[str, Any], key: str) -> str:
    where = {"community_id": r["community"], "place": f"{key}路口"}
    accepted = w.open_accepted(STAFF, f"e2e-suite-{key}", "垃圾未清运", "walk_in", **where)
    assert accepted["owner_id"] == r["sanitation"]
    w.staff("casework", "start_case", f"start-{key}", case_id=accepted["case_id"])
    return accepted["case_id"]  # type: ignore[no-any-return]


def _resolve(w: World, case_id: str, key: str) -> None:
    w.staff("casework", "resolve_case", f"resolve-{key}", case_id=case_id, evidence=["清运照片"])


def _figures(w: World, community_id: str) -> dict[str, Any]:
    rows = w.call("assessment", "scoreboard", actor=STAFF, **Q1)["rows"]
    [row] = [x for x in rows if x["subject_id"] == community_id]
    items = {i["key"]: (i["value"], i["points"], i["no_data"]) for i in row["items"]}
    items.update({a["key"]: (a["count"], a["points"]) for a in row["adjustments"]})
    return {"total": row["total"], "deduction": row["deduction"], "items": items}


def test_a_late_resolution_lowers_the_right_communitys_on_time_rate_once(world: World) -> None:
    w = world
    late, ontime = community(w, "late", households=0), community(w, "ontime", households=0)
    w.staff("assessment", "define_scheme", "scheme", **SCHEME)
    w.caught_up("casework", "registry")
    w.caught_up("assessment", "registry")
    try:
        w.set_casework_clock("2025-03-03")  # a Monday: rubbish is due the next working day
        a = _open_rubbish(w, late, "late-a")
        a2 = _open_rubbish(w, late, "late-a2")
        b = _open_rubbish(w, ontime, "ontime-b")
        case_a = w.call("casework", "case", actor=STAFF, case_id=a)
        assert case_a["due_on"] == "2025-03-04"
        w.set_casework_clock("2025-03-04")
        _resolve(w, a2, "late-a2")
        _resolve(w, b, "ontime-b")
        # the deadline scan, on casework's clock, chases the one still open past its due date
        w.set_casework_clock("2025-03-05")
        scan = w.call("casework", "scan_deadlines", actor=STAFF)
        assert (scan["chased"], scan["reprimanded"]) == ([a], [])
        w.set_casework_clock("2025-03-06")
        _resolve(w, a, "late-a")
    finally:
        w.real_casework_clock()
    resolved = {
        e["data"]["case_id"]: e
        for e in w.published("casework")
        if e["contract"] == "casework.case.resolved"
    }
    assert {k: resolved[k]["data"]["on_time"] for k in (a, a2, b)} == {a: False, a2: True, b: True}
    assert resolved[a]["data"]["resolved_on"] == "2025-03-06"

    def facts(community_id: str) -> list[str]:
        return w.fact_keys(community_id, "on_time_rate", **Q1)

    try:
        wait_until(
            lambda: (
                facts(late["community"]) == sorted([a, a2]) and facts(ontime["community"]) == [b]
            ),
            timeout=60,
            what="assessment has the resolutions",
        )
    except AssertionError:
        raise AssertionError(f"resolutions not in assessment\n{w.logs()}") from None
    w.caught_up("assessment", "casework")
    w.staff("assessment", "score_period", "score-q1", **Q1)
    first = {"late": _figures(w, late["community"]), "ontime": _figures(w, ontime["community"])}
    # 1 of 2 on time in the late community; key tasks were not scored (no data: rescaled)
    assert first["late"]["items"]["on_time"][:2] == ("0.5000", "50.00")
    assert first["ontime"]["items"]["on_time"][:2] == ("1.0000", "100.00")
    assert first["late"]["items"]["chase"] == (1, "1.00")  # the one chase, deducted once
    assert first["ontime"]["items"]["chase"] == (0, "0.00")
    assert (first["late"]["total"], first["ontime"]["total"]) == ("49.00", "100.00")

    # The late case's case.resolved delivered a second time: the figures do not move.
    top = w.call("assessment", "health")["log_position"]
    duplicates = w.inbox("assessment", "casework")["counts"]["duplicate"]
    w.redeliver(resolved[a])
    wait_until(
        lambda: w.inbox("assessment", "casework")["counts"]["duplicate"] > duplicates,
        timeout=60,
        what="assessment saw the repeat as a duplicate",
    )
    assert w.call("assessment", "health")["log_position"] == top
    assert facts(late["community"]) == sorted([a, a2])
    again = {"late": _figures(w, late["community"]), "ontime": _figures(w, ontime["community"])}
    assert again == first
    check = w.call("assessment", "recompute_period", actor=STAFF, **Q1)
    assert check["matches"] and check["differences"] == []
    w.no_dead_letters()


# -- 3. a registry change reaches both casework and outreach ----------------------------------
def test_a_registry_change_reaches_casework_outreach_and_finance(world: World) -> None:
    w = world
    r = community(w, "change")
    w.caught_up("outreach", "registry")
    w.caught_up("casework", "registry")
    w.caught_up("finance", "registry")
    # finance knows the village the registry registered: its books open on it
    books = {"actor": STAFF, "village_id": r["village"]}
    assert w.call("finance", "ledger", **books) == {"village_id": r["village"], "opened": False}
    opened = w.call(
        "finance",
        "open_ledger",
        idempotency_key="e2e-suite-chg-ledger",
        opened_on="2026-01-01",
        **books,
    )
    ledger = w.call("finance", "ledger", **books)
    assert (ledger["opened"], ledger["ledger_id"], ledger["chart"]) == (
        True,
        opened["ledger_id"],
        "cas2023",
    )
    # the village elects a villagers' committee member: finance learns it, and keeps them off
    # the finance group's review of the village's vouchers (F24)
    w.staff(
        "registry",
        "elect_committee_member",
        "chg-committee",
        village_id=r["village"],
        person_id=r["spare"],
        post="member",
        since="2024-01-01",
    )
    w.caught_up("finance", "registry")
    clerk = {"person_id": r["services"], "role": "finance_clerk", "village_id": r["village"]}
    voucher = w.command(
        "finance",
        "draft_voucher",
        clerk,
        "e2e-suite-chg-voucher",
        village_id=r["village"],
        voucher_date="2026-01-05",
        summary="购买办公用品",
        lines=[
            {"account": "513", "side": "debit", "amount_fen": 12_000},
            {"account": "102", "side": "credit", "amount_fen": 12_000},
        ],
        handler_id=r["services"],
    )["voucher_id"]
    group = {"person_id": r["spare"], "role": "finance_group", "village_id": r["village"]}
    conflict = w.refused(
        RuleViolation,
        "finance",
        "review_voucher",
        group,
        "e2e-suite-chg-review",
        voucher_id=voucher,
        stage="finance_group",
        outcome="approve",
    )
    assert (conflict.code, conflict.field) == ("voucher.reviewer_conflict", "actor")
    homes = r["households"]
    before = {h: versions(w, h) for h in homes}
    assert all(v for v in before.values()), before
    assert {contact(w, h, "sanitation")["person_id"] for h in homes} == {r["sanitation"]}
    first = w.open_accepted(STAFF, "e2e-suite-chg-1", "垃圾未清运", household_id=homes[0])
    assert first["owner_id"] == r["sanitation"]

    # the sanitation member's phone changes: every card of the community gets a new version
    w.staff(
        "registry",
        "change_team_member_phone",
        "chg-phone",
        team_id=r["team"],
        person_id=r["sanitation"],
        phone="13812345678",
    )
    phoned = {h: v + [v[-1] + 1] for h, v in before.items()}
    try:
        wait_until(
            lambda: all(versions(w, h) == v for h, v in phoned.items()),
            timeout=60,
            what="cards re-issued with the new phone",
        )
    except AssertionError:
        raise AssertionError(f"cards not re-issued\n{w.logs()}") from None
    for h in homes:
        shown = contact(w, h, "sanitation")
        assert (shown["person_id"], shown["phone"]) == (r["sanitation"], "13812345678")

    # the sanitation member leaves, another resident joins the group
    w.hand_over(STAFF, "e2e-suite-chg", r["team"], leaving=r["sanitation"], joining=r["spare"])
    w.caught_up("casework", "registry")
    second = w.open_accepted(STAFF, "e2e-suite-chg-2", "垃圾桶满溢", household_id=homes[1])
    assert second["owner_id"] == r["spare"]
    wait_until(
        lambda: all(contact(w, h, "sanitation")["person_id"] == r["spare"] for h in homes),
        timeout=60,
        what="cards show the new member",
    )
    w.caught_up("outreach", "registry")
    for h in homes:  # re-issued again (leaving and joining may each give a version)
        now = versions(w, h)
        assert now[: len(phoned[h])] == phoned[h] and len(now) > len(phoned[h])
        assert now == list(range(1, len(now) + 1))
    w.no_dead_letters()
