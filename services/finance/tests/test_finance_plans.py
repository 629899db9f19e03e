"""The annual plan, the distribution and 一事一议 through the use-case table on SQLite and
PostgreSQL (F7, F8, F9), and the income and distribution statement of a year computed by hand
(F40)."""

from __future__ import annotations

import json
from typing import Any

from finance_testing import (
    AUDITOR,
    OPENING,
    PLAN_2026,
    World,
    line,
    new_id,
    pair,
    refused,
    registers_quarter,
)
from shequ.errors import Conflict, RuleViolation


def events(world: World) -> int:
    return world.finance.recorder.max_notification_id() or 0


PLAN = [*PLAN_2026, {"name": "村道修补", "account": "514", "planned_fen": 3_000_000}]


def test_F7_the_plan_adopted_once_and_its_execution_read_from_the_books(world: World) -> None:
    """Q1: 12,000.00 of the 48,000.00 planned income (25.00%), 2,857.00 of 20,000.00 office
    spending (14.285% -> 14.29, half up) and 12,000.00 of 30,000.00 road repairs (40.00%); Q2
    adds another 12,000.00 of income (50.00% to date)."""
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-01-05")
    late = world.decision(village, "general", "2026-01-05")
    adopted = world.decision(village, "general", "2026-01-04")
    adopt = world.app.adopt_plan
    plan = {"village_id": village.id, "year": 2026, "adopted_on": "2026-01-04", "items": PLAN}
    before = events(world)
    refused(
        RuleViolation, "plan.decision_required", "decision_id", adopt, village.clerk, "plan-late",
        decision_id=late, **plan,
    )  # fmt: skip
    bad = {**plan, "items": [*PLAN, {"name": "无此科目", "account": "599", "planned_fen": 1}]}
    refused(
        RuleViolation, "plan.unknown_account", "items.3.account", adopt, village.clerk, "plan-599",
        decision_id=adopted, **bad,
    )  # fmt: skip
    assert events(world) == before
    adopt(village.clerk, "plan-2026", decision_id=adopted, **plan)
    refused(
        Conflict, "plan.exists", "year", adopt, village.clerk, "plan-2026-again",
        decision_id=adopted, **plan,
    )  # fmt: skip
    for day, summary, debit, credit, fen in (
        ("2026-01-20", "机动地发包收入", "102", "501", 1_200_000),
        ("2026-02-03", "发放误工补贴", "513", "102", 240_000),
        ("2026-02-15", "村道修补", "514", "102", 1_200_000),
        ("2026-03-25", "一季度电费", "513", "102", 45_700),
        ("2026-04-10", "机动地发包收入", "102", "501", 1_200_000),
    ):
        world.clock.set(day)
        world.post(village, day, pair(debit, credit, fen), summary)
    q1 = world.app.plan(village.head, village.id, "2026Q1")
    assert q1["adopted"] and q1["decision_id"] == adopted
    assert [
        (i["name"], i["planned_fen"], i["executed_fen"], i["executed_to_date_fen"], i["rate_percent"])
        for i in q1["items"]
    ] == [
        ("机动地发包收入", 4_800_000, 1_200_000, 1_200_000, "25.00"),
        ("办公及误工补贴", 2_000_000, 285_700, 285_700, "14.29"),
        ("村道修补", 3_000_000, 1_200_000, 1_200_000, "40.00"),
    ]  # fmt: skip
    assert q1["totals"] == {
        "planned_fen": 9_800_000,
        "executed_fen": 2_685_700,
        "executed_to_date_fen": 2_685_700,
    }
    q2 = world.app.plan(AUDITOR, village.id, "2026Q2")
    assert [(i["executed_fen"], i["executed_to_date_fen"], i["rate_percent"]) for i in q2["items"]] == [
        (1_200_000, 2_400_000, "50.00"),
        (0, 285_700, "14.29"),
        (0, 1_200_000, "40.00"),
    ]  # fmt: skip
    assert world.app.plan(AUDITOR, village.id, "2027Q1") == {
        "village_id": village.id, "period": "2027Q1", "adopted": False, "adopted_on": None,
        "decision_id": None,
        "items": [], "totals": {"planned_fen": 0, "executed_fen": 0, "executed_to_date_fen": 0},
    }  # fmt: skip


# the opening of finance_testing with 10,000.00 of undistributed income brought forward (322)
WITH_UNDISTRIBUTED = {**OPENING, "301": OPENING["301"] + 1_000_000, "322": -1_000_000}
SHARES = {
    "reserve_fen": 2_000_000,
    "welfare_fen": 500_000,
    "investors_fen": 0,
    "members": {"persons": 400, "per_person_fen": 10_000},
}


def test_F8_F40_the_year_distributed_and_its_income_and_distribution_statement_by_hand(
    world: World,
) -> None:
    """2026: income 24,000.00 (经营收入) + 50,000.00 (补助收入), expense 2,857.00 (管理费用) +
    12,000.00 (公益支出): the year's result 59,143.00; with 10,000.00 brought forward, 69,143.00
    to distribute: 20,000.00 to the reserve, 5,000.00 to welfare, 400 members × 100.00, and
    4,143.00 other. The year's carry-over to 本年收益 leaves the statement as it was."""
    village = world.village()
    world.ledger(village, opening=WITH_UNDISTRIBUTED)
    world.clock.set("2026-12-31")
    for day, summary, debit, credit, fen in (
        ("2026-01-20", "机动地发包收入", "102", "501", 1_200_000),
        ("2026-03-01", "收到运转经费", "102", "503", 5_000_000),
        ("2026-03-25", "办公及误工补贴", "513", "102", 285_700),
        ("2026-06-15", "村道修补", "514", "102", 1_200_000),
        ("2026-07-20", "机动地发包收入", "102", "501", 1_200_000),
    ):
        world.post(village, day, pair(debit, credit, fen), summary)
    decision = world.decision(village, "general", "2026-12-28")
    decide = world.app.decide_distribution
    args = {"village_id": village.id, "year": 2026, "decision_id": decision}
    before = events(world)
    e = _refusal(
        decide, village.clerk, "share-short", distributable_fen=6_914_300, decided_on="2026-12-29",
        **args, **SHARES,
    )  # fmt: skip
    assert (e.code, e.field, e.details) == (
        "distribution.unbalanced",
        "allocations",
        {"difference_fen": -414_300},
    )
    refused(
        RuleViolation, "distribution.decision_required", "decision_id", decide, village.clerk,
        "share-early", distributable_fen=6_914_300, decided_on="2026-12-27", other_fen=414_300,
        **{**args, **SHARES},
    )  # fmt: skip
    assert events(world) == before
    decided = decide(
        village.clerk, "share-2026", distributable_fen=6_914_300, decided_on="2026-12-29",
        other_fen=414_300, **args, **SHARES,
    )  # fmt: skip
    assert decided["members_fen"] == 4_000_000

    def statement() -> dict[str, Any]:
        return world.app.income_distribution(AUDITOR, village.id, 2026)

    s = statement()
    assert [(r["name"], r["amount_fen"]) for r in s["income"]["rows"]] == [
        ("经营收入", 2_400_000),
        ("补助收入", 5_000_000),
    ]
    assert [(r["name"], r["amount_fen"]) for r in s["expense"]["rows"]] == [
        ("管理费用", 285_700),
        ("公益支出", 1_200_000),
    ]
    assert (s["result_fen"], s["brought_forward_fen"], s["distributable_fen"]) == (
        5_914_300,
        1_000_000,
        6_914_300,
    )
    assert [(a["name"], a["amount_fen"]) for a in s["allocations"]] == [
        ("提取公积公益金", 2_000_000),
        ("提取福利费", 500_000),
        ("外来投资分利", 0),
        ("成员分配", 4_000_000),
        ("其他", 414_300),
    ]
    assert (s["allocated_fen"], s["undistributed_fen"], s["booked_allocations_fen"]) == (
        6_914_300,
        0,
        0,
    )
    assert s["checks"] == {"distribution_agrees": True, "books_agree": False}
    # the year-end: income and expense carried to 本年收益, 本年收益 to 收益分配, the shares booked
    carry = [
        line("501", "debit", 2_400_000), line("503", "debit", 5_000_000),
        line("321", "credit", 7_400_000),
    ]  # fmt: skip
    world.post(village, "2026-12-31", carry, "结转本年收入")
    spent = [
        line("321", "debit", 1_485_700), line("513", "credit", 285_700),
        line("514", "credit", 1_200_000),
    ]  # fmt: skip
    world.post(village, "2026-12-31", spent, "结转本年支出")
    world.post(village, "2026-12-31", pair("321", "322", 5_914_300), "结转本年收益")
    shares = [
        line("322", "debit", 6_914_300), line("311", "credit", 2_000_000),
        line("211", "credit", 4_914_300),
    ]  # fmt: skip
    world.post(village, "2026-12-31", shares, "提取公积公益金及分配")
    after = statement()
    assert {k: after[k] for k in ("income", "expense", "result_fen", "distributable_fen")} == {
        k: s[k] for k in ("income", "expense", "result_fen", "distributable_fen")
    }
    assert after["booked_allocations_fen"] == 6_914_300
    assert after["checks"] == {"distribution_agrees": True, "books_agree": True}
    refused(
        Conflict, "distribution.exists", "year", decide, village.clerk, "share-2026-again",
        distributable_fen=6_914_300, decided_on="2026-12-29", other_fen=414_300, **args, **SHARES,
    )  # fmt: skip


def _refusal(fn: Any, *a: Any, **kw: Any) -> RuleViolation:
    try:
        fn(*a, **kw)
    except RuleViolation as e:
        return e
    raise AssertionError("not refused")


def test_F9_pooled_projects_within_the_yearly_caps_and_their_money_from_the_books(
    world: World,
) -> None:
    """Caps 15.00 yuan per person and 10 labour days per labourer a year: the road (10.00, 5
    days) and the lamps (5.00) fit; 6.00 more, or 6 more days, do not. The road's 8,000.00
    raised and 3,000.00 spent come from the lines on 一事一议资金 (231) naming its number."""
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-03-25")
    decision = world.decision(village, "general", "2026-03-05")
    record = world.app.record_pooled_project

    def project(number: str, name: str, fen: int, days: int, **more: Any) -> dict[str, Any]:
        return {
            "village_id": village.id, "number": number, "name": name, "per_person_fen": fen,
            "persons": 820, "labour_days_per_labourer": days, "labourers": 300 if days else 0,
            "decision_id": decision, "decided_on": "2026-03-10", **more,
        }  # fmt: skip

    refused(
        RuleViolation, "pooled.decision_required", "decision_id", record, village.clerk,
        "pooled-no-decision", **project("YSYY-2026-00", "无决议", 100, 0, decision_id=new_id()),
    )  # fmt: skip
    record(village.clerk, "pooled-road", **project("YSYY-2026-01", "村内道路硬化", 1_000, 5))
    before = events(world)
    e = _refusal(record, village.clerk, "pooled-well", **project("YSYY-2026-02", "机井", 600, 0))
    assert (e.code, e.field, e.details) == (
        "pooled.over_cap",
        "per_person_fen",
        {"cap_fen": 1_500, "before_fen": 1_000},
    )
    e = _refusal(record, village.clerk, "pooled-ditch", **project("YSYY-2026-03", "清渠", 0, 6))
    assert (e.code, e.field) == ("pooled.over_cap", "labour_days_per_labourer")
    assert events(world) == before
    record(village.clerk, "pooled-lamps", **project("YSYY-2026-04", "路灯", 500, 0))
    refused(
        Conflict, "pooled.exists", "number", record, village.clerk, "pooled-road-again",
        **project("YSYY-2026-01", "村内道路硬化", 0, 0),
    )  # fmt: skip
    road = "YSYY-2026-01"
    world.post(
        village, "2026-03-20", pair("102", "231", 800_000, contract_no=road), "收一事一议筹资"
    )
    world.post(
        village, "2026-03-24", pair("231", "102", 300_000, contract_no=road), "支付道路工程款"
    )
    world.post(village, "2026-03-24", pair("102", "231", 7_000), "未注明项目的筹资")
    table = world.app.pooled_projects(AUDITOR, village.id, 2026)
    assert [
        (p["number"], p["per_person_fen"], p["due_fen"], p["raised_fen"], p["spent_fen"],
         p["balance_fen"], p["labour_days"])
        for p in table["projects"]
    ] == [
        ("YSYY-2026-01", 1_000, 820_000, 800_000, 300_000, 500_000, 1_500),
        ("YSYY-2026-04", 500, 410_000, 0, 0, 0, 0),
    ]  # fmt: skip
    assert table["totals"] == {
        "due_fen": 1_230_000,
        "raised_fen": 800_000,
        "spent_fen": 300_000,
        "balance_fen": 500_000,
        "labour_days": 1_500,
    }


def test_D1_the_quarter_discloses_the_plan_the_resources_and_the_distribution(
    world: World,
) -> None:
    """2026Q1: the plan (12,000.00 of 48,000.00 income, 25.00%; nothing of 20,000.00 office
    spending yet), the reserve land let from February and the pond still available at the
    quarter's end (requisitioned in April), and 2025's distribution decided in March."""
    village = world.village()
    world.ledger(village)
    ident = registers_quarter(world, village)
    content = world.app.disclosure(AUDITOR, ident["disclosure_id"])["content"]
    cats = {c["key"]: c for c in content["categories"]}
    assert [
        (r["name"], r["planned_fen"], r["executed_fen"], r["rate_percent"])
        for r in cats["plan"]["rows"]
    ] == [
        ("机动地发包收入", 4_800_000, 1_200_000, "25.00"),
        ("办公及误工补贴", 2_000_000, 0, "0.00"),
    ]
    assert [
        (r["type"], r["name"], r["area_mu"], r["status"], r["number"], r["amount_fen"])
        for r in cats["resources"]["rows"]
    ] == [
        ("耕地", "村东机动地", "12.50", "已发包（出租）", "DWJ-2026-01", 300_000),
        ("水面", "南塘", "8.30", "未发包", "", 0),
    ]
    assert cats["resources"]["rows"][0]["contract"]["counterparty"] == "王**"
    assert [(r["summary"], r["amount_fen"]) for r in cats["distribution"]["rows"]] == [
        ("2025 年收益分配·提取公积公益金", 300_000),
        ("2025 年收益分配·提取福利费", 0),
        ("2025 年收益分配·外来投资分利", 0),
        ("2025 年收益分配·成员分配：100 人，每人 70.00 元", 700_000),
        ("2025 年收益分配·其他", 0),
    ]
    assert "王大明" not in json.dumps(content, ensure_ascii=False)
    # published, the rows are on the board and in the public log under their categories
    world.app.review_disclosure(village.group, "review-q1", opinion="同意公开", **ident_of(ident))
    world.app.publish_disclosure(village.head, "publish-q1", **ident_of(ident))
    board = next(
        d
        for d in world.app.public_disclosures(AUDITOR, village.id)["disclosures"]
        if d["kind"] == "periodic"
    )
    shown = {s["key"]: len(s["rows"]) for s in board["sections"]}
    assert (shown["plan"], shown["resources"], shown["distribution"]) == (2, 2, 5)
    assert all(r["log"] for s in board["sections"] if s["key"] == "resources" for r in s["rows"])


def ident_of(prepared: dict[str, Any]) -> dict[str, str]:
    return {"disclosure_id": prepared["disclosure_id"]}
