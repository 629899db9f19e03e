"""Special disclosures (专项公开, D4) through the use-case table on SQLite and PostgreSQL: one
prepared by each event (a contract signed, a 一事一议 project decided, land compensation
recorded), masked (D8), reviewed and published like the others into the public log; and one per
topic and quarter as a table, computed by hand."""

from __future__ import annotations

import json
from typing import Any

from finance.overdue import record_overdue
from finance_testing import AGENCY, AUDITOR, World, line, new_id, pair, refused
from shequ.errors import Conflict, NotFound, RuleViolation


def events(world: World) -> int:
    return world.finance.recorder.max_notification_id() or 0


def lease(village_id: str, number: str, decision_id: str, **more: Any) -> dict[str, Any]:
    """A five-year lease of the village's reserve land to a villager."""
    return {
        "village_id": village_id, "number": number, "name": "机动地承包合同",
        "counterparty": "王大明", "counterparty_kind": "person", "subject": "村东机动地12.50亩",
        "amount_fen": 1_500_000, "annual_rent_fen": 300_000, "term_start": "2026-05-01",
        "term_end": "2031-04-30", "signed_on": "2026-04-20", "decision_id": decision_id, **more,
    }  # fmt: skip


COMPENSATION = {
    "batch": "ZD-2026-01",
    "area_centimu": 1_250,
    "total_fen": 37_500_000,
    "retained_fen": 7_500_000,
    "distributed_fen": 30_000_000,
    "households": 36,
    "approved_on": "2026-04-24",
}


def test_D4_each_event_prepares_its_special_disclosure_masked_and_published_into_the_log(
    world: World,
) -> None:
    village, other = world.village(), world.village()
    world.ledger(village)
    world.ledger(other)
    world.clock.set("2026-04-25")  # a Saturday: five days on is Thursday 2026-04-30
    decision = world.decision(village, "collective_property", "2026-04-10")
    signed = world.app.sign_contract(
        AGENCY, "contract-lease", **lease(village.id, "DWJ-2026-11", decision)
    )
    contract = world.app.disclosure(AUDITOR, signed["disclosure_id"])
    assert (contract["kind"], contract["period"], contract["due_on"], contract["status"]) == (
        "special", "contract:DWJ-2026-11", "2026-04-30", "prepared",
    )  # fmt: skip
    [row] = contract["content"]["rows"]
    assert (row["counterparty"], row["amount_fen"], row["annual_rent_fen"]) == (
        "王**",
        1_500_000,
        300_000,
    )
    assert "王大明" not in json.dumps(contract["content"], ensure_ascii=False)  # D8
    pooled = world.app.record_pooled_project(
        village.clerk, "pooled-road", village_id=village.id, number="YSYY-2026-01",
        name="村内道路硬化", per_person_fen=1_000, persons=820, labour_days_per_labourer=5,
        labourers=300, decision_id=world.decision(village, "general", "2026-04-11"),
        decided_on="2026-04-12",
    )  # fmt: skip
    road = world.app.disclosure(AUDITOR, pooled["disclosure_id"])["content"]
    assert (road["title"], road["total_fen"]) == ("一事一议（专项）", 820_000)
    assert [(r["number"], r["due_fen"], r["labour_days"]) for r in road["rows"]] == [
        ("YSYY-2026-01", 820_000, 1_500)
    ]
    # land compensation: the whole is what is kept and what is paid out; the land requisitioned
    land = world.app.register_resource(
        village.clerk, "resource-land", village_id=village.id, type="cultivated",
        name="村东机动地", area_centimu=1_250, location="第三村民小组", registered_on="2026-01-05",
    )["resource_id"]  # fmt: skip
    theirs = world.app.register_resource(
        other.clerk, "resource-theirs", village_id=other.id, type="forest", name="后山林地",
        area_centimu=5_000, location="后山", registered_on="2026-01-05",
    )["resource_id"]  # fmt: skip
    record = world.app.record_land_compensation
    before = events(world)
    refused(
        RuleViolation, "compensation.unbalanced", "distributed_fen", record, village.clerk,
        "land-short", village_id=village.id, **{**COMPENSATION, "distributed_fen": 29_999_999},
    )  # fmt: skip
    refused(
        RuleViolation, "compensation.resource", "resource_id", record, village.clerk,
        "land-theirs", village_id=village.id, resource_id=theirs, **COMPENSATION,
    )  # fmt: skip
    refused(
        NotFound, "not_found", "resource_id", record, village.clerk, "land-nowhere",
        village_id=village.id, resource_id=new_id(), **COMPENSATION,
    )  # fmt: skip
    assert events(world) == before
    taken = record(
        village.clerk, "land-2026-01", village_id=village.id, resource_id=land, **COMPENSATION
    )
    assert (
        record(
            village.clerk, "land-2026-01", village_id=village.id, resource_id=land, **COMPENSATION
        )
        == taken
    )
    refused(
        Conflict, "compensation.exists", "batch", record, village.clerk, "land-2026-01-again",
        village_id=village.id, **COMPENSATION,
    )  # fmt: skip
    assert world.app.resources(AUDITOR, village.id)["resources"][0]["status"] == "requisitioned"
    ident = {"disclosure_id": taken["disclosure_id"]}
    shown = world.app.disclosure(AUDITOR, **ident)["content"]
    assert [
        (r["number"], r["area_mu"], r["amount_fen"], r["retained_fen"], r["distributed_fen"],
         r["households"])
        for r in shown["rows"]
    ] == [("ZD-2026-01", "12.50", 37_500_000, 7_500_000, 30_000_000, 36)]  # fmt: skip
    world.app.review_disclosure(
        village.group, "review-land", opinion="补偿款已足额到账，同意公开", **ident
    )
    world.app.publish_disclosure(village.head, "publish-land", **ident)
    [published] = world.published("disclosure.published")
    assert (published["kind"], published["period"], published["late"]) == (
        "special", "land:ZD-2026-01", False,
    )  # fmt: skip
    [board] = world.app.public_disclosures(AUDITOR, village.id)["disclosures"]
    [section] = board["sections"]
    assert (section["key"], section["title"], len(section["rows"])) == (
        "land",
        "征地补偿（专项）",
        1,
    )
    assert section["rows"][0]["log"] is not None  # the line is in the public disclosure log


def test_D4_a_quarter_of_contracts_as_a_table_computed_by_hand(world: World) -> None:
    """2026Q2: the villager's lease runs from May (2 months of 3,000.00 a year: 500.00 due,
    300.00 received on a voucher naming it, 200.00 owed); the co-operative's from April (3
    months of 1,000.02 a year: 250.005 -> 250.01 due, half up, nothing received); a lease signed
    in July is not in the quarter."""
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-04-25")
    decision = world.decision(village, "collective_property", "2026-04-10")
    sign = world.app.sign_contract
    sign(AGENCY, "contract-villager", **lease(village.id, "DWJ-2026-11", decision))
    sign(
        AGENCY, "contract-coop",
        **lease(village.id, "DWJ-2026-12", decision, counterparty="东王家村农机专业合作社",
                counterparty_kind="organisation", annual_rent_fen=100_002,
                term_start="2026-04-01", term_end="2027-03-31", signed_on="2026-04-22"),
    )  # fmt: skip
    world.clock.set("2026-05-10")
    rent = [
        line("102", "debit", 30_000),
        line("501", "credit", 30_000, contract_no="DWJ-2026-11", memo="机动地租金"),
    ]
    world.post(village, "2026-05-10", rent, "收到机动地租金")
    world.clock.set("2026-07-02")
    sign(
        AGENCY,
        "contract-july",
        **lease(
            village.id, "DWJ-2026-13", decision, signed_on="2026-07-01", term_start="2026-07-01"
        ),
    )
    prepare = world.app.prepare_special
    ask = {"village_id": village.id, "topic": "contract", "period": "2026Q2"}
    refused(
        RuleViolation,
        "disclosure.period_open",
        "period",
        prepare,
        village.clerk,
        "special-early",
        **ask,
    )
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    prepared = prepare(village.clerk, "special-contracts-q2", **ask)
    assert prepared["due_on"] == "2026-07-15"
    table = world.app.disclosure(AUDITOR, prepared["disclosure_id"])["content"]
    assert [
        (r["number"], r["counterparty"], r["due_fen"], r["received_fen"], r["arrears_fen"])
        for r in table["rows"]
    ] == [
        ("DWJ-2026-11", "王**", 50_000, 30_000, 20_000),
        ("DWJ-2026-12", "东王家村农机专业合作社", 25_001, 0, 25_001),
    ]
    refused(Conflict, "disclosure.exists", "period", prepare, village.clerk, "special-again", **ask)
    empty = prepare(village.clerk, "special-pooled-q2", **{**ask, "topic": "pooled"})
    nothing = world.app.disclosure(AUDITOR, empty["disclosure_id"])["content"]
    assert (nothing["rows"], nothing["note"], nothing["total_fen"]) == ([], "本期无此类事项", 0)


def test_D4_construction_projects_disclosed_when_registered_and_settled_and_by_quarter(
    world: World,
) -> None:
    """The road: contract price 286,000.00; 100,000.00 paid in March and 80,000.00 in May on
    lines naming it (5,000.00 of 在建工程 naming nothing is not its); settled in May at
    289,500.00, 3,500.00 over the contract price."""
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-03-10")
    decision = world.decision(village, "general", "2026-03-05")
    register = world.app.register_project
    road = {
        "village_id": village.id, "number": "GC-2026-01", "name": "村内主干道硬化",
        "budget_fen": 30_000_000, "tender": "invited", "builder": "县交通建设有限公司",
        "contract_price_fen": 28_600_000, "decided_on": "2026-03-10",
    }  # fmt: skip
    refused(
        RuleViolation, "project.decision_required", "decision_id", register, village.clerk,
        "project-no-decision", decision_id=new_id(), **road,
    )  # fmt: skip
    registered = register(village.clerk, "project-road", decision_id=decision, **road)
    [row] = world.app.disclosure(AUDITOR, registered["disclosure_id"])["content"]["rows"]
    assert (row["tender"], row["paid_fen"], row["final_fen"]) == ("邀请招标", 0, None)
    refused(
        Conflict, "project.exists", "number", register, village.clerk, "project-road-again",
        decision_id=decision, **road,
    )  # fmt: skip
    register(
        village.clerk, "project-well", decision_id=decision,
        **{**road, "number": "GC-2026-02", "name": "机井维修", "budget_fen": 800_000,
           "tender": "direct", "builder": "李建国", "builder_kind": "person",
           "contract_price_fen": 750_000},
    )  # fmt: skip
    world.clock.set("2026-03-20")
    works = [
        line("153", "debit", 10_000_000, contract_no="GC-2026-01"),
        line("102", "credit", 10_000_000),
    ]
    world.post(village, "2026-03-20", works, "支付道路工程进度款")
    world.post(
        village,
        "2026-03-20",
        pair("153", "102", 500_000),
        "零星工程",
    )
    world.clock.set("2026-04-02")
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    ask = {"village_id": village.id, "topic": "project"}
    q1 = world.app.prepare_special(village.clerk, "special-projects-q1", period="2026Q1", **ask)
    rows = world.app.disclosure(AUDITOR, q1["disclosure_id"])["content"]["rows"]
    assert [(r["number"], r["builder"], r["paid_fen"], r["final_fen"]) for r in rows] == [
        ("GC-2026-01", "县交通建设有限公司", 10_000_000, None),
        ("GC-2026-02", "李**", 0, None),
    ]
    world.clock.set("2026-05-31")
    works = [
        line("153", "debit", 8_000_000, contract_no="GC-2026-01"),
        line("102", "credit", 8_000_000),
    ]
    world.post(village, "2026-05-15", works, "支付道路工程款")
    settle = world.app.settle_project
    done = settle(village.clerk, "project-road-final", village_id=village.id, number="GC-2026-01",
                  final_fen=28_950_000, settled_on="2026-05-31")  # fmt: skip
    assert done["paid_fen"] == 18_000_000
    final = world.app.disclosure(AUDITOR, done["disclosure_id"])
    assert final["period"] == "settled:GC-2026-01"
    assert [(r["final_fen"], r["difference_fen"]) for r in final["content"]["rows"]] == [
        (28_950_000, 350_000)
    ]
    refused(
        RuleViolation, "project.not_settleable", "settled_on", settle, village.clerk,
        "project-road-final-2", village_id=village.id, number="GC-2026-01", final_fen=1,
        settled_on="2026-05-31",
    )  # fmt: skip
    world.clock.set("2026-07-02")
    for month in ("2026-04", "2026-05", "2026-06"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    q2 = world.app.prepare_special(village.clerk, "special-projects-q2", period="2026Q2", **ask)
    rows = world.app.disclosure(AUDITOR, q2["disclosure_id"])["content"]["rows"]
    assert [(r["number"], r["paid_fen"], r["final_fen"], r["difference_fen"]) for r in rows] == [
        ("GC-2026-01", 18_000_000, 28_950_000, 350_000),
        ("GC-2026-02", 0, None, None),
    ]


def test_D4_D7_a_special_disclosure_unpublished_past_its_due_date_is_recorded_overdue_once(
    world: World,
) -> None:
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-04-25")
    decision = world.decision(village, "collective_property", "2026-04-10")
    world.app.sign_contract(AGENCY, "contract-lease", **lease(village.id, "DWJ-2026-11", decision))
    world.clock.set("2026-04-30")  # due today: not overdue yet
    record_overdue(world.finance)
    assert [o for o in world.published("disclosure.overdue") if o["kind"] == "special"] == []
    world.clock.set("2026-05-01")
    record_overdue(world.finance)
    record_overdue(world.finance)
    late = [o for o in world.published("disclosure.overdue") if o["kind"] == "special"]
    assert [(o["period"], o["due_on"]) for o in late] == [("contract:DWJ-2026-11", "2026-04-30")]
