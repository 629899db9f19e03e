"""Petitions (信访), RULES §3 (信访工作条例 2022), each statement named in a test."""

from __future__ import annotations

from typing import Any

import pytest
from casework.application import Casework
from casework_testing import PETITION, STAFF, FixedClock, key, refusal, scan_at, world
from shequ.actor import Actor
from shequ.errors import Forbidden, RuleViolation, ValidationError

REPLY = {
    "request": "补发补偿款",
    "facts": "经核查少发2000元",
    "decision": "补发2000元",
    "basis": "《土地管理法》第48条",
}


def petition(app: Casework, w: dict[str, Any], **over: Any) -> str:
    details = {**PETITION, **over.pop("petition", {})}
    args = {
        "case_type": "petition",
        "category": "petition",
        "channel": "walk_in",
        "title": "征地补偿款未足额发放",
        "household_id": w["h1"],
        "petition": details,
    } | over
    return str(app.open_case(STAFF, key(), **args)["case_id"])


def handled(app: Casework, clock: FixedClock, w: dict[str, Any], **over: Any) -> str:
    """A petition accepted, handled and answered in writing."""
    case_id = petition(app, w, **over)
    app.accept_case(STAFF, key(), case_id=case_id)
    app.start_case(STAFF, key(), case_id=case_id)
    app.resolve_case(
        STAFF, key(), case_id=case_id, evidence=["补偿款发放凭证"], outcome="supported", reply=REPLY
    )
    app.answer_case(STAFF, key(), case_id=case_id, text="信访事项处理意见书")
    return case_id


def test_s3_written_petition_carries_name_address_request_facts_oral_is_recorded(
    casework: Casework,
) -> None:
    app, w = casework, world(casework)
    before = app.recorder.max_notification_id()
    for missing in ("petitioner_name", "address", "request", "facts"):
        with pytest.raises(ValidationError) as info:
            petition(app, w, petition={missing: ""})
        assert info.value.field == f"petition.{missing}"
    assert app.recorder.max_notification_id() == before
    oral = petition(app, w, petition={"form": "oral", "address": ""})
    assert app.case(STAFF, oral)["petition"]["form"] == "oral"


def test_s3_a_group_visit_sends_at_most_five_representatives(casework: Casework) -> None:
    app, w = casework, world(casework)
    assert (
        refusal(petition, app, w, petition={"representatives": 6})
        == "rule.petition.representatives"
    )
    assert petition(app, w, petition={"representatives": 5})


def test_s3_acceptance_notice_due_within_15_days_and_chased_after(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)  # received 2026-03-02
    assert app.case(STAFF, case_id)["due_on"] == "2026-03-17"
    assert scan_at(app, clock, "2026-03-17T09:00:00+08:00")["chased"] == []
    assert scan_at(app, clock, "2026-03-18T09:00:00+08:00")["chased"] == [case_id]
    clock.set("2026-03-18")
    # handling: 60 calendar days from acceptance
    assert app.accept_case(STAFF, key(), case_id=case_id)["due_on"] == "2026-05-17"


def test_s3_objection_of_non_competence_within_5_working_days_across_may_day(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    clock.set("2026-04-29")  # Wed; May 1-5 holiday, Sat May 9 a working day
    late, in_time = petition(app, w), petition(app, w, household_id=w["h2"])
    clock.set("2026-05-09")
    assert (
        app.refuse_case(
            STAFF, key(), case_id=in_time, reason_code="not_competent", reason="属区人社局职权"
        )["state"]
        == "refused"
    )
    clock.set("2026-05-11")
    before = app.recorder.max_notification_id()
    assert (
        refusal(
            app.refuse_case,
            STAFF,
            key(),
            case_id=late,
            reason_code="not_competent",
            reason="属区人社局职权",
        )
        == "rule.petition.objection_late"
    )
    assert app.recorder.max_notification_id() == before


def test_s3_one_extension_of_at_most_30_days_approved_with_the_reason_sent(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)
    app.accept_case(STAFF, key(), case_id=case_id)  # due 2026-05-01

    def extension(days: int, reason: str) -> dict[str, Any]:
        return {"case_id": case_id, "days": days, "reason": reason, "approved_by": "区信访局"}

    too_long = refusal(app.extend_deadline, STAFF, key(), **extension(31, "复杂"))
    assert too_long == "rule.extension.too_long"
    out = app.extend_deadline(STAFF, key(), **extension(30, "需调查取证"))
    assert out["due_on"] == "2026-05-31"
    ext = app.case(STAFF, case_id)["extensions"]
    assert ext[0]["resident_notified"] is True and ext[0]["reason"] == "需调查取证"
    again = refusal(app.extend_deadline, STAFF, key(), **extension(1, "再延"))
    assert again == "rule.extension.limit"


def test_s3_reply_states_request_facts_decision_basis_and_outcome(casework: Casework) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)
    app.accept_case(STAFF, key(), case_id=case_id)
    app.start_case(STAFF, key(), case_id=case_id)
    assert (
        refusal(app.resolve_case, STAFF, key(), case_id=case_id, evidence=["凭证"], reply=REPLY)
        == "rule.petition.outcome_required"
    )
    with pytest.raises(RuleViolation) as info:
        app.resolve_case(
            STAFF,
            key(),
            case_id=case_id,
            evidence=["凭证"],
            outcome="explained",
            reply={**REPLY, "basis": ""},
        )
    assert info.value.field == "reply.basis"
    app.resolve_case(
        STAFF, key(), case_id=case_id, evidence=["凭证"], outcome="explained", reply=REPLY
    )
    assert app.case(STAFF, case_id)["outcome"] == "explained"


def test_s3_review_and_re_review_within_30_days_then_same_facts_not_accepted_again(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    resident = Actor(w["h1_head"], "resident", household_id=w["h1"])
    case_id = handled(app, clock, w)  # answered 2026-03-02
    assert (
        refusal(
            app.request_review, resident, key(), case_id=case_id, level="re_review", reason="不服"
        )
        == "rule.review.order"
    )
    clock.set("2026-04-01")  # 30 days after the reply: still in time
    out = app.request_review(resident, key(), case_id=case_id, level="review", reason="不服")
    assert out["state"] == "in_review" and out["due_on"] == "2026-05-01"
    assert scan_at(app, clock, "2026-05-02T09:00:00+08:00")["chased"] == [case_id]
    clock.set("2026-05-02")
    with pytest.raises(Forbidden):  # reviews are answered by the body above
        app.answer_review(
            Actor("c", "community_staff", community_id=w["community"]),
            key(),
            case_id=case_id,
            outcome="not_supported",
            decision="维持",
            basis="条例第35条",
        )
    app.answer_review(
        STAFF,
        key(),
        case_id=case_id,
        outcome="not_supported",
        decision="维持原处理意见",
        basis="信访工作条例第35条",
    )
    clock.set("2026-06-02")  # 31 days after the review answer: too late for re-review
    assert (
        refusal(
            app.request_review, resident, key(), case_id=case_id, level="re_review", reason="仍不服"
        )
        == "rule.review.window_passed"
    )
    clock.set("2026-06-01")
    app.request_review(resident, key(), case_id=case_id, level="re_review", reason="仍不服")
    app.answer_review(
        STAFF,
        key(),
        case_id=case_id,
        outcome="not_supported",
        decision="维持",
        basis="信访工作条例第35条",
    )
    assert app.case(STAFF, case_id)["final"] is True
    # the same facts, however written, are not accepted again; other facts are
    same = {"facts": " 2025年 征地补偿款，未足额发放 "}
    assert refusal(petition, app, w, petition=same) == "rule.petition.same_facts_after_re_review"
    assert petition(app, w, petition={"facts": "2026年青苗补偿未发放。"})


def test_s3_handlers_with_a_conflict_of_interest_step_aside(casework: Casework) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)
    assert app.accept_case(STAFF, key(), case_id=case_id)["owner_id"] == w["med_a"]
    out = app.recuse(
        Actor(w["med_a"], "team_member"),
        key(),
        case_id=case_id,
        person_id=w["med_a"],
        reason="系信访人亲属",
    )
    assert out["owner_id"] is None and out["state"] == "accepted"
    assert (
        refusal(app.assign_case, STAFF, key(), case_id=case_id, owner_id=w["med_a"], reason="改派")
        == "rule.recused"
    )
    # routing skips the recused member
    assert app.assign_case(STAFF, key(), case_id=case_id)["owner_id"] == w["med_b"]


def test_s3_material_from_a_whistleblower_never_reaches_the_person_reported(
    casework: Casework,
) -> None:
    app, w = casework, world(casework)
    reported = w["med_a"]
    case_id = petition(app, w, reported_person_ids=[reported])
    app.add_material(
        STAFF, key(), case_id=case_id, title="举报材料", content="某某收受好处", protected=True
    )
    accepted = app.accept_case(STAFF, key(), case_id=case_id)
    assert accepted["owner_id"] == w["med_b"]  # routing never picks the person reported
    assert (
        refusal(app.assign_case, STAFF, key(), case_id=case_id, owner_id=reported, reason="改派")
        == "rule.conflict_of_interest"
    )
    them = Actor(reported, "team_member")
    for read in (app.case, app.case_timeline):
        with pytest.raises(Forbidden) as info:
            read(them, case_id)
        assert info.value.code == "reported_person"
    assert case_id not in [
        c["case_id"]
        for c in app.queue(
            Actor(reported, "community_staff", community_id=w["community"]),
            community_id=w["community"],
        )
    ]
    staff_them = Actor(reported, "community_staff", community_id=w["community"])
    assert case_id not in [
        c["case_id"]
        for c in app.overdue_cases(staff_them, community_id=w["community"], on="2027-01-01")
    ]
    assert case_id in [c["case_id"] for c in app.overdue_cases(STAFF, on="2027-01-01")]
    assert app.case(STAFF, case_id)["materials"][0]["content"] == "某某收受好处"
    assert "某某收受好处" not in str(app.case_timeline(STAFF, case_id))
    with pytest.raises(Forbidden):
        app.add_material(them, key(), case_id=case_id, title="辩解", content="……")
