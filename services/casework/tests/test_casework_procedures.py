"""Mediation (RULES §4, 人民调解法), village decisions (RULES §1, 四议两公开), and duplicates."""

from __future__ import annotations

from typing import Any

import pytest
from casework.application import Casework
from casework.contracts import translate
from casework.decisions import RECORD
from casework.domain.thresholds import LocalRules
from casework.mediation import AGREEMENT, StartMediation
from casework.settings import CaseworkSettings
from casework_testing import (
    FAILED,
    MEETINGS,
    STAFF,
    FixedClock,
    key,
    open_decision,
    open_demand,
    refusal,
    running_casework,
    world,
)
from shequ.errors import RuleViolation, ValidationError
from shequ.store import Store

# the use cases' examples: two parties, an agreement with all its required contents
PARTIES = StartMediation.example["parties"]


def dispute(app: Casework, w: dict[str, Any]) -> str:
    case_id = open_demand(app, w, case_type="dispute", category="neighbour_dispute")["case_id"]
    app.accept_case(STAFF, key(), case_id=case_id)
    app.start_case(STAFF, key(), case_id=case_id)
    return str(case_id)


def m(app: Casework, command: str, case_id: str, **kw: Any) -> Any:
    return getattr(app, command)(STAFF, key(), case_id=case_id, **kw)


class TestMediation:
    def test_s4_a_partys_refusal_means_no_mediation(self, casework: Casework) -> None:
        app, w = casework, world(casework)
        case_id = dispute(app, w)
        m(app, "start_mediation", case_id, initiative="committee", parties=PARTIES)
        m(app, "consent_to_mediation", case_id, party_id="p1")
        assert (
            m(app, "refuse_mediation", case_id, party_id="p2", reason="不愿调解")["state"]
            == "stopped"
        )
        assert (
            refusal(m, app, "record_mediation_session", case_id, place="调解室", summary="……")
            == "rule.mediation.ended"
        )
        # the mediation's end resolves the dispute by itself (other routes remain)
        assert app.case(STAFF, case_id)["state"] == "resolved"

    def test_s4_from_application_to_sealed_agreement_and_court_confirmation_window(
        self, casework: Casework, clock: FixedClock
    ) -> None:
        app, w = casework, world(casework)
        case_id = dispute(app, w)
        mediator, rejected = w["med_a"], w["med_b"]
        m(
            app,
            "start_mediation",
            case_id,
            initiative="application",
            parties=PARTIES,
            applicant_id="p1",
        )
        m(app, "choose_mediator", case_id, person_id=rejected)
        m(app, "reject_mediator", case_id, person_id=rejected, party_id="p2", reason="有亲属关系")
        assert (
            refusal(m, app, "choose_mediator", case_id, person_id=rejected)
            == "rule.mediation.mediator_rejected"
        )
        m(app, "choose_mediator", case_id, person_id=mediator, chosen_by="p2")
        assert (
            refusal(
                m, app, "record_mediation_session", case_id, place="调解室", summary="第一次调解"
            )
            == "rule.mediation.no_consent"
        )
        m(app, "consent_to_mediation", case_id, party_id="p2")
        m(app, "record_mediation_session", case_id, place="村委会调解室", summary="第一次调解")
        with pytest.raises(RuleViolation) as info:
            m(app, "draft_agreement", case_id, agreement={**AGREEMENT, "performance": ""})
        assert info.value.field == "agreement.performance"
        m(app, "draft_agreement", case_id, agreement=AGREEMENT)
        m(app, "sign_agreement", case_id, signer_id="p1")
        m(app, "sign_agreement", case_id, signer_id=mediator)
        assert refusal(m, app, "seal_agreement", case_id) == "rule.mediation.unsigned"
        assert (
            refusal(app.resolve_case, STAFF, key(), case_id=case_id, evidence=["协议"])
            == "rule.dispute.mediation_open"
        )
        m(app, "sign_agreement", case_id, signer_id="p2")
        assert m(app, "seal_agreement", case_id)["state"] == "effective"
        clock.advance(31)
        assert (
            refusal(m, app, "apply_for_confirmation", case_id, court="区人民法院")
            == "rule.mediation.confirmation_late"
        )
        clock.advance(-1)
        m(app, "apply_for_confirmation", case_id, court="区人民法院")
        m(app, "follow_up_mediation", case_id, notes="已履行")
        # the sealed agreement resolved the dispute by itself
        assert app.case(STAFF, case_id)["state"] == "resolved"
        events = [
            e["event"]
            for e in app.case_timeline(STAFF, case_id)["events"]
            if e["kind"] == "mediation"
        ]
        assert events[0] == "Started" and "AgreementEffective" in events

    def test_s4_failure_tells_the_routes_and_police_referral_is_flagged(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        case_id = dispute(app, w)
        m(app, "start_mediation", case_id, initiative="committee", parties=PARTIES)
        m(app, "refer_to_police", case_id, reason="双方有肢体冲突苗头")
        assert (
            refusal(
                m, app, "fail_mediation", case_id, reason="分歧过大", routes_told=["litigation"]
            )
            == "rule.mediation.routes_not_told"
        )
        assert (
            refusal(m, app, "follow_up_mediation", case_id, notes="……")
            == "rule.mediation.follow_up_early"
        )
        m(app, "fail_mediation", case_id, **FAILED)
        m(app, "follow_up_mediation", case_id, notes="已起诉")
        assert app.case(STAFF, case_id)["mediation"]["state"] == "failed"
        with pytest.raises(ValidationError):
            m(app, "start_mediation", case_id, initiative="committee", parties=PARTIES[:1])


def record(**over: Any) -> dict[str, Any]:
    """The use case's example record, held by 28 of 30 representatives (25 yes)."""
    r = dict(
        RECORD,
        expected=30,
        present=28,
        absentees=[{"name": "甲", "reason": "外出务工"}, {"name": "乙", "reason": "生病"}],
        summary="讨论通过",
        yes=25,
        no=2,
        abstain=1,
        notice_on="2026-03-01",
    )
    r.update(over)
    r["signatures"] = [f"签{i}" for i in range(r["present"])]
    if "absentees" not in over:
        r["absentees"] = [
            {"name": f"缺{i}", "reason": "外出"} for i in range(r["expected"] - r["present"])
        ]
    return r


class TestVillageDecision:
    def start(
        self, app: Casework, w: dict[str, Any], matter: str = "general", one_shoulder: bool = False
    ) -> str:
        case_id = open_decision(app, w)
        app.start_decision(
            STAFF, key(), case_id=case_id, matter_type=matter, one_shoulder=one_shoulder
        )
        assert isinstance(app.clock, FixedClock)
        app.clock.set("2026-03-20")  # the meetings (record()) are held on 20 March
        return str(case_id)

    def meet(self, app: Casework, case_id: str, step: int, body: str, **over: Any) -> Any:
        merge = over.pop("merge_next", False)
        return app.record_decision_meeting(
            STAFF,
            key(),
            case_id=case_id,
            step=step,
            body=body,
            record=record(**over),
            merge_next=merge,
        )

    def test_s1_six_steps_in_order_none_skipped_and_publications_published(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        case_id = self.start(app, w)
        assert refusal(self.meet, app, case_id, 3, "party_assembly") == "rule.decision.step_order"
        assert (
            refusal(app.publish_decision, STAFF, key(), case_id=case_id, step=5, text="决议")
            == "rule.decision.step_order"
        )
        assert (
            refusal(self.meet, app, case_id, 1, "branch_meeting", merge_next=True)
            == "rule.decision.merge_not_allowed"
        )
        self.meet(app, case_id, 1, "branch_meeting")
        self.meet(app, case_id, 2, "committees_meeting")
        assert refusal(self.meet, app, case_id, 3, "villagers_assembly") == "rule.decision.body"
        self.meet(app, case_id, 3, "party_assembly")
        self.meet(app, case_id, 4, "representatives_meeting")
        before = app.recorder.max_notification_id()
        app.publish_decision(STAFF, key(), case_id=case_id, step=5, text="决议：同意发包")
        app.publish_decision(STAFF, key(), case_id=case_id, step=6, text="已签订承包合同")
        names = [
            translate(app.mapper.to_domain_event(n))
            for n in app.recorder.select_notifications(before, 10, inclusive_of_start=False)
        ]
        assert [x[0].name for x in names if x] == [
            "casework.decision.resolution_published",
            "casework.decision.result_published",
        ]
        assert names[0] and names[0][1]["village_id"] == w["v1"]
        # the finance group has no member yet: the case waits in its queue, then is assigned
        assert app.accept_case(STAFF, key(), case_id=case_id)["owner_id"] is None
        assert app.queue(STAFF, work_group="finance")[0]["case_id"] == case_id
        app.assign_case(STAFF, key(), case_id=case_id, owner_id=w["san"])
        app.start_case(STAFF, key(), case_id=case_id)
        app.resolve_case(STAFF, key(), case_id=case_id, evidence=["公开照片"])

    def test_s1_one_shoulder_merges_steps_one_and_two(self, casework: Casework) -> None:
        app, w = casework, world(casework)
        case_id = self.start(app, w, one_shoulder=True)
        self.meet(app, case_id, 1, "branch_meeting", merge_next=True)
        self.meet(app, case_id, 3, "party_assembly")
        assert app.case(STAFF, case_id)["decision"]["done"] == [1, 2, 3]

    def test_s1_records_must_be_complete_and_add_up(self, casework: Casework) -> None:
        app, w = casework, world(casework)
        case_id = self.start(app, w)
        before = app.recorder.max_notification_id()
        for over, field in (
            ({"chair": ""}, "record.chair"),
            ({"yes": 20, "no": 5, "abstain": 4}, "record.yes"),
            ({"present": 31}, "record.present"),
            ({"absentees": [{"name": "甲", "reason": "外出"}]}, "record.absentees"),
        ):
            with pytest.raises(RuleViolation) as info:
                self.meet(app, case_id, 1, "branch_meeting", **over)
            assert info.value.field == field, over
        assert app.recorder.max_notification_id() == before

    def test_s1_party_assembly_passes_on_a_majority_of_members_expected_not_present(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        case_id = self.start(app, w)
        self.meet(app, case_id, 1, "branch_meeting")
        self.meet(app, case_id, 2, "committees_meeting")
        # 20 of 30 present, 14 yes: a majority of those present, not of the 30 expected
        assert (
            refusal(
                self.meet, app, case_id, 3, "party_assembly", present=20, yes=14, no=6, abstain=0
            )
            == "rule.decision.threshold.vote.majority_expected"
        )
        assert (
            refusal(
                self.meet, app, case_id, 3, "party_assembly", present=15, yes=15, no=0, abstain=0
            )
            == "rule.decision.threshold.quorum.majority"
        )
        assert (
            refusal(self.meet, app, case_id, 3, "party_assembly", notice_on="2026-03-19")
            == "rule.decision.threshold.notice.local"
        )
        # a rejection that misses nothing is recorded and ends the matter
        out = self.meet(
            app, case_id, 3, "party_assembly", yes=10, no=18, abstain=0, result="rejected"
        )
        assert out["state"] == "rejected"

    def test_s1_villagers_assembly_needs_ten_days_notice_and_a_quorum(
        self, casework: Casework
    ) -> None:
        app, w = casework, world(casework)
        case_id = self.start(app, w)
        for step, body in MEETINGS[:3]:
            self.meet(app, case_id, step, body)
        assert (
            refusal(self.meet, app, case_id, 4, "villagers_assembly", notice_on="2026-03-15")
            == "rule.decision.threshold.notice.law"
        )
        # 400 adults, 150 present, but 2/3 of the households came: quorate
        assert (
            self.meet(
                app,
                case_id,
                4,
                "villagers_assembly",
                expected=400,
                present=150,
                yes=100,
                no=40,
                abstain=10,
                absentees=[],
                households_expected=120,
                households_present=80,
            )
            is not None
        )

    def test_s1_collective_property_needs_two_thirds_of_all_and_local_rules_are_stricter(
        self, store: Store, clock: FixedClock
    ) -> None:
        strict = CaseworkSettings(local_rules=LocalRules(representatives_majority_of_all=True))
        with running_casework(store, clock, settings=strict) as app:
            w = world(app)
            case_id = self.start(app, w, matter="collective_property")
            for step, body in MEETINGS[:3]:
                self.meet(app, case_id, step, body)
            # 21 of 30 present (2/3 quorum met), 19 yes: > half present, < 2/3 of all 30
            with pytest.raises(RuleViolation) as info:
                self.meet(
                    app, case_id, 4, "representatives_meeting", present=21, yes=19, no=2, abstain=0
                )
            assert info.value.code == "rule.decision.threshold.collective.vote"
            assert info.value.details["missed"][0]["zh"].startswith("集体财产事项")
            self.meet(
                app, case_id, 4, "representatives_meeting", present=21, yes=20, no=1, abstain=0
            )
            general = self.start(app, w)
            for step, body in MEETINGS[:3]:
                self.meet(app, general, step, body)
            # the local rule: a majority of ALL representatives (15 of 30 is not)
            assert (
                refusal(
                    self.meet,
                    app,
                    general,
                    4,
                    "representatives_meeting",
                    present=20,
                    yes=15,
                    no=5,
                    abstain=0,
                )
                == "rule.decision.threshold.vote.majority_all_local"
            )


def test_a_duplicate_is_flagged_and_merging_keeps_both_histories(casework: Casework) -> None:
    app, w = casework, world(casework)
    first = open_demand(app, w)["case_id"]
    second = open_demand(app, w, title="又停水了")
    assert second["duplicate_of"] == first
    other_category = open_demand(app, w, category="rubbish")
    assert other_category["duplicate_of"] is None
    app.merge_cases(
        STAFF, key(), case_id=second["case_id"], into_case_id=first, reason="同一户同一事项"
    )
    merged = app.case(STAFF, second["case_id"])
    assert merged["state"] == "merged" and merged["merged_into"] == first
    timeline = app.case_timeline(STAFF, first)["events"]
    assert {e["case_id"] for e in timeline} == {first, second["case_id"]}
    assert [e["event"] for e in timeline if e["case_id"] == second["case_id"]] == [
        "Received",
        "Merged",
    ]
