"""Issue 16, continued: the outcome of a case and the steps of its procedures are dated by the
day they happened too (resolution, answer, review answer, refusal, extension approval,
mediation sessions, its end, follow-up visit and police referral, publications), bounded as
the other dated facts are, the law's windows counted from them, both days shown.

Told from the user's side: the application's use cases, which the RPC entrypoints call one to
one (an RPC round trip is in test_casework_interface.py). The clock is the service's.
"""

from __future__ import annotations

from typing import Any

from casework.application import Casework
from casework_testing import (
    FAILED,
    STAFF,
    FixedClock,
    key,
    open_demand,
    refused,
    running_casework,
    world,
)
from shequ.actor import Actor
from shequ.store import Store
from sqlalchemy import text
from test_casework_facts import accepted_dispute, deliberated, published
from test_casework_petitions import REPLY, petition
from test_casework_procedures import PARTIES

TYPED = "2026-03-20T01:00:00+00:00"  # 09:00 in the district on 20 March


def timeline(app: Casework, case_id: str) -> dict[str, tuple[str | None, str]]:
    """event -> (the day it happened, when it was typed in), the last of each name."""
    return {
        e["event"]: (e["on"], e["recorded_at"]) for e in app.case_timeline(STAFF, case_id)["events"]
    }


def test_a_reply_handed_over_last_week_opens_the_review_window_from_that_day(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)
    app.accept_case(STAFF, key(), case_id=case_id)  # 2 March
    app.start_case(STAFF, key(), case_id=case_id)
    clock.set("2026-03-20")
    resolve = {"case_id": case_id, "evidence": ["核查记录"], "outcome": "supported", "reply": REPLY}
    for day, rule in (
        ("2026-03-21", "rule.date.future"),
        ("2026-03-01", "rule.date.before_start"),
    ):  # before it was accepted
        err = refused(app.resolve_case, STAFF, key(), resolved_on=day, **resolve)
        assert (err.code, err.field) == (rule, "resolved_on")
    app.resolve_case(STAFF, key(), resolved_on="2026-03-10", **resolve)
    err = refused(
        app.answer_case, STAFF, key(), case_id=case_id, text="处理意见书", answered_on="2026-03-09"
    )
    assert (err.code, err.field) == ("rule.date.before_start", "answered_on")
    app.answer_case(STAFF, key(), case_id=case_id, text="处理意见书", answered_on="2026-03-12")
    case = app.case(STAFF, case_id)
    assert (case["resolved_on"], case["answered_on"]) == ("2026-03-10", "2026-03-12")
    # 30 days to ask for review and 7 to reopen, from the day the petitioner got the reply
    assert (case["review_until"], case["reopen_until"]) == ("2026-04-11", "2026-03-19")
    events = timeline(app, case_id)
    assert events["Resolved"] == ("2026-03-10", TYPED)
    assert events["Answered"] == ("2026-03-12", TYPED)
    clock.set("2026-04-13")
    app.request_review(
        STAFF, key(), case_id=case_id, level="review", reason="不服", requested_on="2026-04-10"
    )
    clock.set("2026-04-25")
    review = {
        "case_id": case_id,
        "outcome": "not_supported",
        "decision": "维持原处理意见",
        "basis": "信访工作条例第35条",
    }
    err = refused(app.answer_review, STAFF, key(), answered_on="2026-04-09", **review)
    assert (err.code, err.field) == ("rule.date.before_start", "answered_on")
    app.answer_review(STAFF, key(), answered_on="2026-04-20", **review)
    case = app.case(STAFF, case_id)
    assert (case["answered_on"], case["review_until"]) == ("2026-04-20", "2026-05-20")
    assert case["reviews"][0]["answered_on"] == "2026-04-20"


def test_a_refusal_and_an_extension_are_dated_by_the_day_they_were_decided(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)  # received 2 March: an objection is due by 9 March
    clock.set("2026-03-11")  # the objection went out on 6 March, typed in on the 11th
    refusal = {"case_id": case_id, "reason_code": "not_competent", "reason": "属区人社局职权"}
    err = refused(app.refuse_case, STAFF, key(), **refusal, refused_on="2026-03-01")
    assert (err.code, err.field) == ("rule.date.before_start", "refused_on")
    app.refuse_case(STAFF, key(), **refusal, refused_on="2026-03-06")
    assert app.case(STAFF, case_id)["state"] == "refused"
    # rubbish is cleared the next working day: accepted Monday 2 March, due Tuesday 3 March
    clock.set("2026-03-02")
    rubbish = str(open_demand(app, w, category="rubbish", title="垃圾未清运")["case_id"])
    app.accept_case(STAFF, key(), case_id=rubbish)
    app.start_case(STAFF, key(), case_id=rubbish)
    clock.set("2026-03-05")
    extend = {"case_id": rubbish, "days": 1, "reason": "清运车检修", "approved_by": "社区书记"}
    err = refused(app.extend_deadline, STAFF, key(), approved_on="2026-03-01", **extend)
    assert (err.code, err.field) == ("rule.date.before_start", "approved_on")
    app.extend_deadline(STAFF, key(), approved_on="2026-03-03", **extend)
    assert app.case(STAFF, rubbish)["extensions"][0]["on"] == "2026-03-03"
    before = app.recorder.max_notification_id()
    app.resolve_case(
        STAFF, key(), case_id=rubbish, evidence=["清运记录"], resolved_on="2026-03-04"
    )  # cleared on the day due, typed in later
    assert [r["on_time"] for r in published(app, before, "casework.case.resolved")] == [True]


def test_mediation_sessions_its_end_and_the_follow_up_visit_carry_their_days(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = accepted_dispute(app, w)
    app.start_mediation(
        STAFF, key(), case_id=case_id, initiative="committee", parties=PARTIES
    )  # 2 March
    for party in ("p1", "p2"):
        app.consent_to_mediation(STAFF, key(), case_id=case_id, party_id=party)
    app.choose_mediator(STAFF, key(), case_id=case_id, person_id=w["med_a"])
    clock.set("2026-03-20")
    session = {"case_id": case_id, "place": "调解室", "summary": "双方陈述"}
    err = refused(app.record_mediation_session, STAFF, key(), held_on="2026-03-01", **session)
    assert (err.code, err.field) == ("rule.date.before_start", "held_on")
    app.record_mediation_session(STAFF, key(), held_on="2026-03-05", **session)
    app.refer_to_police(
        STAFF, key(), case_id=case_id, reason="有肢体冲突苗头", referred_on="2026-03-06"
    )
    app.fail_mediation(STAFF, key(), case_id=case_id, failed_on="2026-03-10", **FAILED)
    case = app.case(STAFF, case_id)
    assert (case["state"], case["resolved_on"]) == ("resolved", "2026-03-10")
    assert case["mediation"]["ended_on"] == "2026-03-10"
    err = refused(
        app.follow_up_mediation,
        STAFF,
        key(),
        case_id=case_id,
        notes="已起诉",
        visited_on="2026-03-09",
    )
    assert (err.code, err.field) == ("rule.date.before_start", "visited_on")
    app.follow_up_mediation(STAFF, key(), case_id=case_id, notes="已起诉", visited_on="2026-03-15")
    events = timeline(app, case_id)
    assert events["SessionRecorded"] == ("2026-03-05", TYPED)
    assert events["ReferredToPolice"] == ("2026-03-06", TYPED)
    assert events["Failed"] == ("2026-03-10", TYPED)
    assert events["Resolved"] == ("2026-03-10", TYPED)
    assert events["FollowedUp"] == ("2026-03-15", TYPED)


def test_a_party_ending_or_refusing_mediation_is_dated_by_that_day(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    ended, stopped = accepted_dispute(app, w), accepted_dispute(app, w)
    for case_id in (ended, stopped):
        app.start_mediation(
            STAFF,
            key(),
            case_id=case_id,
            initiative="committee",
            parties=PARTIES,
            started_on="2026-03-02",
        )
    clock.set("2026-03-20")
    err = refused(
        app.end_mediation, STAFF, key(), case_id=ended, party_id="p1", ended_on="2026-03-01"
    )
    assert (err.code, err.field) == ("rule.date.before_start", "ended_on")
    app.end_mediation(STAFF, key(), case_id=ended, party_id="p1", ended_on="2026-03-12")
    app.refuse_mediation(STAFF, key(), case_id=stopped, party_id="p2", refused_on="2026-03-04")
    assert [app.case(STAFF, c)["resolved_on"] for c in (ended, stopped)] == [
        "2026-03-12",
        "2026-03-04",
    ]


def test_publications_of_a_village_decision_carry_their_days(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = deliberated(app, w, clock)  # begun 2 March, its four meetings on 20 March
    clock.set("2026-03-25")
    publish: dict[str, Any] = {"case_id": case_id, "step": 5, "text": "决议：同意发包"}
    err = refused(app.publish_decision, STAFF, key(), published_on="2026-03-19", **publish)
    assert (err.code, err.field) == ("rule.date.before_start", "published_on")
    app.publish_decision(STAFF, key(), published_on="2026-03-21", **publish)
    publish.update(step=6, text="已签订承包合同")
    err = refused(app.publish_decision, STAFF, key(), published_on="2026-03-20", **publish)
    assert (err.code, err.field) == ("rule.date.before_start", "published_on")
    app.publish_decision(STAFF, key(), published_on="2026-03-23", **publish)
    case = app.case(STAFF, case_id)
    assert (case["state"], case["resolved_on"], case["decision"]["ended_on"]) == (
        "resolved",
        "2026-03-23",
        "2026-03-23",
    )


def test_queues_show_when_a_case_was_typed_in_beside_the_day_it_was_received(
    store: Store, casework: Casework, clock: FixedClock
) -> None:
    """Queue, overdue and a household's own rows carry ``recorded_at``; a database whose read
    model was built before that column existed is rebuilt from the log on start."""
    app, w = casework, world(casework)
    clock.set("2026-03-09")
    case_id = petition(app, w, received_on="2026-03-02")
    typed = "2026-03-09T01:00:00+00:00"
    clock.set("2026-03-20")  # not accepted by 17 March: overdue
    rows = [
        *app.queue(STAFF, community_id=w["community"]),
        *app.overdue_cases(STAFF),
        *app.my_cases(STAFF, household_id=w["h1"]),
    ]
    assert [(r["case_id"], r["received_on"], r["recorded_at"]) for r in rows] == [
        (case_id, "2026-03-02", typed)
    ] * 3
    # the same database as an earlier release left it: no recorded_at column, no fingerprint
    with app.projector.engine.begin() as c:
        c.execute(text("ALTER TABLE cw_cases DROP COLUMN recorded_at"))
        c.execute(text("DROP TABLE IF EXISTS shequ_read_models"))
    with running_casework(store, clock) as upgraded:
        row = upgraded.queue(STAFF, community_id=w["community"])[0]
        assert (row["case_id"], row["recorded_at"]) == (case_id, typed)


def test_a_reopening_asked_for_by_phone_is_checked_against_the_window_on_its_day(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = str(open_demand(app, w)["case_id"])
    for command in ("accept_case", "start_case"):
        getattr(app, command)(STAFF, key(), case_id=case_id)
    app.resolve_case(STAFF, key(), case_id=case_id, evidence=["维修记录"])
    app.answer_case(STAFF, key(), case_id=case_id, text="已恢复供水")  # reopen until 9 March
    clock.set("2026-03-11")  # the resident phoned on 6 March; typed in on the 11th
    assert (
        refused(app.reopen_case, STAFF, key(), case_id=case_id, reason="又停水了").code
        == "rule.reopen.window_passed"
    )
    err = refused(
        app.reopen_case, STAFF, key(), case_id=case_id, reason="又停水了", reopened_on="2026-03-01"
    )
    assert (err.code, err.field) == ("rule.date.before_start", "reopened_on")
    out = app.reopen_case(
        STAFF, key(), case_id=case_id, reason="又停水了", reopened_on="2026-03-06"
    )
    assert out["due_on"] == "2026-03-27"  # 15 working days from 6 March
    assert timeline(app, case_id)["Reopened"] == ("2026-03-06", "2026-03-11T01:00:00+00:00")


def test_a_case_handled_and_rated_on_paper_last_month_carries_every_day_it_happened(
    casework: Casework, clock: FixedClock
) -> None:
    """Handed over, begun and rated on days before they were typed in: each is dated by its
    day, bounded like the other dated facts; the published rating carries the day it was given
    (assessment counts it in that day's period)."""
    app, w = casework, world(casework)
    case_id = str(open_demand(app, w)["case_id"])
    app.accept_case(STAFF, key(), case_id=case_id)  # 2 March: routed to the welfare member
    clock.set("2026-03-20")
    handover = {"case_id": case_id, "owner_id": w["san"], "reason": "转环卫组"}
    err = refused(app.assign_case, STAFF, key(), **handover, assigned_on="2026-03-01")
    assert (err.code, err.field) == ("rule.date.before_start", "assigned_on")
    app.assign_case(STAFF, key(), **handover, assigned_on="2026-03-03")
    for day, rule in (("2026-03-21", "rule.date.future"), ("2026-03-01", "rule.date.before_start")):
        err = refused(app.start_case, STAFF, key(), case_id=case_id, started_on=day)
        assert (err.code, err.field) == (rule, "started_on")
    app.start_case(STAFF, key(), case_id=case_id, started_on="2026-03-04")
    app.resolve_case(STAFF, key(), case_id=case_id, evidence=["维修记录"], resolved_on="2026-03-06")
    app.answer_case(STAFF, key(), case_id=case_id, text="已恢复供水", answered_on="2026-03-07")
    resident = Actor(w["h1_head"], "resident", household_id=w["h1"])
    err = refused(app.rate_case, resident, key(), case_id=case_id, rating=4, rated_on="2026-03-06")
    assert (err.code, err.field) == ("rule.date.before_start", "rated_on")
    before = app.recorder.max_notification_id()
    app.rate_case(
        resident, key(), case_id=case_id, rating=4, comment="基本满意", rated_on="2026-03-09"
    )  # on the paper form at the follow-up visit
    [rated] = published(app, before, "casework.case.rated")
    assert (rated["rating"], rated["rated_on"]) == (4, "2026-03-09")
    events = timeline(app, case_id)
    assert events["Assigned"][0] == "2026-03-03"
    assert events["Started"] == ("2026-03-04", TYPED)
    assert events["Rated"] == ("2026-03-09", TYPED)
