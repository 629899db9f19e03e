"""Survey and visit rounds (调研走访): rounds, visit logs, coverage with a controlled clock,
households missed, and opinions that come back with a case id from casework."""

from __future__ import annotations

from typing import Any

import pytest
from outreach_testing import AUDITOR, STAFF, World, spring_round
from shequ.actor import SYSTEM, Actor
from shequ.errors import Forbidden, RuleViolation, ValidationError

from tests.support.facts import case_opened


def _round(world: World, x: dict, key: str = "round-0001", **more) -> dict:
    return world.app.open_round(STAFF, key, **{**spring_round(x), **more})


def _visit(world: World, x: dict, rnd: dict, household: str, on: str, key: str, **more) -> dict:
    visitor = Actor(person_id=x["members"]["services"], role="team_member")
    return world.app.log_visit(
        visitor, key, round_id=rnd["round_id"], household_id=household, visited_on=on, **more
    )


def test_coverage_per_village_and_period_with_a_controlled_clock(world: World):
    x = world.district(3)
    second = world.village(x["community_id"], "西李家村（示例）")
    extra = world.household(second)
    rnd = _round(world, x)
    assert rnd["households"] == 4
    world.clock.set("2025-03-10")
    _visit(world, x, rnd, x["households"][0], "2025-03-05", "visit-0001")
    _visit(world, x, rnd, x["households"][0], "2025-03-09", "visit-0002")  # twice: counts once
    _visit(world, x, rnd, extra, "2025-03-10", "visit-0003")
    cov = world.app.round_coverage(STAFF, rnd["round_id"])
    assert (cov["households_total"], cov["households_visited"], cov["coverage"]) == (4, 2, 0.5)
    by_village = {
        v["village_id"]: (v["households_total"], v["households_visited"]) for v in cov["villages"]
    }
    assert by_village == {x["village_id"]: (3, 1), second: (1, 1)}
    period = world.app.coverage(STAFF, x["community_id"], "2025-03-06", "2025-03-31")
    assert (period["households_visited"], period["households_total"]) == (2, 4)
    early = world.app.coverage(STAFF, x["community_id"], "2025-03-01", "2025-03-05")
    assert early["households_visited"] == 1
    missed = world.app.households_missed(STAFF, rnd["round_id"])
    assert sorted(m["household_id"] for m in missed) == sorted(x["households"][1:])


def test_closing_a_round_publishes_its_coverage_and_refuses_later_visits(world: World):
    x = world.district(2)
    rnd = _round(world, x)
    world.clock.set("2025-03-31")
    _visit(world, x, rnd, x["households"][1], "2025-03-30", "visit-0001")
    closed = world.app.close_round(STAFF, "close-0001", round_id=rnd["round_id"])
    assert (closed["households_total"], closed["households_visited"]) == (2, 1)
    [published] = world.published("round.closed")
    assert published["households_total"] == 2 and published["households_visited"] == 1
    top = world.top()
    with pytest.raises(RuleViolation) as err:
        _visit(world, x, rnd, x["households"][0], "2025-03-31", "visit-0002")
    assert err.value.code == "rule.round_closed"
    assert world.top() == top


def test_visit_rules_period_list_future_and_assignees(world: World):
    """Visits lie within the round's period, on its list, not in the future, by assignees."""
    x, y = world.district(1), world.district(1)
    rnd = _round(world, x)
    world.clock.set("2025-03-10")
    top = world.top()
    for on, household, code in (
        ("2025-04-01", x["households"][0], "rule.visit_outside_period"),
        ("2025-03-20", x["households"][0], "rule.date_in_future"),
        ("2025-03-05", y["households"][0], "rule.household_not_in_round"),
    ):
        with pytest.raises(RuleViolation) as err:
            _visit(world, x, rnd, household, on, f"visit-bad-{on}-{household[:6]}")
        assert err.value.code == code
    stranger = Actor(person_id=x["members"]["finance"], role="team_member")  # not assigned
    with pytest.raises(Forbidden):
        world.app.log_visit(
            stranger,
            "visit-bad-0009",
            round_id=rnd["round_id"],
            household_id=x["households"][0],
            visited_on="2025-03-05",
        )
    with pytest.raises(ValidationError) as bad:
        _visit(
            world,
            x,
            rnd,
            x["households"][0],
            "2025-03-05",
            "visit-bad-0010",
            opinions=[{"category": "gossip", "text": "?"}],
        )
    assert bad.value.field == "opinions[0].category"
    assert world.top() == top


def test_round_assignees_must_be_team_members_and_period_ordered(world: World):
    x, other = world.district(1), world.district(1)
    top = world.top()
    with pytest.raises(RuleViolation) as err:
        _round(world, x, "round-bad-0001", assignees=["3f1c6a7e-0000-5000-8000-000000000777"])
    assert err.value.code == "rule.assignee_not_team_member" and err.value.field == "assignees"
    with pytest.raises(RuleViolation) as order:
        _round(world, x, "round-bad-0002", period_start="2025-04-01")
    assert order.value.code == "rule.period_end_before_start"
    with pytest.raises(ValidationError) as empty:
        _round(world, x, "round-bad-0003", assignees=[])
    assert empty.value.field == "assignees"
    with pytest.raises(ValidationError) as village:
        _round(world, x, "round-bad-0004", village_ids=[other["village_id"]])
    assert village.value.field == "village_ids"
    assert world.top() == top


def test_opinions_are_published_and_casework_case_ids_recorded_once(world: World):
    x = world.district(1)
    rnd = _round(world, x)
    world.clock.set("2025-03-10")
    visit = _visit(
        world,
        x,
        rnd,
        x["households"][0],
        "2025-03-05",
        "visit-0001",
        opinions=[
            {"category": "demand", "text": "村口路灯坏了"},
            {"category": "suggestion", "text": "增设垃圾桶"},
        ],
    )
    first, second = visit["opinion_ids"]

    def opened(case_id: str, category: str, on: str, **more: Any) -> dict[str, Any]:
        """casework.case.opened for a case opened ``on`` that day for the first opinion."""
        return case_opened(
            case_id, x["community_id"], on, category=category, origin_opinion_id=first, **more
        )

    # a field casework added later (priority) is let by
    env = world.casework.envelope(
        "case.opened", opened("c-1", "lighting", "2025-03-06", priority="normal")
    )
    assert world.casework.inbox.process(env) == "applied"
    assert world.casework.inbox.process(env) == "duplicate"
    top = world.top()
    # A second case naming the same opinion is not recorded: one case per opinion.
    world.casework.send("case.opened", **opened("c-2", "x", "2025-03-07"))
    assert world.top() == top
    rows = {r["opinion_id"]: r for r in world.app.opinions(AUDITOR, x["community_id"])}
    assert rows[first]["case_id"] == "c-1" and rows[second]["case_id"] is None
    assert rows[first]["source_id"] == visit["visit_id"] and rows[first]["channel"] == "visit"


def test_record_opinion_from_a_contact_card_call(world: World):
    x = world.district(1)
    member = Actor(person_id=x["members"]["welfare"], role="team_member")
    done = world.app.record_opinion(
        member,
        "opinion-0001",
        household_id=x["households"][0],
        category="demand",
        text="自来水压力低",
    )
    [row] = world.app.opinions(SYSTEM, x["community_id"])
    assert row["opinion_id"] == done["opinion_id"] and row["channel"] == "contact_card"
    assert row["collected_by"] == member.person_id
