"""The casework forms of the case page, in a real browser over the real services: deadline
extension, merging a duplicate, recusal, petition review, mediation (opening the file,
sessions, the agreement and its outcome) and the village decision's steps (meeting records
with attendance and votes, the thresholds a resolution missed, publishing). Each form changes
the case (its timeline shows the step) and refuses a wrong input beside the field with the
suite's words; a role that may not take the step sees no form and gets 403 on a forged POST."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support.browser import Page
from tests.support.console import ConsoleSuite
from tests.support.suite import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]

# A POST of the case page's form as the signed-in person would forge it: the session's CSRF
# token, the fields given; the answer's status.
FORGE = """([url, fields]) => {
  const body = new FormData();
  body.append('csrf_token', document.querySelector('input[name=csrf_token]').value);
  body.append('idempotency_key', 'console-forged-' + Math.random());
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  return fetch(url, {method: 'POST', body}).then(r => r.status);
}"""
EVENTS = "[...document.querySelectorAll('#timeline li')].map(l => l.dataset.event)"


def send(page: Page, action: str, **fields: Any) -> None:
    """Fill ``action``'s form (``record__place`` is the field ``record.place``) and send it."""
    form = f"#action-{action}"
    for name, value in fields.items():
        html_id = name.replace("__", "-")
        if isinstance(value, list):  # several of the choices
            for v in value:
                page.check(f"{form} input[name='{name}'][value='{v}']")
        elif page.evaluate(f"document.querySelector('#{action}-{html_id}').tagName") == "SELECT":
            page.select_option(f"#{action}-{html_id}", value)
        else:
            page.fill(f"#{action}-{html_id}", str(value))
    page.click(f"{form} button[type=submit]")


def refused_beside(page: Page, action: str, field: str) -> str:
    """The refusal shown beside ``field`` of ``action``'s form: its code."""
    where = f"#action-{action} [id='err-{field}']"
    page.wait_for_selector(where)
    text = page.inner_text(where)
    assert " · " in text  # the page's language first, the other beside it
    return str(page.get_attribute(where, "data-code"))


def events(page: Page) -> list[str]:
    return list(page.evaluate(EVENTS))


def shows(page: Page, event: str, times: int = 1) -> None:
    """Wait until the timeline shows ``event`` (``times`` times)."""
    page.wait_for_selector(f"#timeline li[data-event={event}] >> nth={times - 1}")


def forged(page: Page, console: ConsoleSuite, case_id: str, action: str, **fields: Any) -> int:
    return int(page.evaluate(FORGE, [f"{console.url}/cases/{case_id}/{action}", fields]))


def test_extend_recuse_and_merge_a_case(console: ConsoleSuite, browser: Any):
    household = console.ids["household"]
    case_id = console.open_accepted(SYSTEM, "forms-extend", "路灯不亮", household_id=household)[
        "case_id"
    ]
    duplicate = console.open_accepted(
        SYSTEM, "forms-duplicate", "路灯不亮（重复）", household_id=household
    )["case_id"]
    staff, resident, member = browser.page(), browser.page(390, 844), browser.page()
    try:
        console.login(staff, "community_staff", then=f"/cases/{case_id}")
        due = staff.inner_text("#case-due")
        send(staff, "extend_deadline", days=0, reason="需协调供电公司", approved_by="社区主任")
        assert refused_beside(staff, "extend_deadline", "days") == "invalid"
        assert staff.evaluate("document.activeElement.id") == "extend_deadline-days"  # focused
        assert staff.input_value("#extend_deadline-reason") == "需协调供电公司"  # kept
        send(staff, "extend_deadline", days=10)
        shows(staff, "Extended")
        assert staff.inner_text("#case-due") != due

        send(staff, "recuse", reason="")
        assert refused_beside(staff, "recuse", "reason") == "invalid"
        assert staff.input_value("#recuse-person_id") == console.ids["cleaner"]  # the owner
        send(staff, "recuse", reason="与反映人系近亲属")
        shows(staff, "Recused")
        assert staff.get_attribute("#case-state", "data-state") == "accepted"

        # the duplicate is merged into the case
        staff.goto(f"{console.url}/cases/{duplicate}")
        send(staff, "merge_cases", into_case_id="not-a-case", reason="同一户同一事项")
        assert refused_beside(staff, "merge_cases", "into_case_id") == "invalid"
        send(staff, "merge_cases", into_case_id=case_id)
        staff.wait_for_selector("#case-state[data-state=merged]")
        assert events(staff)[-1] == "Merged"
        staff.shots("case-merged")

        # a resident and a team member are offered none of these, and a forged one is refused
        console.login(resident, "resident", then=f"/cases/{case_id}")
        console.login(member, "team_member", then=f"/cases/{case_id}")
        for page in (resident, member):
            assert page.texts("#action-extend_deadline, #action-merge_cases") == []
            status = forged(page, console, case_id, "extend_deadline", days="5", reason="x")
            assert status == 403
        assert resident.texts("#action-recuse") == []
        assert forged(resident, console, case_id, "recuse", person_id=console.ids["cleaner"]) == 403
        assert events(resident).count("Extended") == 1
    finally:
        for page in (staff, resident, member):
            page.close()


def test_a_petitioner_asks_for_review_and_the_district_answers(console: ConsoleSuite, browser: Any):
    case_id = console.case(
        "forms-petition",
        "petition",
        "征地补偿款未足额发放",
        accept=False,
        petition={
            "form": "written",
            "petitioner_name": "李居民",
            "address": "示例村第一组",
            "request": "要求补发土地补偿款",
            "facts": "2025年征地补偿款未足额发放。",
        },
    )
    staff, resident, district = browser.page(), browser.page(390, 844), browser.page()
    try:
        # acceptance is the case page's own form; the petition's handling and answer follow
        console.login(staff, "community_staff", then=f"/cases/{case_id}")
        staff.click("#action-accept_case button[type=submit]")
        staff.wait_for_selector(
            "#case-state[data-state=assigned], #case-state[data-state=accepted]"
        )
        for step, args in (
            ("assign_case", {"owner_id": console.ids["cleaner"], "work_group": "sanitation"}),
            ("start_case", {}),
            (
                "resolve_case",
                {
                    "evidence": ["补偿款发放凭证"],
                    "outcome": "supported",
                    "reply": {
                        "request": "补发补偿款",
                        "facts": "经核查少发2000元",
                        "decision": "补发2000元",
                        "basis": "《土地管理法》第48条",
                    },
                },
            ),
            ("answer_case", {"text": "信访事项处理意见书"}),
        ):
            console.command(
                "casework", step, SYSTEM, f"forms-petition-{step}", case_id=case_id, **args
            )

        console.login(resident, "resident", then=f"/cases/{case_id}")
        send(resident, "request_review", level="review", reason="")
        assert refused_beside(resident, "request_review", "reason") == "invalid"
        send(resident, "request_review", reason="补偿标准计算有误")
        resident.wait_for_selector("#case-state[data-state=in_review]")
        shows(resident, "ReviewRequested")
        assert resident.texts("#action-answer_review") == []  # the district's to answer
        assert forged(resident, console, case_id, "answer_review", outcome="supported") == 403

        staff.reload()  # community staff may not answer a review either
        assert staff.texts("#action-answer_review") == []
        assert forged(staff, console, case_id, "answer_review", outcome="supported") == 403

        console.login(district, "district_staff", then=f"/cases/{case_id}")
        send(district, "answer_review", outcome="not_supported", decision="维持原处理意见")
        assert refused_beside(district, "answer_review", "basis") == "invalid"
        send(district, "answer_review", basis="《土地管理法》第48条")
        shows(district, "ReviewAnswered")
        assert district.get_attribute("#case-state", "data-state") != "in_review"
    finally:
        for page in (staff, resident, district):
            page.close()


def test_a_dispute_is_mediated_to_an_agreement_that_takes_effect(
    console: ConsoleSuite, browser: Any
):
    case_id = console.case("forms-dispute", "dispute", "两户院墙排水纠纷")
    staff, resident = browser.page(), browser.page(390, 844)
    try:
        console.login(staff, "community_staff", then=f"/cases/{case_id}")
        # opening the file: one party only is refused beside the parties
        send(staff, "start_mediation", initiative="application", parties="p1", applicant_id="p1")
        assert refused_beside(staff, "start_mediation", "parties") == "invalid"
        send(staff, "start_mediation", parties="p1 张示例\np2 李示例")
        staff.wait_for_selector("#h-mediation")
        shows(staff, "Started")
        assert staff.texts("#action-start_mediation") == []  # one mediation per dispute

        send(staff, "consent_to_mediation", party_id="p2")
        shows(staff, "PartyConsented")
        send(staff, "choose_mediator", person_id=console.ids["cleaner"])
        shows(staff, "MediatorChosen")

        send(staff, "record_mediation_session", place="村委会调解室", summary="")
        assert refused_beside(staff, "record_mediation_session", "summary") == "invalid"
        send(staff, "record_mediation_session", summary="双方陈述，同意修排水沟")
        shows(staff, "SessionRecorded")

        # the outcome refused without telling the parties of their routes
        send(staff, "fail_mediation", reason="双方分歧较大")
        assert refused_beside(staff, "fail_mediation", "routes_told") == "invalid"

        agreement = {
            "agreement__facts": "两户院墙间排水不畅",
            "agreement__issues": "排水沟位置",
            "agreement__responsibilities": "双方各担一半费用",
            "agreement__terms": "沿院墙修排水沟",
        }
        send(staff, "draft_agreement", **agreement)
        assert refused_beside(staff, "draft_agreement", "agreement.performance")
        send(staff, "draft_agreement", agreement__performance="一个月内修成")
        shows(staff, "AgreementDrafted")
        for n, signer in enumerate(("p1", "p2", console.ids["cleaner"]), 1):
            send(staff, "sign_agreement", signer_id=signer)
            shows(staff, "Signed", n)
        send(staff, "sign_agreement", signer_id="p9")
        assert refused_beside(staff, "sign_agreement", "signer_id") != ""
        send(staff, "seal_agreement")
        shows(staff, "AgreementEffective")
        assert "effective" in staff.inner_text("#h-mediation + dl")
        staff.shots("case-mediated")

        console.login(resident, "resident", then=f"/cases/{case_id}")
        assert resident.texts("#action-seal_agreement, #action-follow_up_mediation") == []
        assert forged(resident, console, case_id, "follow_up_mediation", notes="回访") == 403
        send(staff, "follow_up_mediation", notes="排水沟已修好，双方满意")
        shows(staff, "FollowedUp")
    finally:
        staff.close()
        resident.close()


RECORD = {
    "record__place": "村委会会议室",
    "record__chair": "王书记",
    "record__minute_taker": "李会计",
    "record__agenda": "机动地发包",
    "record__summary": "讨论机动地发包方案",
    "record__vote_method": "举手表决",
    "record__expected": 5,
    "record__abstain": 0,
    "record__result": "adopted",
}


def test_a_village_decision_is_proposed_recorded_and_published(console: ConsoleSuite, browser: Any):
    case_id = console.case("forms-decision", "decision", "村集体机动地对外发包（表单）")
    today = console.call("casework", "case", actor=SYSTEM, case_id=case_id)["received_on"]
    staff, member = browser.page(), browser.page()
    try:
        console.login(staff, "community_staff", then=f"/cases/{case_id}")
        send(staff, "start_decision", matter_type="general", started_on="2000-01-01")
        assert refused_beside(staff, "start_decision", "started_on")
        send(staff, "start_decision", started_on=today)
        staff.wait_for_selector("#h-decision")
        assert staff.input_value("#record_decision_meeting-step") == "1"

        # two of five came, both said yes, "adopted": the branch's quorum missed, refused
        # beside the record with the threshold named
        send(
            staff,
            "record_decision_meeting",
            body="branch_meeting",
            record__date=today,
            record__present=2,
            record__yes=2,
            record__no=0,
            record__absentees="党员甲 外出务工\n党员乙 外出务工\n党员丙 生病",
            record__signatures="王书记\n李会计",
            **RECORD,
        )
        code = refused_beside(staff, "record_decision_meeting", "record")
        assert code.startswith("rule.decision.threshold")
        missed = staff.texts("#action-record_decision_meeting ul.missed li")
        assert missed == ["到会人数须超过应到人数的一半"]
        # the record kept as typed; four came, four agreed
        assert staff.input_value("#record_decision_meeting-record-chair") == "王书记"
        send(
            staff,
            "record_decision_meeting",
            record__present=4,
            record__yes=4,
            record__absentees="党员甲 外出务工",
            record__signatures="王书记\n李会计\n张委员\n刘委员",
        )
        shows(staff, "MeetingRecorded")
        row = staff.inner_text("#decision-meetings tr.meeting")
        assert "党支部会议" in row and "5/4" in row and "4/0/0" in row and "均已达到" in row
        assert staff.input_value("#record_decision_meeting-step") == "2"

        # a team member does not record the village's meetings
        console.login(member, "team_member", then=f"/cases/{case_id}")
        assert member.texts("#action-record_decision_meeting, #action-publish_decision") == []
        assert forged(member, console, case_id, "record_decision_meeting", step="2") == 403

        # steps 2-4 as the system records them; the resolution published from the form
        for step, body in ((2, "committees_meeting"), (3, "party_assembly")):
            console.command(
                "casework",
                "record_decision_meeting",
                SYSTEM,
                f"forms-decision-{step}",
                case_id=case_id,
                step=step,
                body=body,
                record=meeting(today, 5, 4),
            )
        console.command(
            "casework",
            "record_decision_meeting",
            SYSTEM,
            "forms-decision-4",
            case_id=case_id,
            step=4,
            body="representatives_meeting",
            record=meeting(today, 9, 8),
        )
        staff.reload()
        assert staff.input_value("#publish_decision-step") == "5"
        send(staff, "publish_decision", text="")
        assert refused_beside(staff, "publish_decision", "text") == "invalid"
        send(staff, "publish_decision", text="机动地发包方案经村民代表会议通过，予以公示")
        shows(staff, "ResolutionPublished")
        staff.shots("decision-published")
    finally:
        staff.close()
        member.close()


def meeting(day: str, expected: int, present: int) -> dict[str, Any]:
    return {
        "date": day,
        "notice_on": (dt.date.fromisoformat(day) - dt.timedelta(days=10)).isoformat(),
        "place": "村委会会议室",
        "chair": "王书记",
        "minute_taker": "李会计",
        "agenda": "机动地发包",
        "summary": "审议机动地发包方案",
        "vote_method": "举手表决",
        "result": "adopted",
        "expected": expected,
        "present": present,
        "yes": present,
        "no": 0,
        "abstain": 0,
        "absentees": [{"name": f"缺席{i}", "reason": "外出"} for i in range(expected - present)],
        "signatures": [f"到会{i}" for i in range(present)],
    }
