"""Deadlines with a controlled clock (nothing sleeps): working days over the holiday calendar,
pauses, extensions, chase (催办) and reprimand (通报) published for assessment."""

from __future__ import annotations

from typing import Any

import pytest
from casework.application import Casework
from casework.contracts import translate
from casework.deadlines import send_notice
from casework_testing import (
    STAFF,
    FixedClock,
    key,
    open_demand,
    running_casework,
    scan_at,
    unbound,
    world,
)
from shequ.actor import Actor
from shequ.errors import Forbidden, RuleViolation


def notices(app: Casework) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for note in app.recorder.select_notifications(0, 5000, inclusive_of_start=False):
        found = translate(app.mapper.to_domain_event(note))
        if found and found[0].name in ("casework.case.chased", "casework.case.reprimanded"):
            out.append((found[0].name, found[1]))
    return out


def accepted(app: Casework, w: dict[str, Any], **over: Any) -> str:
    case_id = open_demand(app, w, **over)["case_id"]
    app.accept_case(STAFF, key(), case_id=case_id)
    return str(case_id)


def test_overdue_case_is_chased_once_then_reprimanded_five_days_later(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = accepted(app, w)  # accepted Monday 2026-03-02: 15 working days
    assert app.case(STAFF, case_id)["due_on"] == "2026-03-23"
    assert scan_at(app, clock, "2026-03-23T18:00:00+08:00")["chased"] == []
    assert scan_at(app, clock, "2026-03-24T08:00:00+08:00")["chased"] == [case_id]
    assert scan_at(app, clock, "2026-03-24T20:00:00+08:00")["chased"] == []
    assert scan_at(app, clock, "2026-03-28T09:00:00+08:00")["reprimanded"] == []
    assert scan_at(app, clock, "2026-03-29T09:00:00+08:00")["reprimanded"] == [case_id]
    assert scan_at(app, clock, "2026-04-20T09:00:00+08:00") == {
        "on": "2026-04-20",
        "chased": [],
        "reprimanded": [],
        "closed": [],
        "resolved": [],
    }
    sent = notices(app)
    assert [n for n, _ in sent] == ["casework.case.chased", "casework.case.reprimanded"]
    assert sent[0][1]["owner_id"] == w["wel"] and sent[0][1]["due_on"] == "2026-03-23"
    assert sent[1][1]["reprimanded_on"] == "2026-03-29"
    overdue = app.overdue_cases(STAFF, community_id=w["community"], on="2026-03-30")
    assert overdue[0]["chased_on"] == "2026-03-24" and overdue[0]["reprimanded"]
    with pytest.raises(Forbidden):
        app.scan_deadlines(Actor("x", "community_staff", community_id=w["community"]))


def test_working_days_skip_the_spring_festival_and_count_adjusted_saturdays(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    clock.set("2026-02-12")  # Thursday before the 2026 Spring Festival (Feb 15-23)
    case_id = accepted(app, w)
    # Feb 13, Sat Feb 14 (worked), Feb 24-27, Sat Feb 28 (worked), Mar 2-6, Mar 9-11
    assert app.case(STAFF, case_id)["due_on"] == "2026-03-11"
    rubbish = accepted(app, w, category="rubbish", household_id=w["h2"])
    assert app.case(STAFF, rubbish)["due_on"] == "2026-02-13"  # 日产日清: one working day


def test_a_paused_case_is_not_chased_and_resumes_with_its_days_kept(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = accepted(app, w)  # due 2026-03-23
    clock.set("2026-03-05")
    app.pause_case(STAFF, key(), case_id=case_id, reason="等待供水公司检测")
    with pytest.raises(RuleViolation) as info:
        app.pause_case(STAFF, key(), case_id=case_id, reason="再次暂停")
    assert info.value.code == "rule.already_paused"
    assert scan_at(app, clock, "2026-03-25T09:00:00+08:00")["chased"] == []
    clock.set("2026-03-12")  # 5 working days passed while paused
    assert app.resume_case(STAFF, key(), case_id=case_id)["due_on"] == "2026-03-30"
    assert scan_at(app, clock, "2026-03-30T09:00:00+08:00")["chased"] == []
    assert scan_at(app, clock, "2026-03-31T09:00:00+08:00")["chased"] == [case_id]


def test_an_extension_is_single_capped_approved_and_restarts_the_chase(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = accepted(app, w)  # due 2026-03-23, owner wel
    assert scan_at(app, clock, "2026-03-24T09:00:00+08:00")["chased"] == [case_id]
    clock.set("2026-03-24")

    def extend(**kw: Any) -> Any:
        args = {
            "case_id": case_id,
            "days": 5,
            "reason": "需协调水务站",
            "approved_by": "社区书记",
        } | kw
        return app.extend_deadline(STAFF, key(), **args)

    before = app.recorder.max_notification_id()
    for bad, code in (
        ({"days": 16}, "rule.extension.too_long"),
        ({"approved_by": w["wel"]}, "rule.extension.needs_approval"),
    ):
        with pytest.raises(RuleViolation) as info:
            extend(**bad)
        assert info.value.code == code
    assert app.recorder.max_notification_id() == before
    assert extend()["due_on"] == "2026-03-30"  # 5 working days after the old due date
    with pytest.raises(RuleViolation) as info:
        extend()
    assert info.value.code == "rule.extension.limit"
    assert scan_at(app, clock, "2026-03-31T09:00:00+08:00")["chased"] == [case_id]
    assert [d["due_on"] for _, d in notices(app)] == ["2026-03-23", "2026-03-30"]


def test_two_replicas_scanning_at_once_send_each_notice_once(
    casework: Casework, clock: FixedClock
) -> None:
    """A second replica whose read model still showed the case unchased (it read before the
    first one wrote) sends the same notice under the same key: nothing new is stored."""
    app, w = casework, world(casework)
    case_id = accepted(app, w)
    with running_casework(app.store, clock) as other:
        assert scan_at(app, clock, "2026-03-24T09:00:00+08:00")["chased"] == [case_id]
        top = app.recorder.max_notification_id()
        assert send_notice(unbound(other), "chase", case_id, "2026-03-23", "2026-03-24")
        assert scan_at(other, clock, "2026-03-24T10:00:00+08:00")["chased"] == []
        assert app.recorder.max_notification_id() == top
        assert [n for n, _ in notices(app)] == ["casework.case.chased"]


def test_an_operator_adds_a_year_of_holidays_without_a_release(tmp_path) -> None:
    """The holiday calendar is data: a year announced after a release (2027 here) is added
    from SHEQU_CASEWORK_HOLIDAYS_DIR, and a malformed file is refused naming itself."""
    import json

    import pytest
    from shequ.workcalendar import load_calendar

    shipped = load_calendar()
    assert not shipped.covers("2027-02-08")
    (tmp_path / "holidays-2027.json").write_text(
        json.dumps({"year": 2027, "holidays": ["2027-02-08"], "workdays": ["2027-02-06"]})
    )
    added = load_calendar(str(tmp_path))
    assert (
        added.covers("2027-02-08") and shipped.covers("2026-02-16") and added.covers("2026-02-16")
    )
    assert not added.is_working_day("2027-02-08")  # a Monday, a holiday
    assert added.is_working_day("2027-02-06")  # a Saturday, worked
    (tmp_path / "holidays-2028.json").write_text(
        json.dumps({"year": 2028, "holidays": ["2027-12-31"]})
    )
    with pytest.raises(ValueError, match="holidays-2028.json"):
        load_calendar(str(tmp_path))


def test_an_answered_case_closes_once_its_reopening_window_has_passed(
    casework: Casework, clock: FixedClock
) -> None:
    """answered → (not reopened within the window) → closed, by the deadline scan, once; a
    case the resident reopened in time is not closed."""
    app, w = casework, world(casework)
    done, reopened = accepted(app, w), accepted(app, w, category="rubbish", household_id=w["h2"])
    for case_id in (done, reopened):
        app.start_case(STAFF, key(), case_id=case_id)
        app.resolve_case(STAFF, key(), case_id=case_id, evidence=["处理记录"])
        app.answer_case(STAFF, key(), case_id=case_id, text="已处理")
    until = app.case(STAFF, done)["reopen_until"]
    assert until == "2026-03-09"  # answered Monday 2026-03-02, 7 calendar days
    resident = Actor("r-2", "resident", household_id=w["h2"])
    app.reopen_case(resident, key(), case_id=reopened, reason="又堆满了")
    assert scan_at(app, clock, f"{until}T20:00:00+08:00")["closed"] == []
    assert scan_at(app, clock, "2026-03-10T08:00:00+08:00")["closed"] == [done]
    assert scan_at(app, clock, "2026-03-11T08:00:00+08:00")["closed"] == []
    assert app.case(STAFF, done)["state"] == "closed"
    assert app.case(STAFF, reopened)["state"] != "closed"
