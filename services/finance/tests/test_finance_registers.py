"""The registers beside the books, through the use-case table on SQLite and PostgreSQL:
counterparties and their subledgers reconciled with the claims accounts at each close (F3,
F31)."""

from __future__ import annotations

from typing import Any

from finance_testing import AGENCY, AUDITOR, OPENING, World, line, new_id, refused
from shequ.errors import Conflict, Forbidden, RuleViolation, ValidationError

# the opening of finance_testing with a claim of 3,000.00 on the co-operative (应收款)
WITH_CLAIM = {**OPENING, "102": OPENING["102"] - 300_000, "112": 300_000}


def events(world: World) -> int:
    return world.finance.recorder.max_notification_id() or 0


def test_F3_a_counterparty_is_registered_once_and_named_only_in_its_village(world: World) -> None:
    village, other = world.village(), world.village()
    world.ledger(village)
    world.ledger(other)
    resident = new_id()
    wang = world.counterparty(village, "王大明", person_id=resident)
    register = world.app.register_counterparty
    before = events(world)
    refused(
        Conflict, "counterparty.exists", "person_id", world.counterparty, village, "王大明",
        person_id=resident,
    )  # fmt: skip
    refused(
        RuleViolation, "counterparty.person_id", "person_id", world.counterparty, village,
        "东王家村农机专业合作社", "organisation", person_id=new_id(),
    )  # fmt: skip
    refused(
        RuleViolation, "counterparty.opening_account", "opening.102", world.counterparty, village,
        "东王家村农机专业合作社", "organisation", opening={"102": 300_000},
    )  # fmt: skip
    args = {"village_id": village.id, "kind": "internal", "name": "第一村民小组"}
    try:
        register(AUDITOR, "party-auditor", **args)
        raise AssertionError("an auditor registered a counterparty")
    except Forbidden:
        pass
    assert events(world) == before  # nothing stored on refusal
    first = register(village.clerk, "party-group-1", **args)
    once = events(world)
    assert register(village.clerk, "party-group-1", **args) == first  # the same answer, once
    assert events(world) == once
    # a voucher line names a counterparty of its own village's books
    elsewhere = world.counterparty(other, "李四")
    for named in (elsewhere, new_id()):
        refused(
            RuleViolation, "voucher.unknown_counterparty", "lines.0.counterparty_id", world.draft,
            village, "2026-01-03",
            [line("112", "debit", 5_000, counterparty_id=named), line("101", "credit", 5_000)],
        )  # fmt: skip
    assert world.draft(
        village,
        "2026-01-03",
        [line("112", "debit", 5_000, counterparty_id=wang), line("101", "credit", 5_000)],
    )


def test_F31_a_month_closes_only_when_each_claims_account_agrees_with_its_subledgers(
    world: World,
) -> None:
    """January 2026: a claim of 3,000.00 on the co-operative brought forward, 500.00 lent to a
    villager, a bill of 800.00 owed to the building-materials shop booked to 应付款 first
    without naming the shop, then moved onto the shop's account."""
    village = world.village()
    world.ledger(village, opening=WITH_CLAIM)
    world.clock.set("2026-01-20")
    villager = world.counterparty(village, "王小二")
    shop = world.counterparty(village, "镇东建材店", "organisation")
    lend = [line("112", "debit", 50_000, counterparty_id=villager), line("102", "credit", 50_000)]
    world.post(village, "2026-01-10", lend, "村民借支")
    owed = [line("514", "debit", 80_000, memo="村道修补材料"), line("211", "credit", 80_000)]
    world.post(village, "2026-01-12", owed, "应付建材款")
    world.clock.set("2026-02-02")
    close = {"village_id": village.id, "period": "2026-01"}
    before = events(world)
    e = refused_with(world, "close-jan-1", close)
    assert e.details == {"account": "112", "books_fen": 350_000, "subledger_fen": 50_000}
    assert events(world) == before  # nothing stored on refusal
    coop = world.counterparty(
        village, "东王家村农机专业合作社", "organisation", opening={"112": 300_000}
    )
    once = events(world)
    e = refused_with(world, "close-jan-2", close)
    assert e.details == {"account": "211", "books_fen": -80_000, "subledger_fen": 0}
    assert "211" in e.message_zh and "211" in e.message_en
    assert events(world) == once
    moved = [line("211", "debit", 80_000), line("211", "credit", 80_000, counterparty_id=shop)]
    world.clock.set("2026-01-31")
    world.post(village, "2026-01-31", moved, "应付款转入往来单位")
    world.clock.set("2026-02-02")
    world.app.close_period(AGENCY, "close-jan-3", **close)
    listed = world.app.counterparties(AUDITOR, village.id, "2026-01")
    assert [
        (r["name"], r["category"], r["opening_fen"], r["increase_fen"], r["decrease_fen"],
         r["closing_fen"])
        for r in listed["rows"]
    ] == [
        ("东王家村农机专业合作社", "应收", 300_000, 0, 0, 300_000),
        ("王**", "应收", 0, 50_000, 0, 50_000),
        ("镇东建材店", "应付", 0, 80_000, 0, 80_000),
    ]  # fmt: skip
    assert {a["account"]: (a["books_fen"], a["reconciled"]) for a in listed["accounts"]} == {
        "112": (350_000, True),
        "113": (0, True),
        "211": (-80_000, True),
        "221": (0, True),
    }
    assert coop in {r["counterparty_id"] for r in listed["rows"]}
    # each counterparty's ledger (往来明细账) starts from its subledger
    journal = world.app.journal
    owed = journal(AUDITOR, village.id, "112", "2026-01", counterparty_id=coop)
    assert ([r["balance_fen"] for r in owed["rows"]], owed["closing_fen"]) == ([300_000], 300_000)
    lent = journal(AUDITOR, village.id, "112", "2026-01", counterparty_id=villager)
    assert [(r.get("debit_fen"), r["balance_fen"]) for r in lent["rows"]] == [
        (None, 0),
        (50_000, 50_000),
    ]
    later = journal(AUDITOR, village.id, "112", "2026-02", counterparty_id=villager)
    assert (later["rows"], later["closing_fen"]) == (
        [{"date": None, "number": None, "summary": "期初余额", "balance_fen": 50_000}],
        50_000,
    )
    refused(
        RuleViolation, "counterparty.opening_closed", "opening", world.counterparty, village,
        "第二村民小组", "internal", opening={"113": 1_000},
    )  # fmt: skip


def refused_with(world: World, key: str, close: dict[str, str]) -> RuleViolation:
    """Closing the month is refused as unreconciled (F31) naming the period; the refusal."""
    try:
        world.app.close_period(AGENCY, key, **close)
    except RuleViolation as e:
        assert (e.code, e.field) == ("period.unreconciled", "period")
        return e
    raise AssertionError("the month closed")


LAND = {
    "type": "cultivated",
    "name": "村东机动地",
    "area_centimu": 1_250,
    "location": "第三村民小组村东",
    "registered_on": "2026-01-05",
}


def lease(village_id: str, number: str, decision_id: str, **subject: str) -> dict[str, Any]:
    """The terms of a five-year lease of ``subject`` to a villager, citing ``decision_id``."""
    return {
        "village_id": village_id,
        "number": number,
        "name": "机动地承包合同",
        "counterparty": "王大明",
        "counterparty_kind": "person",
        "subject": "村东机动地12.50亩",
        "amount_fen": 1_500_000,
        "annual_rent_fen": 300_000,
        "term_start": "2026-05-01",
        "term_end": "2031-04-30",
        "signed_on": "2026-04-20",
        "decision_id": decision_id,
        **subject,
    }


def test_F5_F6_resources_registered_in_hundredths_of_a_mu_and_let_by_one_contract(
    world: World,
) -> None:
    village, other = world.village(), world.village()
    world.ledger(village)
    world.ledger(other)
    register = world.app.register_resource
    before = events(world)
    for field, bad in (("type", "moon"), ("area_centimu", 0), ("area_centimu", 12.5)):
        refused(
            ValidationError, "invalid", field, register, village.clerk, "resource-bad",
            village_id=village.id, **{**LAND, field: bad},
        )  # fmt: skip
    refused(
        ValidationError, "invalid", "registered_on", register, village.clerk, "resource-future",
        village_id=village.id, **{**LAND, "registered_on": "2026-01-06"},
    )  # fmt: skip
    assert events(world) == before
    land = register(village.clerk, "resource-land", village_id=village.id, **LAND)
    assert register(village.clerk, "resource-land", village_id=village.id, **LAND) == land
    land_id = land["resource_id"]
    pond = register(
        village.clerk, "resource-pond", village_id=village.id,
        **{**LAND, "type": "water", "name": "南塘", "area_centimu": 830, "location": "村南"},
    )  # fmt: skip
    theirs = register(other.clerk, "resource-theirs", village_id=other.id, **LAND)
    world.clock.set("2026-04-25")
    decision = world.decision(village, "collective_property", "2026-04-10")
    sign = world.app.sign_contract
    # a contract lets one subject of its own village's registers
    asset_id = next(iter(world.finance.ledger(village.id).assets))
    for n, subject in enumerate(
        (
            {"resource_id": theirs["resource_id"]},
            {"resource_id": land_id, "asset_id": asset_id},
            {"asset_id": new_id()},
        )
    ):
        refused(
            RuleViolation, "contract.subject_unavailable", next(reversed(subject)), sign, AGENCY,
            f"contract-subject-{n}", **lease(village.id, f"DWJ-2026-0{n}", decision, **subject),
        )  # fmt: skip
    before = events(world)
    sign(AGENCY, "contract-land", **lease(village.id, "DWJ-2026-11", decision, resource_id=land_id))
    refused(
        RuleViolation, "contract.subject_unavailable", "resource_id", sign, AGENCY,
        "contract-land-again", **lease(village.id, "DWJ-2026-12", decision, resource_id=land_id),
    )  # fmt: skip
    sign(
        AGENCY, "contract-building", **lease(village.id, "DWJ-2026-13", decision, asset_id=asset_id)
    )
    shown = world.app.resources(village.head, village.id)
    assert [
        (r["type_name"], r["name"], r["area_mu"], r["status"], r["contract"]) for r in shown["resources"]
    ] == [
        ("耕地", "村东机动地", "12.50", "contracted", {
            "number": "DWJ-2026-11", "counterparty": "王**", "term_start": "2026-05-01",
            "term_end": "2031-04-30", "annual_rent_fen": 300_000,
        }),
        ("水面", "南塘", "8.30", "available", None),
    ]  # fmt: skip
    assert (shown["area_centimu"], shown["area_by_type_centimu"]) == (
        2_080,
        {"cultivated": 1_250, "water": 830},
    )
    # status: never "contracted" but by a contract, never back from a requisition
    change = world.app.change_resource_status
    pond_id = pond["resource_id"]
    refused(
        RuleViolation, "resource.status", "status", change, village.clerk, "pond-let",
        resource_id=pond_id, status="contracted", on="2026-04-25",
    )  # fmt: skip
    change(
        village.clerk, "pond-taken", resource_id=pond_id, status="requisitioned", on="2026-04-24"
    )
    refused(
        RuleViolation, "resource.status", "status", change, village.clerk, "pond-back",
        resource_id=pond_id, status="available", on="2026-04-25",
    )  # fmt: skip
    refused(
        Forbidden, "out_of_scope", "actor", change, other.clerk, "pond-theirs",
        resource_id=pond_id, status="self_operated", on="2026-04-25",
    )  # fmt: skip
    assert world.app.resources(AUDITOR, village.id)["resources"][1]["status"] == "requisitioned"
    assert events(world) > before
