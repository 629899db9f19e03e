"""The finance rules, no I/O: each test is named by the statement of FINANCE.md it proves
(F1, F20–F29), and every refusal is asserted by its code, its field and both messages."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest
from finance.domain import (
    STAGES,
    Ledger,
    Voucher,
    chart_on,
    charts,
    check_correction,
    check_decision,
    checked_lines,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from shequ.errors import RuleViolation

A = {"person_id": "clerk-1", "role": "finance_clerk"}
ORDER = list(STAGES)
REVIEWERS = {
    "clerk_check": {"person_id": "clerk-2", "role": "finance_clerk"},
    "finance_group": {"person_id": "group-1", "role": "finance_group"},
    "village_head": {"person_id": "head-1", "role": "village_head"},
    "agency": {"person_id": "agency-1", "role": "agency_accountant"},
}


def refused(code: str, field: str | None, fn: Any, *args: Any, **kwargs: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.message_zh and info.value.message_en
    return info.value


def line(account: str, side: str, fen: int, **more: Any) -> dict[str, Any]:
    return {"account": account, "side": side, "amount_fen": fen, **more}


PAY_OFFICE = [line("513", "debit", 12_000), line("102", "credit", 12_000)]


def voucher(day: str = "2026-03-10", lines: list[dict[str, Any]] | None = None) -> Voucher:
    content = {
        "summary": "购买办公用品",
        "lines": checked_lines(lines or PAY_OFFICE, day),
        "handler_id": "clerk-1",
    }
    return Voucher(
        id=uuid4(),
        ledger_id="L",
        village_id="v-1",
        voucher_date=day,
        content=content,
        recorded_at=day,
        actor=A,
    )  # type: ignore[call-arg]


def reviewed(v: Voucher, upto: int = len(ORDER)) -> Voucher:
    v.submit("2026-03-10", A)
    for stage in ORDER[:upto]:
        v.review(stage, True, "同意", REVIEWERS[stage], ORDER, "2026-03-11", A)
    return v


def ledger(opened_on: str = "2026-01-01") -> Ledger:
    return Ledger(
        village_id="v-1",
        opened_on=opened_on,
        opening={"102": 50_000, "301": -50_000},
        assets={},
        actor=A,
    )  # type: ignore[call-arg]


# F1, F21: the charts, as data, by the date in force


def test_F21_two_charts_with_their_dates_and_the_codes_that_changed_meaning() -> None:
    assert [(c.id, len(c.accounts)) for c in charts()] == [("cas2004", 33), ("cas2023", 42)]
    old, new = chart_on("2023-12-31"), chart_on("2024-01-01")
    assert old is not None and new is not None
    assert (old.accounts["211"].name, new.accounts["211"].name) == ("应付工资", "应付款")
    assert (old.accounts["541"].name, new.account("541")) == ("管理费用", None)
    assert new.accounts["152"].normal == "credit"  # a contra account listed with the assets
    assert chart_on("2004-12-31") is None


def test_F21_an_account_is_checked_against_the_chart_in_force_on_the_voucher_date() -> None:
    expense_2004 = [line("541", "debit", 100), line("102", "credit", 100)]
    assert checked_lines(expense_2004, "2023-12-31")[0]["account"] == "541"
    e = refused(
        "voucher.unknown_account", "lines.0.account", checked_lines, expense_2004, "2024-01-02"
    )
    assert e.details == {"chart": "cas2023"}
    refused(
        "voucher.unknown_account",
        "lines.1.account",
        checked_lines,
        [line("513", "debit", 1), line("999", "credit", 1)],
        "2026-01-05",
    )


def test_F1_opening_balances_balance_on_accounts_in_force() -> None:
    Ledger.check_opening("2026-01-01", {"102": 50_000, "301": -50_000})
    e = refused(
        "ledger.opening_unbalanced",
        "opening",
        Ledger.check_opening,
        "2026-01-01",
        {"102": 50_000, "301": -49_999},
    )
    assert e.details == {"difference_fen": 1}
    refused(
        "voucher.unknown_account",
        "opening.541",
        Ledger.check_opening,
        "2026-01-01",
        {"541": 1, "301": -1},
    )
    refused(
        "voucher.unknown_account",
        "opening.102",
        Ledger.check_opening,
        "2026-01-01",
        {"102": 1.5, "301": -1.5},
    )


# F20: double entry in whole fen


def test_F20_debits_equal_credits_with_the_difference_reported_in_fen() -> None:
    e = refused(
        "voucher.unbalanced",
        "lines",
        checked_lines,
        [line("513", "debit", 12_001), line("102", "credit", 12_000)],
        "2026-03-10",
    )
    assert e.details == {"difference_fen": 1}
    assert "0.01" in e.message_zh and "0.01" in e.message_en


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([line("513", "debit", 100)], "lines"),
        ([line("513", "debit", 0), line("102", "credit", 0)], "lines.0.amount_fen"),
        ([line("513", "debit", -100), line("102", "credit", -100)], "lines.0.amount_fen"),
        ([line("513", "debit", 100), line("102", "credit", 100.0)], "lines.1.amount_fen"),
        ([line("513", "debit", True), line("102", "credit", True)], "lines.0.amount_fen"),
    ],
)
def test_F20_at_least_two_lines_each_a_positive_whole_number_of_fen(
    lines: list[dict[str, Any]], field: str
) -> None:
    refused("voucher.unbalanced", field, checked_lines, lines, "2026-03-10")


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=6), st.integers(-3, 3)
)
def test_F20_any_split_balances_and_any_other_difference_is_refused(
    debits: list[int], off: int
) -> None:
    lines = [line("513", "debit", d) for d in debits] + [line("102", "credit", sum(debits) + off)]
    if off == 0:
        assert sum(x["amount_fen"] for x in checked_lines(lines, "2026-03-10")) == 2 * sum(debits)
    elif sum(debits) + off > 0:
        e = refused("voucher.unbalanced", "lines", checked_lines, lines, "2026-03-10")
        assert e.details == {"difference_fen": -off}


# F28: no income spent directly


def test_F28_income_credited_and_expense_debited_in_one_voucher_is_refused() -> None:
    direct = [line("514", "debit", 3_000), line("501", "credit", 3_000)]
    refused("voucher.direct_spending", "lines", checked_lines, direct, "2026-03-10")
    banked = [line("102", "debit", 3_000), line("501", "credit", 3_000)]
    assert len(checked_lines(banked, "2026-03-10")) == 2


# F22, F23: four stages, four people, in order


def test_F22_posts_only_after_every_stage_approved_naming_the_missing_one() -> None:
    v = reviewed(voucher(), upto=3)
    e = refused("voucher.reviews_incomplete", "voucher_id", v.check_postable, ORDER)
    assert e.details == {"missing": ["agency"]}
    v.review("agency", True, "", REVIEWERS["agency"], ORDER, "2026-03-12", A)
    v.check_postable(ORDER)


def test_F22_stages_in_the_configured_order_each_by_its_role() -> None:
    v = voucher()
    v.submit("2026-03-10", A)
    e = refused(
        "voucher.stage_order",
        "stage",
        v.review,
        "village_head",
        True,
        "",
        REVIEWERS["village_head"],
        ORDER,
        "2026-03-11",
        A,
    )
    assert e.details == {"expected": "clerk_check"}
    refused(
        "voucher.stage_role",
        "stage",
        v.review,
        "clerk_check",
        True,
        "",
        REVIEWERS["agency"],
        ORDER,
        "2026-03-11",
        A,
    )
    local_order = ["clerk_check", "village_head", "finance_group", "agency"]  # another district
    v.review("clerk_check", True, "", REVIEWERS["clerk_check"], local_order, "2026-03-11", A)
    v.review("village_head", True, "", REVIEWERS["village_head"], local_order, "2026-03-11", A)


def test_F23_the_handler_reviews_nothing_and_one_person_takes_one_stage() -> None:
    v = voucher()
    v.submit("2026-03-10", A)
    handler = {"person_id": "clerk-1", "role": "finance_clerk"}
    refused(
        "voucher.same_person",
        "actor",
        v.review,
        "clerk_check",
        True,
        "",
        handler,
        ORDER,
        "2026-03-11",
        A,
    )
    v.review("clerk_check", True, "", REVIEWERS["clerk_check"], ORDER, "2026-03-11", A)
    twice = {"person_id": "clerk-2", "role": "finance_group"}
    e = refused(
        "voucher.same_person",
        "actor",
        v.review,
        "finance_group",
        True,
        "",
        twice,
        ORDER,
        "2026-03-11",
        A,
    )
    assert e.details == {"stages_taken": ["clerk_check"]}


def test_F2_a_return_needs_its_reason_and_a_resubmitted_voucher_is_reviewed_from_the_start() -> (
    None
):
    v = reviewed(voucher(), upto=2)
    refused(
        "voucher.return_reason",
        "opinion",
        v.review,
        "village_head",
        False,
        "  ",
        REVIEWERS["village_head"],
        ORDER,
        "2026-03-12",
        A,
    )
    v.review(
        "village_head", False, "发票抬头不符", REVIEWERS["village_head"], ORDER, "2026-03-12", A
    )
    assert v.status == "returned"
    refused(
        "voucher.not_submitted",
        "voucher_id",
        v.review,
        "agency",
        True,
        "",
        REVIEWERS["agency"],
        ORDER,
        "2026-03-12",
        A,
    )
    v.amend(
        "2026-03-10",
        {"summary": "购买办公用品（换票）", "lines": v.lines, "handler_id": "clerk-1"},
        A,
    )
    v.submit("2026-03-13", A)
    assert v.approved == []
    refused("voucher.reviews_incomplete", "voucher_id", v.check_postable, ORDER)
    # the review trail keeps both rounds: who, which stage, when, with what opinion
    assert [(r["what"], r.get("stage"), r.get("approve")) for r in v.trail] == [
        ("submitted", None, None),
        ("reviewed", "clerk_check", True),
        ("reviewed", "finance_group", True),
        ("reviewed", "village_head", False),
        ("submitted", None, None),
    ]


def test_F2_only_drafts_and_returned_vouchers_change_and_a_posted_one_never() -> None:
    v = reviewed(voucher())
    refused("voucher.not_editable", "voucher_id", v.amend, "2026-03-10", {}, A)
    v.post("记-2026-001", "2026-03-12", A)
    for change in (lambda: v.submit("2026-03-13", A), lambda: v.void("重复", A)):
        refused("voucher.not_editable", "voucher_id", change)
    assert (v.status, v.number) == ("posted", "记-2026-001")


# F25, F26: numbers at posting, months that close


def test_F25_numbers_are_consecutive_per_year_and_only_postings_take_one() -> None:
    book = ledger("2025-12-01")
    numbers = [
        book.assign_number(f"v{i}", day, A)
        for i, day in enumerate(["2025-12-30", "2025-12-31", "2026-01-02", "2026-01-05"])
    ]
    assert numbers == ["记-2025-001", "记-2025-002", "记-2026-001", "记-2026-002"]
    book.note_submitted("v9", "2026-01-06")  # submitted, then returned: no number consumed
    book.note_returned("v9")
    assert book.assign_number("v10", "2026-01-07", A) == "记-2026-003"


def test_F26_no_voucher_in_a_closed_month_and_no_month_closes_over_one_in_review() -> None:
    book = ledger()
    book.note_submitted("v1", "2026-01-20")
    e = refused(
        "period.pending_vouchers", "period", book.close_period, "2026-01", "2026-02-03", 0, A
    )
    assert e.details == {"vouchers": ["v1"]}
    book.assign_number("v1", "2026-01-20", A)
    book.close_period("2026-01", "2026-02-03", 0, A)
    refused("period.closed", "voucher_date", book.check_open, "2026-01-31")
    refused("period.closed", "voucher_date", book.assign_number, "v2", "2026-01-31", A)
    refused("period.before_opening", "voucher_date", book.check_open, "2025-12-31")
    book.check_open("2026-02-01")


@pytest.mark.parametrize(
    ("period", "today"),
    [("2026-02", "2026-02-10"), ("2026-03", "2026-04-01"), ("2025-12", "2026-02-01")],
)
def test_F26_months_close_in_order_once_each_and_only_when_ended(period: str, today: str) -> None:
    book = ledger()
    book.close_period("2026-01", "2026-02-01", 0, A)
    e = refused("period.out_of_order", "period", book.close_period, period, today, 0, A)
    assert e.details == {"expected": "2026-02"}


# F27: corrections


def posted(day: str = "2026-03-10") -> Voucher:
    v = reviewed(voucher(day))
    v.post("记-2026-001", day, A)
    return v


RED = [line("513", "debit", 12_000, red=True), line("102", "credit", 12_000, red=True)]


@pytest.mark.parametrize(
    ("kind", "day", "lines", "original", "field"),
    [
        ("normal", "2026-04-01", PAY_OFFICE, "posted", "corrects"),
        ("normal", "2026-04-01", RED, None, "lines"),
        ("red_reversal", "2026-04-01", RED, None, "corrects"),
        ("red_reversal", "2026-04-01", RED, "draft", "corrects"),
        ("red_reversal", "2026-03-01", RED, "posted", "voucher_date"),
        ("red_reversal", "2027-01-05", RED, "posted", "kind"),
        ("difference", "2027-01-05", RED, "posted", "kind"),
        (
            "red_reversal",
            "2026-04-01",
            [line("513", "debit", 11_000, red=True), line("102", "credit", 11_000, red=True)],
            "posted",
            "lines",
        ),
        ("red_reversal", "2026-04-01", PAY_OFFICE, "posted", "lines"),
        ("blue_correction", "2026-04-01", RED, "posted", "lines"),
    ],
)
def test_F27_refused_correction_forms(
    kind: str, day: str, lines: list[dict[str, Any]], original: str | None, field: str
) -> None:
    corrected = {"posted": posted(), "draft": voucher(), None: None}[original]
    refused(
        "voucher.correction_form",
        field,
        check_correction,
        kind,
        day,
        checked_lines(lines, day),
        corrected,
    )


@pytest.mark.parametrize(
    ("kind", "day", "lines"),
    [
        ("red_reversal", "2026-04-01", RED),
        ("blue_correction", "2026-04-01", PAY_OFFICE),
        ("blue_correction", "2027-01-05", PAY_OFFICE),  # an earlier year's voucher
        (
            "difference",
            "2026-04-01",
            [line("513", "debit", 1_000, red=True), line("102", "credit", 1_000, red=True)],
        ),
    ],
)
def test_F27_accepted_correction_forms(kind: str, day: str, lines: list[dict[str, Any]]) -> None:
    check_correction(kind, day, checked_lines(lines, day), posted())
    check_correction("normal", day, checked_lines(PAY_OFFICE, day), None)


# F29: large spending cites a decision


def test_F29_spending_strictly_over_the_threshold_cites_a_decision() -> None:
    lines = checked_lines(
        [line("514", "debit", 5_000_001), line("102", "credit", 5_000_001)], "2026-03-10"
    )
    refused(
        "voucher.decision_required",
        "decision_id",
        check_decision,
        lines,
        "2026-03-10",
        None,
        5_000_000,
    )
    check_decision(lines, "2026-03-10", "decision-1", 5_000_000)
    exactly = checked_lines(
        [line("514", "debit", 5_000_000), line("102", "credit", 5_000_000)], "2026-03-10"
    )
    check_decision(exactly, "2026-03-10", None, 5_000_000)
