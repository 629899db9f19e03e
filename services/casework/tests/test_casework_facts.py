"""Facts happen before they are typed in (issue 16): staff give the day a thing happened, the
law's periods count from it, both that day and the time it was recorded are shown; a meeting
falls within its procedure's life; a procedure that ends moves its case on by itself.

Told from the user's side: the application's use cases, which the RPC entrypoints call one to
one (an RPC round trip is in test_casework_interface.py). The clock is the service's (a
FixedClock here): the caller's clock is never asked.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from casework.application import Casework
from casework.contracts import translate
from casework.settings import settings_from
from casework_testing import (
    FAILED,
    MEETINGS,
    STAFF,
    Feed,
    FixedClock,
    key,
    open_decision,
    open_demand,
    readme_place,
    refused,
    running_casework,
    uid,
    world,
)
from shequ.errors import RuleViolation
from shequ.store import Store
from test_casework_petitions import REPLY, petition
from test_casework_procedures import AGREEMENT, PARTIES, record

from tests.support.readme import readme_sections


def published(app: Casework, before: int, name: str) -> list[dict[str, Any]]:
    out = []
    for n in app.recorder.select_notifications(before, 100, inclusive_of_start=False):
        found = translate(app.mapper.to_domain_event(n))
        if found and found[0].name == name:
            out.append(found[1])
    return out


def accepted_dispute(app: Casework, w: dict[str, Any]) -> str:
    case_id = str(open_demand(app, w, case_type="dispute", category="neighbour_dispute")["case_id"])
    app.accept_case(STAFF, key(), case_id=case_id)
    return case_id


# -- 1. dated facts ----------------------------------------------------------------------------
def test_a_paper_petition_received_last_week_counts_from_the_day_it_was_received(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    clock.set("2026-03-09")  # a Monday: the petition came by post on Monday 2 March
    before = app.recorder.max_notification_id()
    for day, rule in (("2026-03-10", "rule.date.future"), ("2026-02-06", "rule.date.too_old")):
        err = refused(petition, app, w, received_on=day)
        assert (err.code, err.field) == (rule, "received_on")
    assert app.recorder.max_notification_id() == before  # a refusal writes nothing
    case_id = petition(app, w, received_on="2026-03-02")
    case = app.case(STAFF, case_id)
    assert case["received_on"] == "2026-03-02"
    assert case["recorded_at"] == "2026-03-09T01:00:00+00:00"  # typed in a week later
    assert case["due_on"] == "2026-03-17"  # 15 days from receipt, not from typing in
    assert published(app, before, "casework.case.opened")[0]["opened_on"] == "2026-03-02"
    # an objection of non-competence: 5 working days from receipt, i.e. by 9 March
    clock.set("2026-03-10")
    assert (
        refused(
            app.refuse_case,
            STAFF,
            key(),
            case_id=case_id,
            reason_code="not_competent",
            reason="属区人社局职权",
        ).code
        == "rule.petition.objection_late"
    )
    # accepted (the written notice went out) on 5 March: 60 days to handle count from then
    err = refused(app.accept_case, STAFF, key(), case_id=case_id, accepted_on="2026-03-01")
    assert (err.code, err.field) == ("rule.date.before_start", "accepted_on")
    assert (
        app.accept_case(STAFF, key(), case_id=case_id, accepted_on="2026-03-05")["due_on"]
        == "2026-05-04"
    )
    case = app.case(STAFF, case_id)
    assert (case["accepted_on"], case["due_kind"]) == ("2026-03-05", "handle")
    events = {e["event"]: e for e in app.case_timeline(STAFF, case_id)["events"]}
    assert (events["Received"]["on"], events["Received"]["recorded_at"]) == (
        "2026-03-02",
        "2026-03-09T01:00:00+00:00",
    )
    assert (events["Accepted"]["on"], events["Accepted"]["recorded_at"]) == (
        "2026-03-05",
        "2026-03-10T01:00:00+00:00",
    )


def test_a_district_with_a_backlog_sets_how_far_back_paper_may_be_dated(
    store: Store, clock: FixedClock
) -> None:
    with running_casework(
        store, clock, settings=settings_from({"backdate_within_days": 60})
    ) as app:
        w = world(app)
        clock.set("2026-04-15")
        assert refused(petition, app, w, received_on="2026-02-13").code == "rule.date.too_old"
        case_id = petition(app, w, received_on="2026-02-14")  # 60 days back
        assert app.case(STAFF, case_id)["received_on"] == "2026-02-14"


def test_an_opinion_collected_on_a_visit_is_received_on_the_day_of_the_visit(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    clock.set("2026-03-05")  # outreach logged the visit of 1 March; it arrives today
    opinion = {
        "opinion_id": uid(),
        "community_id": w["community"],
        "village_id": w["v1"],
        "household_id": w["h1"],
        "category": "water_supply",
        "text": "自来水浑浊",
        "channel": "visit",
        "source_id": uid(),
        "collected_by": w["med_a"],
        "collected_on": "2026-03-01",
    }
    assert Feed(app, "outreach").send("opinion.collected", opinion) == "applied"
    case_id = next(
        c["case_id"]
        for c in app.queue(STAFF, community_id=w["community"])
        if c["origin_opinion_id"] == opinion["opinion_id"]
    )
    case = app.case(STAFF, case_id)
    assert (case["received_on"], case["accepted_on"], case["recorded_at"]) == (
        "2026-03-01",
        "2026-03-05",
        "2026-03-05T01:00:00+00:00",
    )


def test_a_review_asked_for_in_person_is_recorded_with_the_day_it_was_asked(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    resident = STAFF
    case_id = petition(app, w)
    app.accept_case(STAFF, key(), case_id=case_id)
    app.start_case(STAFF, key(), case_id=case_id)
    app.resolve_case(
        STAFF, key(), case_id=case_id, evidence=["凭证"], outcome="supported", reply=REPLY
    )
    clock.set("2026-03-10")
    app.answer_case(STAFF, key(), case_id=case_id, text="处理意见书")  # review until 9 April
    assert app.case(STAFF, case_id)["review_until"] == "2026-04-09"
    clock.set("2026-03-12")
    review = {"case_id": case_id, "level": "review", "reason": "不服"}
    err = refused(app.request_review, resident, key(), **review, requested_on="2026-03-09")
    assert (err.code, err.field) == ("rule.date.before_start", "requested_on")
    clock.set("2026-04-13")  # asked at the office on 8 April, typed in on 13 April
    assert (
        refused(app.request_review, resident, key(), **review).code == "rule.review.window_passed"
    )
    out = app.request_review(resident, key(), **review, requested_on="2026-04-08")
    assert out["due_on"] == "2026-05-08"  # 30 days to answer, from the request
    review = app.case(STAFF, case_id)["reviews"][0]
    assert (review["requested_on"], review["recorded_at"]) == (
        "2026-04-08",
        "2026-04-13T01:00:00+00:00",
    )


def test_court_confirmation_applied_for_in_person_is_recorded_with_its_day(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = accepted_dispute(app, w)
    clock.set("2026-03-06")
    mediation = {"case_id": case_id, "initiative": "committee", "parties": PARTIES}
    err = refused(app.start_mediation, STAFF, key(), **mediation, started_on="2026-03-01")
    assert (err.code, err.field) == ("rule.date.before_start", "started_on")
    app.start_mediation(STAFF, key(), **mediation, started_on="2026-03-03")
    sealed_agreement(app, case_id, w["med_a"], sealed_on="2026-03-05")
    mediation = app.case(STAFF, case_id)["mediation"]
    assert (mediation["started_on"], mediation["due_on"]) == ("2026-03-03", "2026-04-02")
    assert (mediation["effective_on"], mediation["confirmation_until"]) == (
        "2026-03-05",
        "2026-04-04",
    )
    clock.set("2026-04-06")  # applied at the court on 3 April, typed in on 6 April
    assert (
        refused(app.apply_for_confirmation, STAFF, key(), case_id=case_id, court="区人民法院").code
        == "rule.mediation.confirmation_late"
    )
    app.apply_for_confirmation(
        STAFF, key(), case_id=case_id, court="区人民法院", applied_on="2026-04-03"
    )
    assert app.case(STAFF, case_id)["mediation"]["confirmation_applied_on"] == "2026-04-03"


def sealed_agreement(app: Casework, case_id: str, mediator: str, **seal: Any) -> Any:
    for command, kw in (
        ("consent_to_mediation", {"party_id": "p1"}),
        ("consent_to_mediation", {"party_id": "p2"}),
        ("choose_mediator", {"person_id": mediator}),
        ("record_mediation_session", {"place": "调解室", "summary": "调解"}),
        ("draft_agreement", {"agreement": AGREEMENT}),
        ("sign_agreement", {"signer_id": "p1"}),
        ("sign_agreement", {"signer_id": "p2"}),
        ("sign_agreement", {"signer_id": mediator}),
    ):
        getattr(app, command)(STAFF, key(), case_id=case_id, **kw)
    return app.seal_agreement(STAFF, key(), case_id=case_id, **seal)


# -- 2. meetings fall within the procedure's life ----------------------------------------------
def decision(app: Casework, w: dict[str, Any], **start: Any) -> str:
    case_id = open_decision(app, w)
    app.start_decision(STAFF, key(), case_id=case_id, matter_type="general", **start)
    return case_id


def meet(app: Casework, case_id: str, step: int, body: str, **over: Any) -> Any:
    return app.record_decision_meeting(
        STAFF, key(), case_id=case_id, step=step, body=body, record=record(**over)
    )


def deliberated(app: Casework, w: dict[str, Any], clock: FixedClock) -> str:
    """A village decision begun on 2 March and accepted by ``w["san"]``, its four meetings
    (四议: branch, committees, party assembly, representatives) held on 20 March."""
    case_id = decision(app, w)
    app.accept_case(STAFF, key(), case_id=case_id, owner_id=w["san"])
    clock.set("2026-03-20")
    for step, body in MEETINGS:
        meet(app, case_id, step, body)
    return case_id


def test_a_meeting_falls_within_the_procedures_life_and_not_in_the_future(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = decision(app, w)  # begun on 2 March
    clock.set("2026-03-20")
    before = app.recorder.max_notification_id()
    for day, rule in (
        ("2025-05-20", "rule.date.too_old"),  # ten months before it began
        ("2026-03-01", "rule.date.before_start"),
        ("2026-03-21", "rule.date.future"),
    ):
        err = refused(meet, app, case_id, 1, "branch_meeting", date=day)
        assert (err.code, err.field) == (rule, "record.date"), day
    assert app.recorder.max_notification_id() == before
    meet(app, case_id, 1, "branch_meeting", date="2026-03-10")
    err = refused(meet, app, case_id, 2, "committees_meeting", date="2026-03-09")
    assert (err.code, err.field) == ("rule.date.before_start", "record.date")
    meet(app, case_id, 2, "committees_meeting", date="2026-03-12")
    meetings = app.case(STAFF, case_id)["decision"]["meetings"]
    assert [(m["held_on"], m["recorded_at"]) for m in meetings] == [
        ("2026-03-10", "2026-03-20T01:00:00+00:00"),
        ("2026-03-12", "2026-03-20T01:00:00+00:00"),
    ]


def test_a_procedure_begun_on_paper_is_dated_from_its_start(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    clock.set("2026-03-20")
    case_id = open_decision(app, w, title="村道硬化", received_on="2026-03-02")
    general = {"case_id": case_id, "matter_type": "general"}
    err = refused(app.start_decision, STAFF, key(), **general, started_on="2026-03-01")
    assert (err.code, err.field) == ("rule.date.before_start", "started_on")
    app.start_decision(STAFF, key(), **general, started_on="2026-03-05")
    meet(app, case_id, 1, "branch_meeting", date="2026-03-06")
    assert app.case(STAFF, case_id)["decision"]["started_on"] == "2026-03-05"


def test_an_assembly_without_its_notice_day_is_refused_naming_the_field(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = decision(app, w)
    clock.set("2026-03-20")
    meet(app, case_id, 1, "branch_meeting")
    meet(app, case_id, 2, "committees_meeting")
    without = record()
    del without["notice_on"]
    with pytest.raises(RuleViolation) as info:
        app.record_decision_meeting(
            STAFF, key(), case_id=case_id, step=3, body="party_assembly", record=without
        )
    err = info.value
    assert (err.code, err.field) == ("rule.decision.record_incomplete", "record.notice_on")
    assert "record.notice_on" in err.message_zh and "record.notice_on" in err.message_en
    odd = refused(meet, app, case_id, 3, "party_assembly", households_expected="很多")
    assert (odd.code, odd.field) == (
        "rule.decision.record_incomplete",
        "record.households_expected",
    )
    late = refused(meet, app, case_id, 3, "party_assembly", notice_on="2026-03-21")
    assert (late.code, late.field) == ("rule.decision.notice_after_meeting", "record.notice_on")


# -- 3. a procedure that ends moves its case on ------------------------------------------------
def test_a_sealed_agreement_resolves_the_dispute_and_it_is_never_chased(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    case_id = str(open_demand(app, w, case_type="dispute", category="neighbour_dispute")["case_id"])
    app.accept_case(STAFF, key(), case_id=case_id)  # assigned: due 1 April
    app.start_mediation(STAFF, key(), case_id=case_id, initiative="committee", parties=PARTIES)
    clock.set("2026-03-10")
    before = app.recorder.max_notification_id()
    sealed_agreement(app, case_id, w["med_a"], sealed_on="2026-03-09")
    case = app.case(STAFF, case_id)
    assert (case["state"], case["resolved_on"]) == ("resolved", "2026-03-09")
    resolved = published(app, before, "casework.case.resolved")
    assert [(r["case_id"], r["on_time"]) for r in resolved] == [(case_id, True)]
    event = next(e for e in app.case_timeline(STAFF, case_id)["events"] if e["event"] == "Resolved")
    assert "盖章生效" in event["details"]["evidence"][0]
    clock.set("2026-04-09")  # past the month, and past the court-confirmation window
    app.apply_for_confirmation(
        STAFF, key(), case_id=case_id, court="区人民法院", applied_on="2026-04-01"
    )
    scan = app.scan_deadlines(STAFF)
    assert case_id not in scan["chased"] + scan["resolved"]
    assert app.overdue_cases(STAFF) == []
    assert published(app, before, "casework.case.resolved") == resolved  # once
    app.answer_case(STAFF, key(), case_id=case_id, text="调解协议已生效")  # and on it goes


def test_a_failed_mediation_and_a_completed_decision_resolve_their_cases(
    casework: Casework, clock: FixedClock
) -> None:
    app, w = casework, world(casework)
    dispute = accepted_dispute(app, w)
    app.start_mediation(STAFF, key(), case_id=dispute, initiative="committee", parties=PARTIES)
    app.fail_mediation(STAFF, key(), case_id=dispute, **FAILED)
    assert app.case(STAFF, dispute)["state"] == "resolved"
    case_id = deliberated(app, w, clock)
    app.publish_decision(STAFF, key(), case_id=case_id, step=5, text="决议：同意发包")
    assert app.case(STAFF, case_id)["state"] == "assigned"
    app.publish_decision(STAFF, key(), case_id=case_id, step=6, text="已签订承包合同")
    case = app.case(STAFF, case_id)
    assert (case["state"], case["resolved_on"]) == ("resolved", "2026-03-20")


def test_the_scan_resolves_a_case_whose_procedure_ended_before_it_was_accepted(
    casework: Casework, clock: FixedClock
) -> None:
    """A mediation may end while its case still waits for acceptance; once the case is
    handled and its deadline passes, the scan resolves it instead of chasing it."""
    app, w = casework, world(casework)
    case_id = str(open_demand(app, w, case_type="dispute", category="neighbour_dispute")["case_id"])
    app.start_mediation(STAFF, key(), case_id=case_id, initiative="committee", parties=PARTIES)
    sealed_agreement(app, case_id, w["med_a"])
    assert app.case(STAFF, case_id)["state"] == "received"
    app.accept_case(STAFF, key(), case_id=case_id)
    clock.set("2026-04-02")
    scan = app.scan_deadlines(STAFF)
    assert (scan["resolved"], scan["chased"]) == ([case_id], [])
    assert app.case(STAFF, case_id)["state"] == "resolved"
    assert app.scan_deadlines(STAFF)["resolved"] == []  # once


# -- 14. the case view shows a petition's review deadline --------------------------------------
def test_the_case_view_shows_the_review_deadline_without_a_refusal(casework: Casework) -> None:
    app, w = casework, world(casework)
    case_id = petition(app, w)
    assert app.case(STAFF, case_id)["review_until"] is None
    app.accept_case(STAFF, key(), case_id=case_id)
    app.start_case(STAFF, key(), case_id=case_id)
    app.resolve_case(
        STAFF, key(), case_id=case_id, evidence=["凭证"], outcome="explained", reply=REPLY
    )
    app.answer_case(STAFF, key(), case_id=case_id, text="处理意见书")
    case = app.case(STAFF, case_id)
    assert (case["answered_on"], case["review_until"]) == ("2026-03-02", "2026-04-01")


def test_the_case_view_returns_what_the_readme_says(casework: Casework) -> None:
    """Every field of the ``case`` view (a dispute with its mediation, a decision with its
    meetings) is named in the README's description of ``case``."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    stated = set(re.findall(r"`(\w+)`", readme_sections(readme, "RPC methods")["case"]))
    app, w = casework, world(casework)
    dispute = accepted_dispute(app, w)
    app.start_mediation(STAFF, key(), case_id=dispute, initiative="committee", parties=PARTIES)
    case_id = decision(app, w)
    meet(app, case_id, 1, "branch_meeting", date="2026-03-02")
    shown = app.case(STAFF, dispute)
    vill = app.case(STAFF, case_id)
    fields = (
        set(shown)
        | set(shown["mediation"])
        | set(vill)
        | set(vill["decision"])
        | set(vill["decision"]["meetings"][0])
    )
    assert fields - stated == set()


def test_the_readmes_open_case_examples_run_as_written(
    casework: Casework, clock: FixedClock
) -> None:
    """The README's ``open_case`` commands, as written, against the ids they name: the paper
    petition is received on the day it states, its 15 days counted from it."""
    app = casework
    readme_place(Feed(casework, "registry"))
    clock.set("2026-03-09")
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme_sections(readme, "RPC methods")["open_case"]
    calls = [
        json.loads(x)
        for x in re.findall(r"^shequ call casework open_case '([^'\n]*)'", section, re.MULTILINE)
    ]
    assert len(calls) == 4  # a demand, the paper petition, a dispute, a decision
    opened = [app.open_case(STAFF, **args) for args in calls]
    paper = app.case(STAFF, opened[1]["case_id"])
    assert (paper["case_type"], paper["received_on"], paper["due_on"]) == (
        "petition",
        "2026-03-02",
        "2026-03-17",
    )
