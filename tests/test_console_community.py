"""Registry, outreach and assessment pages in a real browser: the team roster by its six work
groups with phones masked, in clear only when staff give a purpose (which the registry
records, RULES §6); a published scoreboard with its chart, in Chinese and in English."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.browser import Browser
from tests.support.console import ConsoleSuite
from tests.support.infra import wait_until
from tests.support.suite import SYSTEM, sample_person

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
# In the page: fetch a path, answer [status, content type, the body as text].
FETCH = "u => fetch(u).then(r => r.text().then(t => [r.status, r.headers.get('content-type'), t]))"


def test_the_roster_masks_phones_unless_staff_give_a_purpose(
    console: ConsoleSuite, browser: Browser
):
    phone = sample_person(11, "张保洁")["phone"]
    staff = browser.page()
    member = browser.page(390, 844)
    try:
        console.login(staff, "community_staff", then="/registry/team")
        groups = staff.evaluate(
            "[...document.querySelectorAll('.team-group')].map(g => g.dataset.group)"
        )
        assert groups == ["mediation", "sanitation", "welfare", "services", "finance", "volunteers"]
        sanitation = staff.inner_text(".team-group[data-group=sanitation]")
        assert "张保洁" in sanitation and phone not in sanitation
        assert phone[:3] + "****" + phone[-4:] in sanitation

        staff.fill("#f-purpose", "通知服务队培训")
        staff.click("main form button[type=submit]")
        staff.wait_for_selector(".team-group[data-group=sanitation] .phone")
        assert phone in staff.inner_text(".team-group[data-group=sanitation]")
        staff.shots("team-roster")

        def recorded() -> bool:  # the registry stores the read within a second or so
            reads = console.call("registry", "personal_data_reads", actor=SYSTEM)
            return any(
                r.get("purpose") == "通知服务队培训" and r.get("reader_id") == "console-community"
                for r in reads
            )

        wait_until(recorded, timeout=30, what="the clear read recorded by the registry")

        # a member of one community's team: the community from the registry, never asked for
        console.login(member, "team_member", then="/registry/team")  # no purpose field
        assert member.texts("#f-purpose") == [] and member.texts("#f-community_id") == []
        assert "张保洁" in member.inner_text(".team-group[data-group=sanitation]")
        assert phone not in member.inner_text(".team-group[data-group=sanitation]")
    finally:
        staff.close()
        member.close()


def test_a_scored_period_shows_its_scoreboard_and_chart(console: ConsoleSuite, browser: Browser):
    console.command(
        "assessment",
        "define_scheme",
        SYSTEM,
        "console-scheme",
        subject_kind="community",
        name="社区工作考核办法",
        effective_from="2026-01-01",
        indicators=[
            {
                "key": "key_tasks",
                "name": "重点工作完成情况",
                "section": "key_work",
                "weight": 100,
                "source": "manual",
            }
        ],
    )
    console.command(
        "assessment",
        "score_period",
        SYSTEM,
        "console-score-q3",
        period_kind="quarter",
        period_start="2026-07-01",
    )
    resident = browser.page(390, 844)
    staff = browser.page()
    try:
        console.login(resident, "resident", then="/assessment")
        resident.fill("#f-period_start", "2026-07-01")
        resident.click("main form button[type=submit]")
        resident.wait_for_selector("figure.chart svg")
        assert "考核得分" in resident.inner_text("main h2")
        resident.shots("scoreboard")
        resident.goto(
            f"{console.url}/assessment?period_kind=quarter&period_start=2026-07-01&lang=en"
        )
        assert resident.inner_text("#scoreboard th") == "Rank"
        resident.goto(f"{console.url}/assessment?period_kind=quarter&period_start=2025-01-01")
        assert "no published results" in resident.inner_text("main .error")
        assert resident.texts("a.export") == []
        export = "/assessment/export?period_kind=quarter&period_start=2026-07-01&format=csv"
        assert resident.evaluate(FETCH, export)[0] == 403

        console.login(
            staff, "auditor", then="/assessment?period_kind=quarter&period_start=2026-07-01"
        )
        assert staff.texts("a.export") == ["CSV", "XLSX"]
        status, kind, text = staff.evaluate(FETCH, export)
        assert status == 200 and kind.startswith("text/csv") and "立柱" in text
    finally:
        resident.close()
        staff.close()


def test_a_round_shows_its_coverage_and_who_is_not_yet_visited(
    console: ConsoleSuite, browser: Browser
):
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    opened = console.command(
        "outreach",
        "open_round",
        SYSTEM,
        "console-round",
        community_id=console.ids["community"],
        title="冬季走访",
        period_start=today.replace(day=1).isoformat(),
        period_end=(today + dt.timedelta(days=30)).isoformat(),
        assignees=[console.ids["cleaner"]],
    )
    round_id = opened["round_id"]
    page = f"/outreach?community_id={console.ids['community']}&round_id={round_id}"
    staff = browser.page()
    try:
        console.login(staff, "community_staff", then=page)
        assert staff.inner_text("#round-total") == "0 / 1 (0.0%)"
        assert len(staff.texts("#round-missed li a")) == 1
        assert staff.get_attribute("a.village-cards", "href") == (
            f"/outreach/villages/{console.ids['village']}/cards.pdf"
        )
        staff.shots("outreach-round")

        console.command(
            "outreach",
            "log_visit",
            {"person_id": console.ids["cleaner"], "role": "team_member"},
            "console-round-visit",
            round_id=round_id,
            household_id=console.ids["household"],
            visited_on=today.isoformat(),
            notes="走访",
        )
        staff.goto(console.url + page)
        assert staff.inner_text("#round-total") == "1 / 1 (100.0%)"
        assert staff.texts("#round-missed li a") == []
    finally:
        staff.close()


def test_a_household_in_clear_for_itself_masked_for_staff_without_a_purpose(
    console: ConsoleSuite, browser: Browser
):
    resident = browser.page(390, 844)
    staff = browser.page()
    try:
        console.login(resident, "resident", then="/my/household")
        assert "李居民" in resident.inner_text("tr.member")
        assert resident.inner_text("#household-address") == "示例村第一组"
        resident.shots("my-household")

        page = f"/registry/households/{console.ids['household']}"
        console.login(staff, "community_staff", then=page)
        member = staff.inner_text("tr.member")
        assert "李居民" not in member and "李*" in member
        staff.fill("#f-purpose", "核实家庭成员")
        staff.click("main form button[type=submit]")
        staff.wait_for_selector("tr.member:has-text('李居民')")
    finally:
        resident.close()
        staff.close()


def test_the_organisation_chart_as_of_a_date(console: ConsoleSuite, browser: Browser):
    branch = console.command(
        "registry",
        "establish_organisation",
        SYSTEM,
        "console-village-branch",
        kind="village_branch",
        name="示例村党支部",
        village_id=console.ids["village"],
    )["organisation_id"]
    secretary = console.register_person(SYSTEM, "console-secretary", 13, "赵书记")
    console.command(
        "registry",
        "appoint",
        SYSTEM,
        "console-secretary-post",
        organisation_id=branch,
        person_id=secretary,
        post="secretary",
        since="2025-01-01",
    )
    staff = browser.page()
    try:
        console.login(staff, "district_staff", then="/registry/chart")
        staff.select_option("#f-community_id", console.ids["community"])
        staff.fill("#f-on", "2025-06-30")
        staff.click("main form button[type=submit]")
        staff.wait_for_selector(".village-branch")
        assert "赵书记" in staff.inner_text(".village-branch")
        staff.shots("organisation-chart")
        staff.fill("#f-on", "2024-06-30")  # before the appointment
        staff.click("main form button[type=submit]")
        staff.wait_for_selector("#chart-on:has-text('2024-06-30')")
        assert "赵书记" not in staff.inner_text("main")
    finally:
        staff.close()
