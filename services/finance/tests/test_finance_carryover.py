"""The carry-over of books kept on the 2004 chart to the 2023 chart on 2024-01-01 (财会〔2023〕20号),
with figures computed by hand; on SQLite and PostgreSQL (fixture ``store`` via ``world``).

The books (debit positive, fen), opened on 2023-11-01 on the 2004 chart:
  101 现金 2,000.00 · 102 银行存款 50,000.00 · 131 牲畜（禽）资产 8,000.00 · 151 固定资产 30,000.00
  · 152 累计折旧 −6,000.00 · 154 在建工程 10,000.00 · 202 应付款 −4,000.00 (one supplier)
  · 211 应付工资 −3,000.00 · 212 应付福利费 −2,000.00 · 301 资本 −85,000.00        (sum 0)
Posted: 11-10 wages paid 1,000.00 (211/102); 12-05 a subsidy 3,000.00 (102/522); 12-31 the
year's income closed into 本年收益 (522/321).
Closing at 2023-12-31 (old codes): 101 2,000 · 102 52,000 · 131 8,000 · 151 30,000 · 152 −6,000
  · 154 10,000 · 202 −4,000 · 211 −2,000 · 212 −2,000 · 301 −85,000 · 321 −3,000 (522: 0).
Carried with 131 split 3,000 消耗性 (131) + 5,000 生产性 (132) and 212 all to 公积公益金 (311):
  101 2,000 · 102 52,000 · 131 3,000 · 132 5,000 · 151 30,000 · 152 −6,000 · 153 在建工程 10,000
  · 211 应付款 −4,000 · 212 应付工资 −2,000 · 301 −85,000 · 311 −2,000 · 321 −3,000 (sum 0).
"""

from __future__ import annotations

from typing import Any

import pytest
from finance.domain.carryover import carried, carry_over_table
from finance.domain.charts import charts
from finance.report import Books
from finance_testing import AGENCY, World, line, pair
from shequ.errors import RuleViolation

OPENING = {
    "101": 200_000,
    "102": 5_000_000,
    "131": 800_000,
    "151": 3_000_000,
    "152": -600_000,
    "154": 1_000_000,
    "202": -400_000,
    "211": -300_000,
    "212": -200_000,
    "301": -8_500_000,
}
ASSETS = [
    {"name": "村委会办公楼", "unit": "栋", "original_fen": 3_000_000, "acquired_on": "2010-05-01"}
]
CLOSING = {
    "101": 200_000,
    "102": 5_200_000,
    "131": 800_000,
    "151": 3_000_000,
    "152": -600_000,
    "154": 1_000_000,
    "202": -400_000,
    "211": -200_000,
    "212": -200_000,
    "301": -8_500_000,
    "321": -300_000,
}
SPLITS = {"131": {"131": 300_000, "132": 500_000}, "212": {"311": -200_000}}
CARRIED = {
    "101": 200_000,
    "102": 5_200_000,
    "131": 300_000,
    "132": 500_000,
    "151": 3_000_000,
    "152": -600_000,
    "153": 1_000_000,
    "211": -400_000,
    "212": -200_000,
    "301": -8_500_000,
    "311": -200_000,
    "321": -300_000,
}
OFFICE_2024 = [line("513", "debit", 50_000, memo="办公用品"), line("102", "credit", 50_000)]


def refused(code: str, field: str, fn: Any, *args: Any, **kwargs: Any) -> RuleViolation:
    with pytest.raises(RuleViolation) as info:
        fn(*args, **kwargs)
    assert (info.value.code, info.value.field) == (code, field)
    assert info.value.message_zh and info.value.message_en
    return info.value


def old_books(world: World) -> Any:
    """A village whose books were opened on 2023-11-01 on the 2004 chart, its 2023 posted."""
    village = world.village()
    world.ledger(village, "2023-11-01", OPENING, ASSETS)
    world.counterparty(village, "胶河建材站", kind="organisation", opening={"202": -400_000})
    world.post(village, "2023-11-10", pair("211", "102", 100_000))
    world.post(village, "2023-12-05", pair("102", "522", 300_000))
    world.post(village, "2023-12-31", pair("522", "321", 300_000))
    return village


def close(world: World, village: Any, period: str) -> None:
    world.app.close_period(AGENCY, world.key("close"), village_id=village.id, period=period)


def carry(world: World, village: Any, key: str, **splits: Any) -> dict[str, Any]:
    return world.app.carry_over_chart(AGENCY, key, village_id=village.id, **splits)


def balances(world: World, village: Any, period: str, column: str) -> dict[str, int]:
    rows = world.app.trial_balance(AGENCY, village.id, period)["rows"]
    return {r["account"]: r[column] for r in rows if r[column]}


def test_the_2023_closing_balances_carry_over_to_the_2023_chart(world: World) -> None:
    village = old_books(world)
    # a month of 2023 still open: the old books' balances are not final yet
    refused("carryover.periods_open", "period", carry, world, village, "carry-early", splits=SPLITS)
    # nothing posts on the new chart before the carry-over
    office = world.draft(village, "2024-01-10", OFFICE_2024)
    world.review(village, office)
    post = world.app.post_voucher
    refused(
        "ledger.carryover_required", "voucher_date", post, AGENCY, "post-early", voucher_id=office
    )
    close(world, village, "2023-11")
    close(world, village, "2023-12")
    assert balances(world, village, "2023-12", "closing_fen") == CLOSING

    before = world.finance.recorder.max_notification_id()
    needs_split = refused(
        "carryover.split_required", "splits.131", carry, world, village, "carry-try-1"
    )
    assert needs_split.details["into"] == ["131", "132"]
    short = {**SPLITS, "131": {"131": 300_000, "132": 400_000}}
    wrong = refused(
        "carryover.split", "splits.131", carry, world, village, "carry-try-2", splits=short
    )
    assert wrong.details["difference_fen"] == -100_000
    astray = {**SPLITS, "212": {"301": -200_000}}
    refused("carryover.split", "splits.212", carry, world, village, "carry-try-3", splits=astray)
    assert world.finance.recorder.max_notification_id() == before  # nothing stored

    done = carry(world, village, "carry-2024", splits=SPLITS)
    assert done == {"on": "2024-01-01", "chart": "cas2023", "closing": CLOSING, "opening": CARRIED}
    # the same key again answers the same, storing nothing; another key is refused
    last = world.finance.recorder.max_notification_id()
    assert carry(world, village, "carry-2024", splits=SPLITS) == done
    assert world.finance.recorder.max_notification_id() == last
    refused("carryover.done", "village_id", carry, world, village, "carry-again", splits=SPLITS)

    # January 2024 opens on the new chart's accounts, named by it; 2023 is as it was
    january = world.app.trial_balance(AGENCY, village.id, "2024-01")
    assert {r["account"]: r["opening_fen"] for r in january["rows"]} == CARRIED
    names = {r["account"]: r["name"] for r in january["rows"]}
    assert (names["101"], names["153"], names["211"], names["212"]) == (
        "库存现金",
        "在建工程",
        "应付款",
        "应付工资",
    )
    assert january["balanced"]
    assert balances(world, village, "2023-12", "closing_fen") == CLOSING
    # the waiting voucher posts now, first of 2024, and January closes: the supplier's 4,000.00
    # stands on 应付款 211 in the subledgers as in the books (F31)
    assert (
        world.app.post_voucher(AGENCY, "post-after", voucher_id=office)["number"] == "记-2024-001"
    )
    after = world.app.trial_balance(AGENCY, village.id, "2024-01")
    assert balances(world, village, "2024-01", "closing_fen") == {
        **CARRIED,
        "102": 5_150_000,
        "513": 50_000,
    }
    assert after["totals"]["debit_fen"] == after["totals"]["credit_fen"] == 50_000
    close(world, village, "2024-01")
    journal = world.app.journal(AGENCY, village.id, "102", "2024-01")["rows"]
    assert [r["balance_fen"] for r in journal] == [5_200_000, 5_150_000]
    # the report's fold of the sealed events (shequ report finance) agrees with the books
    books = Books()
    for note in world.finance.recorder.select_notifications(0, 100_000):
        books.apply(world.finance.mapper.to_domain_event(note), village.id)
    assert nonzero(books.balances("2024-02-01")) == nonzero(
        {**CARRIED, "102": 5_150_000, "513": 50_000}
    )
    december = nonzero({**OPENING, "102": 4_900_000, "211": -200_000})  # after November
    assert nonzero(books.balances("2023-12-01")) == december
    assert nonzero(books.balances("2024-01-01")) == CARRIED  # 2024's opening


def nonzero(balances: dict[str, int]) -> dict[str, int]:
    return {a: fen for a, fen in sorted(balances.items()) if fen}


def test_books_opened_on_the_2023_chart_have_nothing_to_carry(world: World) -> None:
    village = world.village()
    world.ledger(village, opened_on="2026-01-01")
    refused("carryover.not_needed", "village_id", carry, world, village, "carry-new")


def test_the_table_refuses_a_balance_it_maps_nowhere() -> None:
    table = carry_over_table()
    assert (table.source_chart, table.target_chart, table.on) == (
        "cas2004",
        "cas2023",
        "2024-01-01",
    )
    with pytest.raises(RuleViolation) as info:
        carried({"102": 300_000, "522": -300_000}, {}, table)  # the year's income not closed
    assert (info.value.code, info.value.details["accounts"]) == ("carryover.unmapped", ["522"])
    with pytest.raises(RuleViolation) as unheard:
        carried({"102": 100, "999": -100}, {}, table)
    assert unheard.value.details["accounts"] == ["999"]
    with pytest.raises(RuleViolation) as idle:
        carried({"102": 100, "301": -100}, {"131": {"131": 0}}, table)
    assert (idle.value.code, idle.value.field) == ("carryover.split", "splits.131")
    # every old account the table maps goes to accounts of the 2023 chart, and every row says
    # where it comes from; none is verified against the appendix of 财会〔2023〕20号 yet
    old, new = (c.accounts for c in charts())
    assert set(table.rows) == set(old)
    assert all(set(r.into) <= set(new) for r in table.rows.values())
    assert {r.source for r in table.rows.values()} == {"name", "secondary", "judgement"}
    assert not any(r.verified for r in table.rows.values())
