"""Casework in the console, in a real browser: a resident files a case from the contact
card's QR address, community staff receive it on their home page, route it (accepting it
routes it to the sanitation group's member), handle and resolve it and answer the resident,
and the resident rates it from their household's cases."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from outreach.settings import OutreachSettings

from tests.support.browser import Browser
from tests.support.console import ConsoleSuite
from tests.support.infra import wait_until
from tests.support.suite import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]


def test_file_route_resolve_and_rate_a_case(console: ConsoleSuite, browser: Browser):
    household = console.ids["household"]
    assert urlsplit(OutreachSettings().case_url).path == "/file-case"  # what the QR code says
    resident = browser.page(390, 844)
    staff = browser.page()
    try:
        # The resident scans the card: asked to sign in, then back on the form, household filled.
        qr = f"{console.url}/file-case?household={household}"
        resident.goto(qr)
        assert resident.url.startswith(f"{console.url}/login?next=")
        resident.fill("#f-username", console.usernames["resident"])
        resident.fill("#f-password", "lantern-river-42-orchard")
        resident.click("button[type=submit]")
        resident.wait_for(qr)
        assert resident.input_value("#f-household_id") == household
        resident.select_option("#f-category", "rubbish")
        resident.click("main form button[type=submit]")  # no title: refused beside the field
        resident.wait_for_selector("#err-title")
        assert "title" in resident.inner_text("#err-title")
        assert resident.get_attribute("#f-title", "aria-invalid") == "true"
        resident.fill("#f-title", "村口垃圾三天未清运")
        resident.fill("#f-description", "村口垃圾桶已满三天")
        resident.shots("file-case")
        resident.click("main form button[type=submit]")
        resident.wait_for_selector("#case-state[data-state=received]")
        case_url = resident.url
        case_id = case_url.rsplit("/", 1)[1]

        # Staff receive it on their home page, by deadline, and route it.
        console.login(staff, "community_staff")
        row = f"tr.case-row[data-case='{case_id}']"
        staff.wait_for_selector(row)
        assert "村口垃圾三天未清运" in staff.inner_text(row)
        staff.shots("staff-home")
        staff.click(f"{row} a")
        staff.wait_for_selector("#action-accept_case")
        assert staff.texts("#action-rate_case") == []  # not offered to staff in this state
        staff.click("#action-accept_case button[type=submit]")
        staff.wait_for_selector("#case-state[data-state=assigned]")
        assert staff.inner_text("#case-group") == "环境卫生组"
        assert staff.inner_text("#case-kind") == "诉求 · 垃圾清运"
        assert staff.inner_text("#case-owner") == "张保洁"
        assert staff.get_attribute("#case-owner", "data-person") == console.ids["cleaner"]

        cleaner = browser.page(390, 844)  # routed to the cleaner: on their home page too
        try:
            console.login(cleaner, "team_member")
            assert "村口垃圾三天未清运" in cleaner.inner_text(row)
        finally:
            cleaner.close()

        staff.click("#action-start_case button[type=submit]")
        staff.wait_for_selector("#case-state[data-state=in_progress]")
        staff.click("#action-resolve_case button[type=submit]")  # no evidence: refused
        staff.wait_for_selector("#action-resolve_case .error")
        staff.fill("#resolve_case-evidence", "已清运垃圾\n已加派保洁员")
        staff.click("#action-resolve_case button[type=submit]")
        staff.wait_for_selector("#case-state[data-state=resolved]")
        staff.fill("#answer_case-text", "垃圾已清运，谢谢反映")
        staff.click("#action-answer_case button[type=submit]")
        staff.wait_for_selector("#case-state[data-state=answered]")
        staff.shots("case-staff")
        events = staff.evaluate(
            "[...document.querySelectorAll('#timeline li')].map(l => l.dataset.event)"
        )
        assert events == ["Received", "Accepted", "Assigned", "Started", "Resolved", "Answered"]

        # The resident sees it answered, by the sanitation group, and rates it.
        resident.goto(f"{console.url}/my/cases")
        mine = f"tr.case-row[data-case='{case_id}']"
        assert "已答复" in resident.inner_text(mine) and "环境卫生组" in resident.inner_text(mine)
        resident.shots("my-cases")
        resident.click(f"{mine} a")
        resident.wait_for_selector("#action-rate_case")
        assert resident.texts("#action-close_case") == []  # staff's, not the resident's
        assert resident.texts("#case-owner") == []  # the group in charge, not a staff id
        resident.check("#action-rate_case input[name=rating][value='5']")
        resident.fill("#rate_case-comment", "很满意")
        resident.click("#action-rate_case button[type=submit]")
        resident.wait_for_selector("#case-state[data-state=rated]")
        assert resident.inner_text("#case-rating") == "5"
        resident.shots("case-rated")
    finally:
        resident.close()
        staff.close()


def test_the_mediation_file_prints_the_steps_of_a_dispute(console: ConsoleSuite, browser: Browser):
    case_id = console.case("console-dispute", "dispute", "宅基地边界争议")
    parties = [{"party_id": "p1", "name": "张示例"}, {"party_id": "p2", "name": "李示例"}]
    console.command(
        "casework",
        "start_mediation",
        SYSTEM,
        "console-dispute-mediation",
        case_id=case_id,
        initiative="application",
        parties=parties,
        applicant_id="p1",
    )
    console.command(  # the applicant (p1) agreed by applying
        "casework",
        "consent_to_mediation",
        SYSTEM,
        "console-dispute-consent",
        case_id=case_id,
        party_id="p2",
    )
    console.command(
        "casework",
        "choose_mediator",
        SYSTEM,
        "console-dispute-mediator",
        case_id=case_id,
        person_id=console.ids["cleaner"],
    )
    console.command(
        "casework",
        "record_mediation_session",
        SYSTEM,
        "console-dispute-session",
        case_id=case_id,
        place="村委会调解室",
        summary="第一次调解，双方陈述",
    )
    staff = browser.page()
    try:
        console.login(staff, "community_staff", then=f"/cases/{case_id}")
        staff.click("a[href$='/mediation-file']")
        staff.wait_for(f"{console.url}/cases/{case_id}/mediation-file")
        steps = staff.texts("article.mediation-step")
        assert len(steps) >= 2 and any("第一次调解，双方陈述" in s for s in steps)
        assert any("村委会调解室" in s for s in steps)
        staff.emulate_media(media="print")  # printed: no navigation, no buttons
        assert not staff.is_visible("header.top") and not staff.is_visible("p.no-print button")
        assert staff.is_visible("article.mediation-step")
        staff.shots("mediation-file-print")
        staff.emulate_media(media="screen")
    finally:
        staff.close()


def test_a_village_decision_shows_each_meeting_and_the_thresholds_it_missed(
    console: ConsoleSuite, browser: Browser
):
    case_id = console.case("console-decision", "decision", "村集体机动地对外发包")
    console.command(
        "casework",
        "start_decision",
        SYSTEM,
        "console-decision-start",
        case_id=case_id,
        matter_type="general",
    )
    today = console.call("casework", "case", actor=SYSTEM, case_id=case_id)["received_on"]
    console.command(  # two of five came, one said yes: the branch rejected it, short of both
        "casework",
        "record_decision_meeting",
        SYSTEM,
        "console-decision-meeting-1",
        case_id=case_id,
        step=1,
        body="branch_meeting",
        record={
            "date": today,
            "place": "村委会会议室",
            "chair": "王书记",
            "minute_taker": "李会计",
            "agenda": "机动地发包",
            "summary": "讨论机动地发包方案",
            "vote_method": "举手表决",
            "result": "rejected",
            "expected": 5,
            "present": 2,
            "yes": 1,
            "no": 1,
            "abstain": 0,
            "absentees": [{"name": f"党员{i}", "reason": "外出务工"} for i in range(3)],
            "signatures": ["王书记", "李会计"],
        },
    )
    staff = browser.page()
    try:
        console.login(staff, "community_staff", then=f"/cases/{case_id}")
        row = staff.inner_text("#decision-meetings tr.meeting")
        assert "党支部会议" in row and "5/2" in row and "1/1/0" in row and "未通过" in row
        missed = staff.inner_text("#decision-meetings .thresholds")
        assert missed == "未达到：到会过半数；赞成超过到会人数一半"
        staff.shots("decision-case")
    finally:
        staff.close()


def test_staff_take_a_walk_in_and_see_the_resident_in_clear_only_with_a_purpose(
    console: ConsoleSuite, browser: Browser
):
    staff = browser.page()
    try:
        console.login(staff, "community_staff", then="/file-case")
        staff.select_option("#f-channel", "walk_in")
        staff.select_option("#f-category", "water_supply")
        staff.fill("#f-title", "自来水停水三天")
        staff.fill("#f-household_id", console.ids["household"])
        staff.fill("#f-resident_name", "王示例")
        staff.fill("#f-resident_phone", "13800000001")
        staff.click("main form button[type=submit]")
        staff.wait_for_selector("#case-state[data-state=received]")
        masked = staff.inner_text("#case-resident")
        assert "王示例" not in masked and "13800000001" not in masked and "138****0001" in masked

        staff.fill("#f-purpose", "回访核实办理结果")
        staff.click("form:has(#f-purpose) button[type=submit]")
        staff.wait_for_selector("#case-resident:has-text('13800000001')")
        assert staff.inner_text("#case-resident") == "王示例 13800000001"
        case_id = staff.url.split("/cases/")[1].split("?")[0]

        def recorded() -> bool:  # casework stores the clear read within a second or so
            reads = console.call("casework", "personal_data_reads", actor=SYSTEM)
            return any(
                r["target_id"] == case_id
                and r["purpose"] == "回访核实办理结果"
                and r["reader_id"] == "console-community"
                for r in reads
            )

        wait_until(recorded, timeout=30, what="the clear read recorded by casework")
    finally:
        staff.close()
