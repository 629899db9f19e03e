"""What waits for whom, through the use-case table on SQLite and PostgreSQL: the review queue
shows each reviewer exactly the vouchers awaiting their stage (and whether they may take it),
the disclosures of a village with their status, and the objections still to answer."""

from __future__ import annotations

from finance_testing import AGENCY, AUDITOR, World, line, new_id, refused
from shequ.actor import Actor
from shequ.errors import Forbidden, ValidationError
from test_finance_objections import road_objection

PAY = [line("513", "debit", 12_000, memo="办公用品"), line("102", "credit", 12_000)]


def queue(world: World, actor: Actor, **query: str) -> list[tuple[str, str, bool]]:
    answer = world.app.review_queue(actor, **query)
    return [(v["voucher_id"], v["stage"], v["may_take"]) for v in answer["vouchers"]]


def test_each_reviewer_sees_exactly_the_vouchers_awaiting_their_stage(world: World) -> None:
    village, other = world.village(), world.village()
    world.ledger(village)
    world.ledger(other)
    voucher_id = world.draft(village, "2026-01-03", PAY)
    elsewhere = world.draft(other, "2026-01-03", PAY)
    world.review(village, voucher_id, upto=0)  # submitted, no stage taken yet
    world.review(other, elsewhere, upto=0)
    assert queue(world, village.clerk2) == [(voucher_id, "clerk_check", True)]
    assert queue(world, village.clerk) == [(voucher_id, "clerk_check", False)]  # the handler
    assert queue(world, village.group) == []
    for taken, stage in enumerate(world.finance.settings.review_stages):
        reviewer = village.reviewers[stage]
        assert queue(world, reviewer, village_id=village.id) == [(voucher_id, stage, True)]
        if taken:  # who took an earlier stage sees it no more
            earlier = village.reviewers[world.finance.settings.review_stages[taken - 1]]
            assert queue(world, earlier) == []
        world.decide(village, voucher_id, stage, "approve", "同意")
    # the agency serves every village: the other village's voucher awaits its first stage
    assert queue(world, AGENCY) == [(voucher_id, "post", True)]
    assert queue(world, AUDITOR, stage="clerk_check") == [(elsewhere, "clerk_check", False)]
    world.app.post_voucher(AGENCY, "post-voucher-1", voucher_id=voucher_id)
    assert queue(world, AGENCY) == []
    assert queue(world, village.clerk2) == []


def test_the_queue_stays_in_the_askers_scope_and_names_a_bad_stage(world: World) -> None:
    village, other = world.village(), world.village()
    world.ledger(village)
    refused(Forbidden, "out_of_scope", "actor", world.app.review_queue, other.head, village.id)
    staff = Actor(person_id=new_id(), role="community_staff", community_id=village.community_id)
    refused(Forbidden, "out_of_scope", "actor", world.app.review_queue, staff)
    assert world.app.review_queue(staff, village.id)["vouchers"] == []
    refused(
        ValidationError, "invalid", "stage", world.app.review_queue, AGENCY, village.id, "approve"
    )


def test_disclosures_and_the_objections_still_to_answer(world: World) -> None:
    village = world.village()
    assert world.app.disclosures(village.group)["disclosures"] == []
    disclosure_id, _, filed = road_objection(world, village)
    listed = world.app.disclosures(village.group)["disclosures"]
    assert [(d["disclosure_id"], d["period"], d["status"]) for d in listed] == [
        (disclosure_id, "2026Q1", "published")
    ]
    assert world.app.disclosures(AUDITOR, village.id, "reviewed")["disclosures"] == []
    objection_id = filed["objection_id"]
    due = world.app.objections_due(village.head)["objections"]
    assert [(o["objection_id"], o["due_on"], o["overdue"], o["line"]) for o in due] == [
        (objection_id, "2026-04-22", False, "expense:0")
    ]
    assert "household_id" not in due[0]
    world.clock.set("2026-04-23")
    assert world.app.objections_due(AGENCY, village.id)["objections"][0]["overdue"] is True
    world.app.answer_objection(
        village.group, "objection-road-answer", objection_id=objection_id, answer="明细已张贴"
    )
    assert world.app.objections_due(village.group)["objections"] == []


def test_the_books_each_may_read(world: World) -> None:
    village = world.village(name="东村（示例）")
    neighbour = world.village(village.community_id, name="西村（示例）")
    far = world.village(name="北村（示例）")
    world.ledger(village)
    world.clock.set("2026-02-02")
    world.app.close_period(AGENCY, "close-east-2026-01", village_id=village.id, period="2026-01")

    def books(actor: Actor) -> list[tuple[str, str | None, list[str]]]:
        listed = world.app.ledgers(actor)["villages"]
        return [(v["name"], v["opened_on"], v["closed"]) for v in listed]

    assert books(village.head) == [("东村（示例）", "2026-01-01", ["2026-01"])]
    staff = Actor(person_id=new_id(), role="community_staff", community_id=village.community_id)
    assert books(staff) == [("东村（示例）", "2026-01-01", ["2026-01"]), ("西村（示例）", None, [])]
    assert len(books(AUDITOR)) == 3 and far.id in str(world.app.ledgers(AGENCY))
    assert neighbour.id not in str(world.app.ledgers(village.group))
    resident = Actor(person_id=new_id(), role="resident", household_id=new_id())
    refused(Forbidden, "forbidden", "actor.role", world.app.ledgers, resident)
