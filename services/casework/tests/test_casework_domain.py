"""The domain with no I/O: the deadline engine over the holiday calendar, thresholds, and the
case aggregate's rules."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, ClassVar
from uuid import uuid4

import pytest
from casework.domain import Case, Mediation, Period, WorkCalendar
from casework.domain.common import Fact
from casework.domain.thresholds import LocalRules, missed
from shequ.errors import RuleViolation
from shequ.workcalendar import load_calendar

CAL = load_calendar()
ACTOR = {"person_id": "t", "role": "system"}


class TestCalendar:
    def test_holiday_data_covers_both_years_with_the_announced_day_counts(self) -> None:
        for year, holidays, workdays in ((2025, 28, 5), (2026, 33, 6)):
            data = json.loads(
                resources.files("shequ")
                .joinpath(f"data/holidays-{year}.json")
                .read_text(encoding="utf-8")
            )
            assert data["year"] == year and data["source"]
            assert len(data["holidays"]) == holidays and len(data["workdays"]) == workdays
            assert all(d.startswith(str(year)) for d in data["holidays"] + data["workdays"])
        assert CAL.covers("2026-10-01") and not CAL.covers("2027-01-04")

    @pytest.mark.parametrize(
        ("day", "working"),
        [
            ("2026-02-14", True),  # Saturday, worked before the Spring Festival
            ("2026-02-16", False),  # Monday, Spring Festival
            ("2026-02-28", True),  # Saturday, worked after it
            ("2026-10-08", True),  # Thursday after the National Day week
            ("2026-10-10", True),  # Saturday, worked
            ("2025-10-08", False),  # 2025: the National Day holiday ran to the 8th
            ("2025-09-28", True),  # Sunday, worked
            ("2026-03-07", False),  # an ordinary Saturday
            ("2027-01-04", True),  # outside the data: Monday to Friday
        ],
    )
    def test_working_days(self, day: str, working: bool) -> None:
        assert CAL.is_working_day(day) is working

    def test_adding_and_counting_in_both_units(self) -> None:
        assert CAL.add("2026-09-30", 1, "working") == "2026-10-08"
        assert CAL.add("2026-09-30", 3, "working") == "2026-10-10"
        assert CAL.add("2026-01-31", 30, "calendar") == "2026-03-02"
        assert CAL.count("2026-02-13", "2026-02-24", "working") == 2  # Sat 14th and Tue 24th
        assert CAL.count("2026-02-13", "2026-02-24", "calendar") == 11
        assert CAL.count("2026-02-24", "2026-02-13", "working") == 0
        assert (
            CAL.shift_for_pause("2026-03-10", "2026-02-12", "2026-02-25", "working") == "2026-03-16"
        )  # 4 working days paused

    def test_a_period_is_days_in_a_unit(self) -> None:
        assert Period(5, "working").due(CAL, "2026-04-29") == "2026-05-09"
        assert Period(15).due(CAL, "2026-03-02") == "2026-03-17"
        with pytest.raises(ValueError):
            Period(5, "lunar")
        bare = WorkCalendar()
        assert bare.add("2026-02-13", 1, "working") == "2026-02-16"


def _case(case_type: str = "demand", **over: Any) -> Case:
    args: dict[str, Any] = {
        "case_type": case_type,
        "category": "other",
        "channel": "walk_in",
        "community_id": "c",
        "village_id": None,
        "household_id": "h",
        "team_id": None,
        "work_group": "services",
        "title": "t",
        "description": "",
        "place": "",
        "resident": {},
        "received_on": "2026-03-02",
        "accept_due": "2026-03-05",
        "objection_due": None,
        "origin_opinion_id": None,
        "duplicate_of": None,
        "reported_person_ids": [],
        "petition": None,
        "actor": ACTOR,
    }
    args.update(over)
    return Case(id=uuid4(), **args)


class TestCase:
    def test_chase_and_reprimand_once_per_missed_due_date(self) -> None:
        case = _case()
        case.accept(Fact("2026-03-02", ACTOR), "2026-03-10")
        with pytest.raises(RuleViolation):
            case.chase("2026-03-10", ACTOR)  # not overdue yet
        with pytest.raises(RuleViolation):
            case.reprimand("2026-03-20", ACTOR)  # never chased
        case.chase("2026-03-11", ACTOR)
        with pytest.raises(RuleViolation):
            case.chase("2026-03-12", ACTOR)
        case.reprimand("2026-03-16", ACTOR)
        case.pause("2026-03-17", "等待", ACTOR)
        assert not case.overdue("2026-04-01")

    def test_reopening_only_within_the_window(self) -> None:
        case = _case()
        case.accept(Fact("2026-03-02", ACTOR), "2026-03-10")
        case.assign(Fact("2026-03-02", ACTOR), "p", "services", "")
        case.start(Fact("2026-03-02", ACTOR))
        case.resolve(Fact("2026-03-03", ACTOR), ["照片"], None, None)
        case.answer(Fact("2026-03-03", ACTOR), "已办", "2026-03-10", None)
        with pytest.raises(RuleViolation) as info:
            case.reopen(Fact("2026-03-11", ACTOR), "没修好", "2026-03-31")
        assert info.value.code == "rule.reopen.window_passed"
        case.reopen(Fact("2026-03-10", ACTOR), "没修好", "2026-03-31")
        assert case.state == "reopened" and case.owner_id == "p" and case.due_on == "2026-03-31"
        case.start(Fact("2026-03-10", ACTOR))
        assert case.state == "in_progress"

    def test_s3_protected_material_is_withheld_from_the_person_reported(self) -> None:
        case = _case("petition", reported_person_ids=["bad"])
        case.add_material("m1", "举报信", "内容", True, "2026-03-02", ACTOR)
        case.add_material("m2", "公开说明", "说明", False, "2026-03-02", ACTOR)
        assert [m["material_id"] for m in case.visible_materials("bad")] == ["m2"]
        assert len(case.visible_materials("other")) == 2


class TestThresholds:
    BASE: ClassVar[dict[str, Any]] = {
        "date": "2026-03-20",
        "notice_on": "2026-03-01",
        "expected": 30,
    }

    def test_s1_party_assembly_counts_yes_votes_against_members_expected(self) -> None:
        r = {**self.BASE, "present": 20, "yes": 15}
        assert [m.code for m in missed("party_assembly", "general", r, LocalRules())] == [
            "vote.majority_expected"
        ]
        r["yes"] = 16
        assert missed("party_assembly", "general", r, LocalRules()) == []
        strict = LocalRules(party_assembly_two_thirds=True)
        r["present"] = 19  # more than half, less than two thirds
        assert [m.code for m in missed("party_assembly", "general", r, strict)] == [
            "quorum.two_thirds_local"
        ]

    def test_s1_representatives_need_two_thirds_present_and_majority_of_present(self) -> None:
        r = {**self.BASE, "present": 19, "yes": 19}
        assert [m.code for m in missed("representatives_meeting", "general", r, LocalRules())] == [
            "quorum.two_thirds"
        ]
        r = {**self.BASE, "present": 20, "yes": 11}
        assert missed("representatives_meeting", "general", r, LocalRules()) == []


def test_s4_mediation_needs_every_party_and_the_mediator_to_sign_before_the_seal() -> None:
    m = Mediation(
        id=uuid4(),
        case_id="c",
        community_id="x",
        initiative="committee",
        parties=[{"party_id": "a", "name": "甲"}, {"party_id": "b", "name": "乙"}],
        applicant_id=None,
        started_on="2026-03-02",
        due_on="2026-04-01",
        actor=ACTOR,
    )
    for p in ("a", "b"):
        m.consent(p, "2026-03-02", ACTOR)
    m.choose_mediator("med", "committee", "2026-03-02", ACTOR)
    m.record_session(Fact("2026-03-03", ACTOR), "调解室", "……")
    m.draft_agreement(
        {"facts": "f", "issues": "i", "responsibilities": "r", "terms": "t", "performance": "p"},
        "2026-03-03",
        ACTOR,
    )
    m.sign("a", "2026-03-03", ACTOR)
    m.sign("b", "2026-03-03", ACTOR)
    with pytest.raises(RuleViolation) as info:
        m.seal(Fact("2026-03-03", ACTOR), "2026-04-02")  # the mediator has not signed
    assert info.value.code == "rule.mediation.unsigned"
    m.sign("med", "2026-03-03", ACTOR)
    m.seal(Fact("2026-03-03", ACTOR), "2026-04-02")
    assert m.state == "effective" and m.confirmation_until == "2026-04-02"


class TestSettings:
    def test_local_settings_may_be_stricter_but_never_loosen_the_law(self) -> None:
        from casework.settings import settings_from

        s = settings_from(
            {
                "handling": {
                    "demand": {"days": 10, "unit": "working"},
                    "petition": {"days": 45, "unit": "calendar"},
                },
                "reprimand_after_days": 3,
                "local_rules": {"representatives_majority_of_all": True},
            }
        )
        assert s.handling["demand"] == Period(10, "working") and s.reprimand_after_days == 3
        assert s.handling["petition"].days == 45 and s.local_rules.representatives_majority_of_all
        for bad, word in (
            ({"petition_review_window": {"days": 10}}, "fixed by law"),
            ({"handling": {"petition": {"days": 90}}}, "handling.petition"),
            ({"handling": {"dispute": {"days": 20, "unit": "working"}}}, "handling.dispute"),
            ({"local_rules": {"villagers_assembly_notice_days": 7}}, "at least 10"),
            ({"colour": "red"}, "unknown settings"),
        ):
            with pytest.raises(ValueError, match=word):
                settings_from(bad)
