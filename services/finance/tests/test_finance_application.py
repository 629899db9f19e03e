"""Finance through its use-case table on SQLite and PostgreSQL: a village's books opened,
vouchers drafted, reviewed by four people and posted under consecutive numbers, months closed,
the trial balance computed by hand, and each refusal leaving nothing stored."""

from __future__ import annotations

from contextlib import closing
from typing import Any

import pytest
from finance.domain import Disclosure
from finance.overdue import record_overdue
from finance.settings import FinanceSettings
from finance_testing import (
    AGENCY,
    AUDITOR,
    OPENING,
    STAFF,
    Village,
    World,
    line,
    new_id,
    pair,
    refused,
)
from shequ.actor import Actor
from shequ.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationError
from shequ.metrics import SLA_BREACHES

PAY_OFFICE = [line("513", "debit", 12_000, memo="办公用品"), line("102", "credit", 12_000)]
SUBSIDY = [line("102", "debit", 500_000), line("503", "credit", 500_000, memo="村级组织运转经费")]
WAGES = pair("513", "102", 80_000)


def events(world: World) -> int:
    return world.finance.recorder.max_notification_id() or 0


def test_F1_books_open_only_for_a_village_the_registry_announced_and_only_once(
    world: World,
) -> None:
    village = world.village()
    opened = world.ledger(village)
    assert opened["chart"] == "cas2023"
    assert world.app.ledger(STAFF, village.id)["opening"] == OPENING
    refused(Conflict, "ledger.exists", "village_id", world.ledger, village)
    stranger = Village("5b2d7c1e-0000-5000-8000-00000000dead", "c")
    refused(NotFound, "not_found", "village_id", world.ledger, stranger)
    before = events(world)
    unbalanced = {"102": 100, "301": -99}
    refused(
        RuleViolation,
        "ledger.opening_unbalanced",
        "opening",
        world.app.open_ledger,
        AGENCY,
        "ledger-other",
        village_id=world.village().id,
        opened_on="2026-01-01",
        opening=unbalanced,
    )
    assert events(world) == before + 1  # only the second village's announcement


def test_F22_F25_a_voucher_reviewed_in_four_stages_is_posted_under_the_next_number(
    world: World,
) -> None:
    village = world.village()
    world.ledger(village)
    assert world.post(village, "2026-01-03", PAY_OFFICE) == "记-2026-001"
    world.clock.set("2026-01-08")
    assert world.post(village, "2026-01-07", SUBSIDY, "收到运转经费") == "记-2026-002"
    posted = world.published("voucher.posted")
    assert [(p["number"], p["income_fen"], p["expense_fen"], p["period"]) for p in posted] == [
        ("记-2026-001", 0, 12_000, "2026-01"),
        ("记-2026-002", 500_000, 0, "2026-01"),
    ]
    assert {p["village_id"] for p in posted} == {village.id}


def test_F25_returned_and_voided_vouchers_consume_no_number(world: World) -> None:
    village = world.village()
    world.ledger(village)
    returned = world.draft(village, "2026-01-03", PAY_OFFICE)
    world.review(village, returned, upto=1)
    world.send_back(village, returned, "finance_group", "缺少发票")
    voided = world.draft(village, "2026-01-03", WAGES)
    world.app.void_draft(village.clerk, "void-draft-1", voucher_id=voided, reason="重复填制")
    assert world.post(village, "2026-01-04", WAGES) == "记-2026-001"
    trail = world.app.voucher(village.head, returned)["trail"]
    assert [(r["what"], r.get("stage"), r.get("approve"), r.get("opinion")) for r in trail] == [
        ("submitted", None, None, None),
        ("reviewed", "clerk_check", True, "同意"),
        ("reviewed", "finance_group", False, "缺少发票"),
    ]
    statuses = world.app.vouchers(AUDITOR, village.id, "2026-01")["vouchers"]
    assert sorted(v["status"] for v in statuses) == ["posted", "returned", "voided"]


def test_F41_a_return_is_published_and_the_posting_counts_the_returns(world: World) -> None:
    """Assessment counts returned vouchers per community: a return publishes the stage and
    the day (never the reason), the posting how many times it was returned before."""
    village = world.village()
    world.ledger(village)
    voucher_id = world.draft(village, "2026-01-03", PAY_OFFICE)
    world.review(village, voucher_id, upto=1)
    world.send_back(village, voucher_id, "finance_group", "缺少发票")
    world.review(village, voucher_id, upto=2)
    world.send_back(village, voucher_id, "village_head", "金额有误")
    world.review(village, voucher_id)
    world.app.post_voucher(AGENCY, "post-returned-twice", voucher_id=voucher_id)
    world.post(village, "2026-01-04", WAGES)  # never returned
    returned = world.published("voucher.returned")
    assert [(r["voucher_id"], r["stage"], r["community_id"]) for r in returned] == [
        (voucher_id, "finance_group", village.community_id),
        (voucher_id, "village_head", village.community_id),
    ]
    assert all("缺少发票" not in str(r) and "金额有误" not in str(r) for r in returned)
    posted = world.published("voucher.posted")
    assert [(p["number"], p["returns"], p["community_id"]) for p in posted] == [
        ("记-2026-001", 2, village.community_id),
        ("记-2026-002", 0, village.community_id),
    ]


def test_F22_F23_posting_and_reviewing_refuse_what_the_chain_does_not_allow(world: World) -> None:
    village = world.village()
    world.ledger(village)
    voucher_id = world.draft(village, "2026-01-03", PAY_OFFICE)
    world.review(village, voucher_id, upto=3)
    before = events(world)
    refused(
        RuleViolation,
        "voucher.reviews_incomplete",
        "voucher_id",
        world.app.post_voucher,
        AGENCY,
        "post-too-early",
        voucher_id=voucher_id,
    )
    head_again = {"voucher_id": voucher_id, "stage": "agency", "outcome": "approve"}
    refused(
        Forbidden,
        "forbidden",
        "actor.role",
        world.app.review_voucher,
        STAFF,
        "review-by-staff",
        **head_again,
    )
    self_review = Actor(person_id=village.clerk.person_id, role="agency_accountant")
    refused(
        RuleViolation,
        "voucher.same_person",
        "actor",
        world.app.review_voucher,
        self_review,
        "review-by-self",
        **head_again,
    )
    assert events(world) == before  # nothing stored by any refusal


def test_F12_village_roles_act_only_in_their_own_village_and_auditors_only_read(
    world: World,
) -> None:
    mine, other = world.village(), world.village()
    world.ledger(mine)
    world.ledger(other)
    refused(
        Forbidden,
        "out_of_scope",
        "actor",
        world.app.draft_voucher,
        other.clerk,
        "draft-elsewhere",
        village_id=mine.id,
        voucher_date="2026-01-03",
        summary="越权",
        lines=PAY_OFFICE,
        handler_id=other.clerk.person_id,
    )
    refused(
        Forbidden, "out_of_scope", "actor", world.app.trial_balance, other.head, mine.id, "2026-01"
    )
    assert world.app.trial_balance(AUDITOR, mine.id, "2026-01")["balanced"]
    refused(
        Forbidden,
        "forbidden",
        "actor.role",
        world.app.close_period,
        AUDITOR,
        "close-jan-1",
        village_id=mine.id,
        period="2025-12",
    )


def test_F26_a_month_closes_only_when_nothing_waits_and_then_takes_no_voucher(world: World) -> None:
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-01-21")
    waiting = world.draft(village, "2026-01-20", PAY_OFFICE)
    world.review(village, waiting, upto=2)
    world.clock.set("2026-02-03")
    close = {"village_id": village.id, "period": "2026-01"}
    refused(
        RuleViolation,
        "period.pending_vouchers",
        "period",
        world.app.close_period,
        AGENCY,
        "close-jan-1",
        **close,
    )
    world.send_back(village, waiting, "village_head", "预算外")
    assert world.app.close_period(AGENCY, "close-jan-2", **close) == {
        "period": "2026-01",
        "next": "2026-02",
    }
    assert world.app.ledger(AUDITOR, village.id)["closed"] == ["2026-01"]
    refused(
        RuleViolation, "period.closed", "voucher_date", world.draft, village, "2026-01-31", WAGES
    )
    refused(
        RuleViolation,
        "period.closed",
        "voucher_date",
        world.app.submit_voucher,
        village.clerk,
        "resubmit-waiting",
        voucher_id=waiting,
    )
    refused(
        RuleViolation,
        "period.out_of_order",
        "period",
        world.app.close_period,
        AGENCY,
        "close-feb-3",
        village_id=village.id,
        period="2026-02",
    )
    assert [c["period"] for c in world.published("period.closed")] == ["2026-01"]


def test_F40_the_trial_balance_of_february_computed_by_hand(world: World) -> None:
    """Opening (2026-01-01): bank 125,000.00, fixed assets 300,000.00, capital 425,000.00.
    January: office supplies 120.00 paid from the bank; the operating subsidy 5,000.00 received.
    February: wages 800.00 paid from the bank. February's opening is January's closing."""
    village = world.village()
    world.ledger(village)
    world.post(village, "2026-01-03", PAY_OFFICE)
    world.post(village, "2026-01-04", SUBSIDY, "收到运转经费")
    world.clock.set("2026-02-10")
    assert world.post(village, "2026-02-09", WAGES, "发放2月误工补贴") == "记-2026-003"
    tb = world.app.trial_balance(AUDITOR, village.id, "2026-02")
    rows = {
        r["account"]: (
            r["name"],
            r["opening_fen"],
            r["debit_fen"],
            r["credit_fen"],
            r["closing_fen"],
        )
        for r in tb["rows"]
    }
    assert rows == {
        "102": ("银行存款", 12_988_000, 0, 80_000, 12_908_000),
        "151": ("固定资产", 30_000_000, 0, 0, 30_000_000),
        "301": ("资本", -42_500_000, 0, 0, -42_500_000),
        "503": ("补助收入", -500_000, 0, 0, -500_000),
        "513": ("管理费用", 12_000, 80_000, 0, 92_000),
    }
    assert tb["totals"] == {
        "opening_fen": 0,
        "debit_fen": 80_000,
        "credit_fen": 80_000,
        "closing_fen": 0,
    }
    assert tb["balanced"]


CASH_IN = [line("101", "debit", 500_000), line("102", "credit", 500_000, memo="提取备用金")]


def test_F32_cash_over_the_limit_is_reported_on_the_month_and_never_refused(world: World) -> None:
    """The limit is 5,000.00 yuan (``cash_limit_fen``): 5,000.00 on hand is no warning; a
    further 1,234.56 posts all the same and the month's books report 1,234.56 over the limit;
    banking it again clears the next month's report."""
    village = world.village()
    world.ledger(village)
    world.post(village, "2026-01-03", CASH_IN, "提取备用金")
    assert world.app.trial_balance(AUDITOR, village.id, "2026-01")["warnings"] == []
    extra = pair("101", "102", 123_456)
    assert world.post(village, "2026-01-04", extra, "提取现金") == "记-2026-002"
    tb = world.app.trial_balance(AUDITOR, village.id, "2026-01")
    assert tb["balanced"]
    assert tb["warnings"] == [
        {
            "code": "cash.over_limit",
            "account": "101",
            "closing_fen": 623_456,
            "limit_fen": 500_000,
            "over_fen": 123_456,
            "zh": "库存现金期末余额 6,234.56 元，超过限额 5,000.00 元 1,234.56 元，应及时存入银行",
            "en": "cash on hand at the month's end is 6,234.56 yuan, 1,234.56 yuan over the "
            "limit of 5,000.00 yuan: bank it",
        }
    ]
    world.clock.set("2026-02-10")
    bank = pair("102", "101", 123_456)
    world.post(village, "2026-02-02", bank, "现金存入银行")
    assert world.app.trial_balance(AUDITOR, village.id, "2026-02")["warnings"] == []


def test_F32_the_cash_limit_is_the_districts_setting(store: Any) -> None:
    with closing(World(store, FinanceSettings(cash_limit_fen=300_000))) as world:
        village = world.village()
        world.ledger(village)
        world.post(village, "2026-01-03", CASH_IN, "提取备用金")
        warning = world.app.trial_balance(AUDITOR, village.id, "2026-01")["warnings"][0]
        assert (warning["limit_fen"], warning["over_fen"]) == (300_000, 200_000)


def test_a_repeated_command_answers_as_the_first_and_stores_nothing_more(world: World) -> None:
    village = world.village()
    world.ledger(village)
    args = {
        "village_id": village.id,
        "voucher_date": "2026-01-03",
        "summary": "办公",
        "lines": PAY_OFFICE,
        "handler_id": village.clerk.person_id,
    }
    first = world.app.draft_voucher(village.clerk, "draft-once", **args)
    top = events(world)
    assert world.app.draft_voucher(village.clerk, "draft-once", **args) == first
    assert events(world) == top
    refused(
        Conflict,
        "idempotency_key_reused",
        "idempotency_key",
        world.app.draft_voucher,
        village.clerk,
        "draft-once",
        **{**args, "summary": "另一张"},
    )


def test_F40_the_bank_journal_runs_its_balance_from_the_month_opening(world: World) -> None:
    village = world.village()
    world.ledger(village)
    world.post(village, "2026-01-04", SUBSIDY, "收到运转经费")
    world.post(village, "2026-01-03", PAY_OFFICE)  # posted later, dated earlier
    world.clock.set("2026-02-10")
    world.post(village, "2026-02-09", WAGES, "发放2月误工补贴")
    jan = world.app.journal(village.head, village.id, "102", "2026-01")
    assert (jan["name"], jan["closing_fen"]) == ("银行存款", 12_988_000)
    assert [(r["date"], r["number"], r["summary"], r["balance_fen"]) for r in jan["rows"]] == [
        (None, None, "期初余额", 12_500_000),
        ("2026-01-03", "记-2026-002", "购买办公用品", 12_488_000),
        ("2026-01-04", "记-2026-001", "收到运转经费", 12_988_000),
    ]
    assert (jan["debit_fen"], jan["credit_fen"]) == (500_000, 12_000)
    feb = world.app.journal(AUDITOR, village.id, "102", "2026-02")
    assert [r["balance_fen"] for r in feb["rows"]] == [12_988_000, 12_908_000]
    office = world.app.journal(AUDITOR, village.id, "513", "2026-01")
    assert [r["summary"] for r in office["rows"]] == ["期初余额", "办公用品"]


def test_D1_D2_D5_the_quarter_disclosed_in_eight_categories_computed_by_hand(world: World) -> None:
    """The quarter 2026Q1 of the February test, disclosed: income and expense entry by entry,
    assets and claims at the quarter's end, four empty categories, the funds summary."""
    village = world.village(name="东王家村")
    world.ledger(village)
    world.post(village, "2026-01-03", PAY_OFFICE)
    world.post(village, "2026-01-04", SUBSIDY, "收到运转经费")
    world.clock.set("2026-02-10")
    world.post(
        village,
        "2026-02-09",
        WAGES
        + [
            line("112", "debit", 20_000, counterparty_id=world.counterparty(village, "李会计")),
            line("102", "credit", 20_000),
        ],
        "发放2月误工补贴并借支",
    )
    world.clock.set("2026-04-02")
    for month in ("2026-01", "2026-02"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    prepare = {"village_id": village.id, "period": "2026Q1"}
    refused(
        RuleViolation,
        "disclosure.period_open",
        "period",
        world.app.prepare_disclosure,
        village.clerk,
        "prepare-early",
        **prepare,
    )
    world.app.close_period(AGENCY, "close-2026-03", village_id=village.id, period="2026-03")
    prepared = world.app.prepare_disclosure(village.clerk, "prepare-q1", **prepare)
    assert prepared["due_on"] == "2026-04-15"
    d = world.app.disclosure(AUDITOR, prepared["disclosure_id"])
    content = d["content"]
    assert [(c["title"], len(c["rows"]), c.get("note")) for c in content["categories"]] == [
        ("财务计划", 0, "本期无此类事项"),
        ("各项收入", 1, None),
        ("各项支出", 2, None),
        ("各项资产", 3, None),  # the bank, then the two fixed assets (应收款 is a claim)
        ("各类资源", 0, "本期无此类事项"),
        ("债权债务", 1, None),
        ("收益分配", 0, "本期无此类事项"),
        ("其他", 0, "本期无此类事项"),
    ]
    income, expense, assets, claims = (content["categories"][i] for i in (1, 2, 3, 5))
    assert [(r["date"], r["number"], r["summary"], r["amount_fen"]) for r in income["rows"]] == [
        ("2026-01-04", "记-2026-002", "村级组织运转经费", 500_000)
    ]
    assert [(r["number"], r["amount_fen"]) for r in expense["rows"]] == [
        ("记-2026-001", 12_000),
        ("记-2026-003", 80_000),
    ]
    assert (income["total_fen"], expense["total_fen"]) == (500_000, 92_000)
    assert [(r["name"], r["original_fen"]) for r in assets["rows"]] == [
        ("102 银行存款", 12_888_000),
        ("村委会办公楼", 26_000_000),
        ("灌溉机井", 4_000_000),
    ]
    assert [(r["name"], r["balance_fen"]) for r in claims["rows"]] == [("应收款", 20_000)]
    assert content["funds"] == {
        "opening_fen": 12_500_000,
        "receipts_fen": 500_000,
        "payments_fen": 112_000,
        "closing_fen": 12_888_000,
    }
    assert village.clerk.person_id not in str(content)  # no person in the disclosure (D8)
    ident = {"disclosure_id": prepared["disclosure_id"]}
    refused(
        RuleViolation,
        "disclosure.not_publishable",
        "disclosure_id",
        world.app.publish_disclosure,
        village.head,
        "publish-early",
        **ident,
    )
    refused(
        Forbidden,
        "forbidden",
        "actor.role",
        world.app.review_disclosure,
        village.clerk,
        "review-by-clerk",
        opinion="同意",
        **ident,
    )
    refused(
        ValidationError,
        "invalid",
        "opinion",
        world.app.review_disclosure,
        village.group,
        "review-empty",
        opinion=" ",
        **ident,
    )
    world.app.review_disclosure(
        village.group, "review-q1", opinion="经审核，账目清楚，同意公开。", **ident
    )
    world.clock.set("2026-04-10")
    assert world.app.publish_disclosure(village.head, "publish-q1", **ident) == {
        "disclosure_id": prepared["disclosure_id"],
        "published_on": "2026-04-10",
        "posted_until": "2026-04-25",
    }
    [published] = world.published("disclosure.published")
    assert (published["period"], published["content_sha256"], published["late"]) == (
        "2026Q1",
        prepared["content_sha256"],
        False,
    )
    refused(
        Conflict,
        "disclosure.exists",
        "period",
        world.app.prepare_disclosure,
        village.clerk,
        "prepare-again",
        **prepare,
    )


def test_D7_a_quarter_undisclosed_past_its_due_date_is_recorded_overdue_once(world: World) -> None:
    on_time, late = world.village(), world.village()
    for village in (on_time, late):
        world.ledger(village)
    world.clock.set("2026-04-02")
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(
            AGENCY, f"close-{on_time.id[:8]}-{month}", village_id=on_time.id, period=month
        )
    prepared = world.app.prepare_disclosure(
        on_time.clerk, "prepare-on-time", village_id=on_time.id, period="2026Q1"
    )
    ident = {"disclosure_id": prepared["disclosure_id"]}
    world.app.review_disclosure(on_time.group, "review-on-time", opinion="同意公开", **ident)
    world.app.publish_disclosure(on_time.head, "publish-on-time", **ident)
    world.clock.set("2026-04-15")  # the due day itself: not overdue yet
    assert record_overdue(world.finance) == 0
    world.clock.set("2026-04-16")
    breaches = SLA_BREACHES.labels("finance", "disclosure_periodic")
    before = breaches._value.get()
    assert record_overdue(world.finance) == 1
    assert record_overdue(world.finance) == 0
    assert breaches._value.get() == before + 1  # the dashboard's overdue panel counts it once
    assert [
        (o["village_id"], o["period"], o["due_on"]) for o in world.published("disclosure.overdue")
    ] == [(late.id, "2026Q1", "2026-04-15")]


def test_F27_a_posted_voucher_is_corrected_by_a_red_reversal_and_a_blue_voucher(
    world: World,
) -> None:
    """January's office supplies were booked to 513 instead of 514 (公益支出): in February a red
    reversal cancels the whole voucher and a blue one books it right; both take numbers, the
    original stays, and the books show the net."""
    village = world.village()
    world.ledger(village)
    world.post(village, "2026-01-03", PAY_OFFICE)
    [original] = world.app.vouchers(AUDITOR, village.id, "2026-01")["vouchers"]
    world.clock.set("2026-02-10")
    red = [{**x, "red": True} for x in PAY_OFFICE]
    blue = pair("514", "102", 12_000)

    def correction(kind: str, lines: list[dict[str, Any]], summary: str) -> str:
        return world.post(village, "2026-02-09", lines, summary, kind=kind, corrects=original["id"])

    wrong_copy = [{**x, "red": True, "amount_fen": 11_000} for x in PAY_OFFICE]
    refused(
        RuleViolation,
        "voucher.correction_form",
        "lines",
        correction,
        "red_reversal",
        wrong_copy,
        "冲销",
    )
    assert correction("red_reversal", red, "注销1月3日记-2026-001号凭证") == "记-2026-002"
    assert correction("blue_correction", blue, "订正1月3日记-2026-001号凭证") == "记-2026-003"
    tb = {r["account"]: r for r in world.app.trial_balance(AUDITOR, village.id, "2026-02")["rows"]}
    assert (tb["513"]["opening_fen"], tb["513"]["debit_fen"], tb["513"]["closing_fen"]) == (
        12_000,
        -12_000,
        0,
    )
    assert (tb["514"]["debit_fen"], tb["514"]["closing_fen"]) == (12_000, 12_000)
    assert tb["102"]["closing_fen"] == 12_500_000 - 12_000  # paid once, not twice nor never
    assert world.app.voucher(AUDITOR, original["id"])["status"] == "posted"  # never edited


def awaiting_group_review(world: World, village: Village) -> dict[str, Any]:
    """A voucher of the village that the clerk's colleague approved: the finance group's
    approval of it, as a review command's fields."""
    voucher_id = world.draft(village, "2026-01-03", PAY_OFFICE)
    world.review(village, voucher_id, upto=1)
    return {"voucher_id": voucher_id, "stage": "finance_group", "outcome": "approve"}


def refused_to_committee_member(
    world: World, village: Village, key: str, group_review: dict[str, Any]
) -> None:
    """F24: the finance group's member, holding a post on one of the two committees, may not
    review."""
    refused(
        RuleViolation,
        "voucher.reviewer_conflict",
        "actor",
        world.app.review_voucher,
        village.group,
        key,
        **group_review,
    )


def test_F24_a_member_of_the_village_party_branch_reviews_nothing_for_the_finance_group(
    world: World,
) -> None:
    village = world.village()
    world.ledger(village)
    branch = new_id()
    world.announce(
        "organisation.established",
        organisation_id=branch,
        kind="village_branch",
        name="东王家村党支部",
        community_id=village.community_id,
        village_id=village.id,
        parent_id=None,
    )
    appointment = new_id()
    world.announce(
        "appointment.made",
        organisation_id=branch,
        appointment_id=appointment,
        community_id=village.community_id,
        person_id=village.group.person_id,
        post="member",
        basis="",
        since="2025-01-01",
    )
    group_review = awaiting_group_review(world, village)
    refused_to_committee_member(world, village, "review-by-branch-member", group_review)
    world.announce(
        "appointment.ended",
        organisation_id=branch,
        appointment_id=appointment,
        until="2026-01-04",
        reason="辞职",
    )
    assert (
        world.app.review_voucher(village.group, "review-after-leaving", **group_review)["status"]
        == "submitted"
    )


def test_F24_a_member_of_the_villagers_committee_as_of_the_review_day(world: World) -> None:
    """The villagers' committee (村民委员会) is the other of the two committees: its chair,
    vice chairs and members review nothing for the finance group while they hold the post on
    the review's day (the world's clock: 2026-01-05)."""
    village = world.village()
    world.ledger(village)
    group_review = awaiting_group_review(world, village)
    committee = new_id()
    post = {"committee_id": committee, "village_id": village.id, "post": "member"}
    elected = {**post, "person_id": village.group.person_id, "term_ends": "2031-01-06"}
    # elected from tomorrow: not yet a member on the review's day
    later = new_id()
    world.announce("committee.post_taken", **elected, appointment_id=later, since="2026-01-06")
    # ... and a member since 2021 whose post is held today
    held = new_id()
    world.announce("committee.post_taken", **elected, appointment_id=held, since="2021-01-15")
    before = world.finance.recorder.max_notification_id()
    refused_to_committee_member(world, village, "review-by-committee-member", group_review)
    assert world.finance.recorder.max_notification_id() == before  # nothing stored
    for _ in range(2):  # a duplicate delivery changes nothing
        world.announce(
            "committee.post_ended", **post, appointment_id=held, until="2026-01-05", reason="辞职"
        )
    assert world.finance.two_committees(village.id, "2026-01-04") == {village.group.person_id}
    assert world.finance.two_committees(village.id, "2026-01-05") == set()
    assert world.finance.two_committees(village.id, "2026-01-06") == {village.group.person_id}
    assert (
        world.app.review_voucher(village.group, "review-after-leaving-committee", **group_review)[
            "status"
        ]
        == "submitted"
    )


def test_F31_a_month_closes_only_when_the_asset_register_agrees_with_the_books(
    world: World,
) -> None:
    village = world.village()
    refused(
        RuleViolation,
        "ledger.assets_unreconciled",
        "assets",
        world.app.open_ledger,
        AGENCY,
        "ledger-no-assets",
        village_id=village.id,
        opened_on="2026-01-01",
        opening=OPENING,
    )
    world.ledger(village)
    world.clock.set("2026-01-20")
    bought, _ = world.posted(village, "2026-01-15", pair("151", "102", 1_800_000), "购置灌溉水泵")
    world.clock.set("2026-02-02")
    close = {"village_id": village.id, "period": "2026-01"}
    e = pytest.raises(RuleViolation, world.app.close_period, AGENCY, "close-unreconciled", **close)
    assert (e.value.code, e.value.details) == (
        "period.unreconciled",
        {"register_fen": 30_000_000, "books_fen": 31_800_000},
    )
    asset = {"asset_id": world.pump(village, bought, "2026-01-15", "机井房")}
    world.app.close_period(AGENCY, "close-reconciled", **close)
    # sold at its book value in February: off the register, and the books agree again
    world.clock.set("2026-02-20")
    sold, _ = world.posted(village, "2026-02-18", pair("102", "151", 1_800_000), "出售水泵")
    disposal = {"village_id": village.id, **asset, "voucher_id": sold}
    too_early = {**disposal, "disposed_on": "2026-01-10"}
    refused(
        RuleViolation,
        "asset.not_disposable",
        "asset_id",
        world.app.dispose_asset,
        village.clerk,
        "dispose-too-early",
        **too_early,
    )
    world.app.dispose_asset(village.clerk, "dispose-pump", **disposal, disposed_on="2026-02-18")
    world.clock.set("2026-03-02")
    world.app.close_period(AGENCY, "close-feb", village_id=village.id, period="2026-02")
    draft = world.draft(village, "2026-03-01", PAY_OFFICE)
    refused(
        ValidationError,
        "invalid",
        "voucher_id",
        world.app.register_asset,
        village.clerk,
        "asset-from-draft",
        village_id=village.id,
        voucher_id=draft,
        name="未记账",
        original_fen=1,
        acquired_on="2026-03-01",
    )


def test_D3_a_line_strictly_over_the_threshold_is_disclosed_at_once(world: World) -> None:
    village = world.village()
    world.ledger(village)
    grant = [line("102", "debit", 5_000_001), line("503", "credit", 5_000_001, memo="上级专项补助")]
    exactly = pair("102", "503", 5_000_000)
    world.clock.set("2026-01-10")
    assert world.post(village, "2026-01-08", exactly, "收到补助") == "记-2026-001"
    assert world.published("disclosure.published") == []
    assert world.finance.find(Disclosure.create_id(village.id, "immediate", "记-2026-001")) is None
    grant_id = world.draft(village, "2026-01-09", grant, "收到专项补助")
    world.review(village, grant_id)
    posted = world.app.post_voucher(AGENCY, "post-grant", voucher_id=grant_id)
    shown = world.app.disclosure(AUDITOR, posted["immediate_disclosure_id"])
    assert (shown["kind"], shown["period"], shown["due_on"]) == (
        "immediate",
        "记-2026-002",
        "2026-01-15",
    )
    assert [(r["name"], r["amount_fen"]) for r in shown["content"]["rows"]] == [
        ("银行存款", 5_000_001),
        ("补助收入", 5_000_001),
    ]
    world.clock.set("2026-01-16")
    assert record_overdue(world.finance) == 1  # not published within five days
    [late] = world.published("disclosure.overdue")
    assert (late["kind"], late["period"], late["due_on"]) == (
        "immediate",
        "记-2026-002",
        "2026-01-15",
    )
    ident = {"disclosure_id": posted["immediate_disclosure_id"]}
    world.app.review_disclosure(village.group, "review-grant", opinion="同意公开", **ident)
    world.app.publish_disclosure(village.head, "publish-grant", **ident)
    assert world.published("disclosure.published")[-1]["late"] is True


def test_F40_the_balance_sheet_and_income_statement_computed_by_hand(world: World) -> None:
    """The February books of the trial-balance test: bank 129,080.00 and fixed assets 300,000.00
    against capital 425,000.00 and the year's result so far, 5,000.00 - 920.00 = 4,080.00."""
    village = world.village()
    world.ledger(village)
    world.post(village, "2026-01-03", PAY_OFFICE)
    world.post(village, "2026-01-04", SUBSIDY, "收到运转经费")
    world.clock.set("2026-02-10")
    world.post(village, "2026-02-09", WAGES, "发放2月误工补贴")
    s = world.app.statements(AUDITOR, village.id, "2026-02")
    sheet, result = s["balance_sheet"], s["income_statement"]
    assert [(r["name"], r["amount_fen"]) for r in sheet["assets"]["rows"]] == [
        ("银行存款", 12_908_000),
        ("固定资产", 30_000_000),
    ]
    assert (
        sheet["assets"]["total_fen"],
        sheet["liabilities"]["total_fen"],
        sheet["equity"]["total_fen"],
    ) == (42_908_000, 0, 42_500_000)
    assert sheet["result_not_carried_fen"] == 408_000 and sheet["balanced"]
    assert [(r["name"], r["amount_fen"]) for r in result["income"]["rows"]] == [
        ("补助收入", 500_000)
    ]
    assert [(r["name"], r["amount_fen"]) for r in result["expense"]["rows"]] == [
        ("管理费用", 92_000)
    ]
    assert result["result_fen"] == 408_000


def test_F30_a_contract_on_collective_property_cites_its_two_thirds_decision(world: World) -> None:
    village, other = world.village(), world.village()
    world.ledger(village)
    world.clock.set("2026-04-25")
    general = world.decision(village, "general", "2026-04-10")
    elsewhere = world.decision(other, "collective_property", "2026-04-10")
    later = world.decision(village, "collective_property", "2026-04-24")
    property_ = world.decision(village, "collective_property", "2026-04-10")
    terms = {
        "village_id": village.id,
        "number": "DWJ-2026-01",
        "name": "机动地承包合同",
        "counterparty": "王大明",
        "counterparty_kind": "person",
        "subject": "村集体机动地12.50亩",
        "amount_fen": 1_500_000,
        "annual_rent_fen": 300_000,
        "term_start": "2026-05-01",
        "term_end": "2031-04-30",
        "signed_on": "2026-04-20",
    }
    for n, cited in enumerate((general, elsewhere, later, new_id())):
        refused(
            RuleViolation,
            "contract.decision_required",
            "decision_id",
            world.app.sign_contract,
            AGENCY,
            f"contract-wrong-{n}",
            decision_id=cited,
            **terms,
        )
    signed = world.app.sign_contract(AGENCY, "contract-right", decision_id=property_, **terms)
    assert signed["number"] == "DWJ-2026-01"
    refused(
        Conflict,
        "contract.exists",
        "number",
        world.app.sign_contract,
        AGENCY,
        "contract-again",
        decision_id=property_,
        **terms,
    )
    [listed] = world.app.contracts(village.head, village.id)["contracts"]
    assert (listed["counterparty"], listed["decision_id"], listed["annual_rent_fen"]) == (
        "王**",
        property_,
        300_000,
    )


def test_F29_large_spending_cites_a_decision_the_village_published(world: World) -> None:
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-04-25")
    road = [line("514", "debit", 6_000_000, memo="村道硬化"), line("102", "credit", 6_000_000)]

    def draft(decision_id: str | None) -> str:
        return world.draft(village, "2026-04-24", road, "村道硬化工程款", decision_id=decision_id)

    for cited in (None, new_id(), world.decision(village, "general", "2026-04-25")):
        refused(RuleViolation, "voucher.decision_required", "decision_id", draft, cited)
    voucher_id = draft(world.decision(village, "general", "2026-04-20"))
    assert world.app.voucher(AUDITOR, voucher_id)["status"] == "draft"
