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


def road_objection(
    world: World, village: Village, line: str = "expense:0", text: str = "修路费用请说明明细"
) -> tuple[str, str, dict[str, Any]]:
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
        line=line,
        text=text,
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


def test_D33_F10_an_answer_citing_a_correction_is_carried_by_the_next_disclosure(
    world: World,
) -> None:
    """The road repair was booked at 4,500.00 yuan instead of 4,050.00: a resident objects to
    that line of Q1's published disclosure, the clerk corrects it in April by a red
    difference voucher, the answer cites it. Q2's disclosure carries a correction notice
    (kind correction) naming the line as published; Q1's disclosure keeps its content and
    digest and records Superseded; Q3's carries the correction no more."""
    village = world.village()
    disclosure_id, _, filed = road_objection(world, village, "expense:1", "修路费用是否多记了？")
    original = world.app.disclosure(village.head, disclosure_id)
    wrong = world.app.vouchers(AUDITOR, village.id, "2026-01")["vouchers"][0]["id"]
    world.clock.set("2026-04-15")
    fix, number = world.posted(
        village,
        "2026-04-15",
        [
            line("514", "debit", 45_000, red=True, memo="冲减多记修路费"),
            line("102", "credit", 45_000, red=True),
        ],
        "冲减多记的村道修补费",
        kind="difference",
        corrects=wrong,
    )
    assert number == "记-2026-002"
    world.app.answer_objection(
        village.group,
        "objection-overbooked-answer",
        objection_id=filed["objection_id"],
        answer="确系多记450元，已于4月15日以红字差额凭证冲减",
        correction_voucher_id=fix,
    )
    q2 = quarter(world, village, "2026Q2", ("2026-04", "2026-05", "2026-06"))
    notice = world.app.disclosure(village.head, q2["correction_notice_id"])
    corrects = {
        "disclosure_id": disclosure_id,
        "kind": "periodic",
        "period": "2026Q1",
        "content_sha256": original["content_sha256"],
        "original": {
            "line": "expense:1",
            "date": "2026-01-03",
            "voucher_no": "记-2026-001",
            "summary": "村道修补",
            "amount_fen": 450_000,
        },
    }
    assert (notice["kind"], notice["period"], notice["status"]) == (
        "correction",
        "2026Q2",
        "prepared",
    )
    assert [
        (r["number"], r["account"], r["side"], r["amount_fen"], r["corrects"])
        for r in notice["content"]["rows"]
    ] == [
        ("记-2026-002", "514", "debit", -45_000, corrects),
        ("记-2026-002", "102", "credit", -45_000, corrects),
    ]
    carried = world.app.disclosure(village.head, q2["disclosure_id"])["content"]["corrections"]
    assert carried == [{**corrects, "number": "记-2026-002", "objection_id": filed["objection_id"]}]
    # the original line stays: Q1's disclosure is as published, its digest unchanged
    assert world.app.disclosure(village.head, disclosure_id) == original
    superseded = world.finance.disclosure(disclosure_id).superseded
    assert [(s["notice_id"], s["line"], s["voucher_id"]) for s in superseded] == [
        (q2["correction_notice_id"], "expense:1", fix)
    ]
    # reviewed and published like any disclosure
    ident = {"disclosure_id": q2["correction_notice_id"]}
    world.app.review_disclosure(village.group, "review-notice", opinion="同意公告", **ident)
    world.app.publish_disclosure(village.head, "publish-notice", **ident)
    published = world.published("disclosure.published")
    assert [(p["kind"], p["period"]) for p in published][-1] == ("correction", "2026Q2")
    board = world.app.public_disclosures(village.head, village_id=village.id)["disclosures"]
    shown = next(d for d in board if d["kind"] == "correction")["sections"]
    assert [(s["key"], s["title"]) for s in shown] == [("correction", "更正公告")]
    assert [r["line"] for r in shown[0]["rows"]] == ["correction:1", "correction:2"]
    assert all(r["log"] is not None for r in shown[0]["rows"])  # each line in the public log
    # carried once: the next quarter's disclosure has no notice
    q3 = quarter(world, village, "2026Q3", ("2026-07", "2026-08", "2026-09"))
    assert "correction_notice_id" not in q3
    assert "corrections" not in world.app.disclosure(village.head, q3["disclosure_id"])["content"]


def quarter(world: World, village: Village, period: str, months: tuple[str, ...]) -> Any:
    """The quarter's months closed after it ends, then its disclosure prepared."""
    last = int(months[-1][5:])
    world.clock.set(f"{months[-1][:4]}-{last + 1:02d}-02" if last < 12 else "2027-01-02")
    for month in months:
        world.app.close_period(AGENCY, world.key("close"), village_id=village.id, period=month)
    return world.app.prepare_disclosure(
        village.clerk, world.key("prepare"), village_id=village.id, period=period
    )


def test_F11_an_objection_filed_assigned_overdue_escalated_and_answered_event_by_event(
    world: World,
) -> None:
    """Staff take a villager's objection to one line down at the office; each step of it is one
    stored event with its actor, and the integration events carry ids and dates, never the
    objection's text."""
    village = world.village()
    disclosure_id = published_quarter(world, village)
    home = household_of(world, village)
    world.clock.set("2026-04-12")
    taken_down = {"household_id": home, "line": "expense:0", "channel": "visit"}
    filed = world.app.file_objection(
        village.clerk,
        "objection-f11",
        disclosure_id=disclosure_id,
        text="修路用工人数请说明",
        **taken_down,
    )
    ident = {"objection_id": filed["objection_id"]}
    world.app.assign_objection(
        village.head, "objection-f11-assign", assignee_id=village.group.person_id, **ident
    )
    world.clock.set("2026-04-23")
    assert record_unanswered(world.finance) == 1
    world.app.escalate_objection(village.clerk, "objection-f11-escalate", **ident)
    world.app.answer_objection(
        AGENCY, "objection-f11-answer", answer="用工15个，明细已张贴", **ident
    )
    objection = world.finance.objection(filed["objection_id"])
    assert (objection.disclosure_id, objection.household_id, objection.line, objection.text) == (
        disclosure_id,
        home,
        "expense:0",
        "修路用工人数请说明",
    )
    stored = list(world.finance.repository.event_store.get(objection.id))
    assert [(type(e).__qualname__, e.actor["person_id"]) for e in stored] == [
        ("Objection.Filed", village.clerk.person_id),
        ("Objection.Assigned", village.head.person_id),
        ("Objection.Overdue", "system:finance-overdue"),  # the daily sweep
        ("Objection.Escalated", village.clerk.person_id),
        ("Objection.Answered", AGENCY.person_id),
    ]
    assert stored[0].channel == "visit"
    contracts = ("objection.filed", "objection.overdue", "objection.answered")
    sent = {c: world.published(c) for c in contracts}
    assert {c: [e["objection_id"] for e in sent[c]] for c in contracts} == {
        c: [filed["objection_id"]] for c in contracts
    }
    assert "修路" not in str(sent)


def test_D30_a_resident_reads_their_own_households_objections_only(world: World) -> None:
    village = world.village()
    disclosure_id, home, filed = road_objection(world, village)
    neighbour = household_of(world, village)
    world.app.file_objection(
        resident(neighbour),
        "objection-neighbour",
        disclosure_id=disclosure_id,
        household_id=neighbour,
        text="邻居的质询",
    )
    mine = world.app.household_objections(resident(home), household_id=home)
    assert (mine["household_id"], mine["village_id"]) == (home, village.id)
    (row,) = mine["objections"]  # not the neighbour's
    assert (row["objection_id"], row["period"], row["line"]) == (
        filed["objection_id"],
        "2026Q1",
        "expense:0",
    )
    assert (row["status"], row["filed_on"], row["due_on"]) == ("open", "2026-04-12", "2026-04-22")
    assert (row["overdue"], row["on_time"], row["answer"]) == (False, None, None)
    world.clock.set("2026-04-24")  # answered two days late
    world.app.answer_objection(
        village.group, "answer-late", objection_id=filed["objection_id"], answer="已张贴明细"
    )
    (row,) = world.app.household_objections(resident(home), household_id=home)["objections"]
    assert (row["status"], row["answer"], row["answered_on"], row["on_time"]) == (
        "answered",
        "已张贴明细",
        "2026-04-24",
        False,
    )
    # staff of the village read it; a resident never reads another household's
    assert world.app.household_objections(village.group, household_id=home)["objections"]
    for other in (home, new_id()):  # nor whether a household exists
        refused(
            Forbidden,
            "out_of_scope",
            "actor",
            world.app.household_objections,
            resident(neighbour),
            household_id=other,
        )
