"""Objections (质询, D30–D33) through the use-case table on SQLite and PostgreSQL: a resident
objects to a line of their village's published disclosure; answered on time, or recorded
overdue once and taken to the township; staff file for a villager; nobody objects for a
household of another village or to a disclosure not yet published."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import pytest
from finance.overdue import record_unanswered
from finance.settings import FinanceSettings
from finance_testing import AGENCY, AUDITOR, Village, World, line, new_id, refused
from shequ.actor import Actor
from shequ.errors import Forbidden, RuleViolation, ValidationError
from shequ.store import Store

PAY = [line("514", "debit", 450_000, memo="村道修补"), line("102", "credit", 450_000)]


def published_quarter(world: World, village: Village) -> str:
    """Q1 2026 of the village, posted, closed, disclosed and published on 2026-04-10."""
    world.ledger(village)
    world.post(village, "2026-01-03", PAY, "村道修补")
    world.clock.set("2026-04-02")
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(AGENCY, world.key("close"), village_id=village.id, period=month)
    prepared = world.app.prepare_disclosure(
        village.clerk, world.key("prepare"), village_id=village.id, period="2026Q1"
    )
    ident = {"disclosure_id": prepared["disclosure_id"]}
    world.app.review_disclosure(village.group, world.key("review"), opinion="同意公开", **ident)
    world.clock.set("2026-04-10")
    world.app.publish_disclosure(village.head, world.key("publish"), **ident)
    return str(prepared["disclosure_id"])


def household_of(world: World, village: Village) -> str:
    household_id = new_id()
    world.announce(
        "household.registered",
        household_id=household_id,
        village_id=village.id,
        head_id=new_id(),
        address="第一组",
        since="2020-01-01",
        sample=True,
    )
    return household_id


def resident(household_id: str) -> Actor:
    return Actor(person_id=new_id(), role="resident", household_id=household_id)


def road_objection(world: World, village: Village) -> tuple[str, str, dict[str, Any]]:
    """Q1 published, then on 2026-04-12 a resident of the village objects to its road repair
    line: the disclosure, the household and what filing answered."""
    disclosure_id = published_quarter(world, village)
    home = household_of(world, village)
    world.clock.set("2026-04-12")
    filed = world.app.file_objection(
        resident(home),
        "objection-road",
        disclosure_id=disclosure_id,
        household_id=home,
        line="expense:0",
        text="修路费用请说明明细",
    )
    return disclosure_id, home, filed


def test_D30_D31_a_resident_objects_to_a_line_and_is_answered_on_time(world: World) -> None:
    village = world.village()
    disclosure_id, home, filed = road_objection(world, village)
    assert filed["due_on"] == "2026-04-22"  # ten days, the filing day not counted
    world.app.assign_objection(
        village.head,
        "objection-road-assign",
        objection_id=filed["objection_id"],
        assignee_id=village.group.person_id,
    )
    world.clock.set("2026-04-22")  # the last day is on time
    answered = world.app.answer_objection(
        village.group,
        "objection-road-answer",
        objection_id=filed["objection_id"],
        answer="用工15个、材料费4,500元，明细已张贴",
    )
    assert answered == {"objection_id": filed["objection_id"], "on_time": True}
    shown = world.app.objection(resident(home), filed["objection_id"])
    assert (shown["status"], shown["line"], shown["answered_on"]) == (
        "answered",
        "expense:0",
        "2026-04-22",
    )
    assert [(a["on_time"]) for a in world.published("objection.answered")] == [True]
    refused(
        RuleViolation,
        "objection.answered",
        "objection_id",
        world.app.answer_objection,
        village.head,
        "answer-again",
        objection_id=filed["objection_id"],
        answer="再答",
    )
    # the disclosure itself is unchanged by the objection and its answer (D31)
    assert (
        world.app.disclosure(AUDITOR, disclosure_id)["content_sha256"]
        == world.published("disclosure.published")[0]["content_sha256"]
    )


def test_D32_unanswered_it_is_overdue_once_and_goes_to_the_township(world: World) -> None:
    village = world.village()
    disclosure_id = published_quarter(world, village)
    home = household_of(world, village)
    asker = resident(home)
    world.clock.set("2026-04-12")
    filed = world.app.file_objection(
        asker, "objection-late", disclosure_id=disclosure_id, household_id=home, text="补助收入去向"
    )
    ident = {"objection_id": filed["objection_id"]}
    refused(
        RuleViolation,
        "objection.not_escalable",
        "objection_id",
        world.app.escalate_objection,
        asker,
        "escalate-early",
        **ident,
    )
    world.clock.set("2026-04-23")
    assert record_unanswered(world.finance) == 1
    assert record_unanswered(world.finance) == 0
    escalated = world.app.escalate_objection(asker, "escalate-late", reason="逾期未答复", **ident)
    # ten days after 04-23 is 05-03, in the Labour Day holiday: due the next working day (D9)
    assert escalated["due_on"] == "2026-05-06"
    world.clock.set("2026-05-07")
    assert record_unanswered(world.finance) == 1  # the township's due date passed too: once more
    assert [o["due_on"] for o in world.published("objection.overdue")] == [
        "2026-04-22",
        "2026-05-06",
    ]
    answered = world.app.answer_objection(AGENCY, "answer-late", answer="已核实，见公开栏", **ident)
    assert answered["on_time"] is False


def test_D30_only_for_a_household_of_the_village_and_a_published_disclosure(world: World) -> None:
    village, other = world.village(), world.village()
    disclosure_id = published_quarter(world, village)
    stranger_home = household_of(world, other)
    refused(
        ValidationError,
        "invalid",
        "household_id",
        world.app.file_objection,
        resident(stranger_home),
        "objection-stranger",
        disclosure_id=disclosure_id,
        household_id=stranger_home,
        text="外村质询",
    )
    home = household_of(world, village)
    someone_else = resident(household_of(world, village))
    refused(
        Forbidden,
        "out_of_scope",
        "actor",
        world.app.file_objection,
        someone_else,
        "objection-for-other",
        disclosure_id=disclosure_id,
        household_id=home,
        text="替别户质询",
    )
    # staff take a villager's objection down for their household
    filed = world.app.file_objection(
        village.clerk,
        "objection-by-clerk",
        disclosure_id=disclosure_id,
        household_id=home,
        text="代村民提出",
        channel="visit",
    )
    assert filed["due_on"] == "2026-04-20"
    refused(
        Forbidden, "out_of_scope", "actor", world.app.objection, someone_else, filed["objection_id"]
    )


@pytest.mark.parametrize(("extend", "due"), [(True, "2026-05-06"), (False, "2026-05-05")])
def test_D9_a_due_date_on_a_holiday_moves_to_the_next_working_day_unless_turned_off(
    store: Store, extend: bool, due: str
) -> None:
    with closing(World(store, FinanceSettings(extend_on_rest_day=extend))) as world:
        village = world.village()
        disclosure_id = published_quarter(world, village)
        home = household_of(world, village)
        world.clock.set("2026-04-25")  # ten days later is 05-05, the last day of the holiday
        filed = world.app.file_objection(
            resident(home),
            "objection-holiday",
            disclosure_id=disclosure_id,
            household_id=home,
            text="节前质询",
        )
        assert filed["due_on"] == due
