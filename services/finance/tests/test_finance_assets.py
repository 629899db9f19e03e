"""The fixed-asset register (F4) on SQLite and PostgreSQL: an asset registered, moved to another
place or user from a date by an actor of its village, the move refused where the register or
the months do not allow it, and the folded disclosure showing each month where it was then."""

from __future__ import annotations

from typing import Any

import pytest
from finance.domain.common import yuan
from finance.domain.ledger import whereabouts
from finance.report import fold_finance
from finance_testing import AGENCY, AUDITOR, World, new_id, pair, refused
from shequ.errors import Forbidden, NotFound, RuleViolation, ValidationError
from shequ.reports.scope import Scope, parse_period

PUMP = pair("151", "102", 1_800_000)


def events(world: World) -> int:
    return world.finance.recorder.max_notification_id() or 0


def register_pump(world: World) -> tuple[Any, str]:
    """A village whose pump, bought on 2026-01-03, is kept at the well house; its id."""
    village = world.village(name="东王家村")
    world.ledger(village)
    bought, _ = world.posted(village, "2026-01-03", PUMP, "购置灌溉水泵")
    return village, world.pump(village, bought, "2026-01-03", "东王家村机井房")


def kept_at(world: World, village_id: str, period: str) -> dict[str, str]:
    """The disclosure's asset table folded from the stored events: asset name -> location."""
    stored = world.finance.recorder.select_notifications(start=1, limit=10_000)
    domain = [world.finance.mapper.to_domain_event(n) for n in stored]
    scope = Scope("village", village_id, parse_period(period), "2099-01-01T00:00:00+00:00")
    doc = fold_finance(domain, scope)
    assert doc is not None
    rows = next(s["rows"] for s in doc["sections"] if s["key"] == "assets")
    return {r[0]: r[4] for r in rows if r[4]}


def test_F4_an_asset_moves_to_another_user_from_a_date_with_who_moved_it(world: World) -> None:
    village, asset_id = register_pump(world)
    world.clock.set("2026-02-10")
    move = {"village_id": village.id, "asset_id": asset_id, "location": "二号机井房"}
    answer = world.app.transfer_asset(
        village.clerk, "move-pump", **move, transferred_on="2026-02-03"
    )
    assert answer == {
        "asset_id": asset_id,
        "transferred_on": "2026-02-03",
        "location": "二号机井房",
        "user_id": None,
    }
    top = events(world)
    assert (
        world.app.transfer_asset(village.clerk, "move-pump", **move, transferred_on="2026-02-03")
        == answer
    )
    assert events(world) == top  # a repeat answers as the first, stores nothing
    ledger = world.finance.ledger(village.id)
    assert whereabouts(ledger.assets[asset_id], "2026-02-03") == ("二号机井房", None)
    assert whereabouts(ledger.assets[asset_id], "2026-02-02") == ("东王家村机井房", None)
    stored = world.finance.repository.event_store.get(ledger.id)
    moved = [e for e in stored if type(e).__qualname__ == "Ledger.AssetTransferred"]
    assert [(e.asset_id, e.on, e.was, e.location, e.user_id, e.actor) for e in moved] == [
        (
            asset_id,
            "2026-02-03",
            "东王家村机井房",
            "二号机井房",
            None,
            village.clerk.to_dict(),
        )
    ]
    # the register as it stood at each month's end: January where it was bought, then moved
    assert kept_at(world, village.id, "2026-01")["灌溉水泵"] == "东王家村机井房"
    assert kept_at(world, village.id, "2026-02")["灌溉水泵"] == "二号机井房"
    # the books do not move with it: 151 still holds the pump at its original value
    tb = {r["account"]: r for r in world.app.trial_balance(AUDITOR, village.id, "2026-02")["rows"]}
    assert tb["151"]["closing_fen"] == 31_800_000


def test_F4_a_move_refused_stores_nothing(world: World) -> None:
    village, asset_id = register_pump(world)
    other = world.village(name="西王家村")
    world.clock.set("2026-02-10")
    move = {"village_id": village.id, "asset_id": asset_id, "location": "村委会仓库"}
    top = events(world)
    cases: list[tuple[type[Exception], str, str | None, Any, dict[str, Any]]] = [
        (
            RuleViolation,
            "asset.unchanged",
            "location",
            village.clerk,
            {"location": "东王家村机井房"},
        ),
        (
            RuleViolation,
            "asset.not_transferable",
            "transferred_on",
            village.clerk,
            {"transferred_on": "2026-01-02"},
        ),
        (
            RuleViolation,
            "asset.not_transferable",
            "asset_id",
            village.clerk,
            {"asset_id": "5b2d7c1e-0000-5000-8000-000000000099"},
        ),
        (
            ValidationError,
            "invalid",
            "transferred_on",
            village.clerk,
            {"transferred_on": "2026-02-11"},
        ),
        (RuleViolation, "asset.whereabouts", "location", village.clerk, {"location": ""}),
        (
            RuleViolation,
            "asset.unknown_user",
            "user_id",
            village.clerk,
            {"user_id": "5b2d7c1e-0000-5000-8000-000000000098"},
        ),
        (Forbidden, "out_of_scope", "actor", other.clerk, {}),
        (Forbidden, "forbidden", "actor.role", AUDITOR, {}),
        (Forbidden, "forbidden", "actor.role", village.group, {}),
    ]
    for i, (kind, code, field, actor, change) in enumerate(cases):
        args = {**move, "transferred_on": "2026-02-03", **change}
        refused(kind, code, field, world.app.transfer_asset, actor, f"bad-move-{i}", **args)
    with pytest.raises(NotFound):
        world.app.transfer_asset(
            AGENCY, "move-no-books", **{**move, "village_id": other.id}, transferred_on="2026-02-03"
        )
    assert events(world) == top
    # a closed month takes no move dated in it; a disposed asset moves no more
    world.app.close_period(AGENCY, "close-jan", village_id=village.id, period="2026-01")
    refused(
        RuleViolation,
        "period.closed",
        "transferred_on",
        world.app.transfer_asset,
        village.clerk,
        "move-in-closed-month",
        **move,
        transferred_on="2026-01-20",
    )
    world.app.transfer_asset(village.clerk, "move-feb", **move, transferred_on="2026-02-03")
    refused(
        RuleViolation,
        "asset.not_transferable",
        "transferred_on",
        world.app.transfer_asset,
        village.clerk,
        "move-before-last",
        **{**move, "location": "村委会"},
        transferred_on="2026-02-02",
    )
    sold, _ = world.posted(village, "2026-02-05", pair("102", "151", 1_800_000), "出售灌溉水泵")
    world.app.dispose_asset(
        village.clerk,
        "sell-pump",
        village_id=village.id,
        asset_id=asset_id,
        disposed_on="2026-02-05",
        voucher_id=sold,
    )
    refused(
        RuleViolation,
        "asset.not_transferable",
        "asset_id",
        world.app.transfer_asset,
        village.clerk,
        "move-sold",
        **{**move, "location": "村委会"},
        transferred_on="2026-02-06",
    )


def test_F4_D8_the_assets_category_is_the_reports_and_masks_the_user(world: World) -> None:
    """Issue 12: the periodic disclosure's 各项资产 and the report's are one table (the funds
    and other asset accounts, then each fixed asset held at the quarter's end with its place
    and its user); a user is a registry person registered in the village's books, shown by
    family name only; an old move of free text stays a place."""
    village, asset_id = register_pump(world)
    person = new_id()
    world.counterparty(village, "李秀英", person_id=person)
    world.clock.set("2026-02-10")
    move = {"village_id": village.id, "asset_id": asset_id, "transferred_on": "2026-02-03"}
    refused(
        RuleViolation, "asset.unknown_user", "user_id", world.app.transfer_asset, village.clerk,
        "move-to-stranger", **move, location="东王家村机井房", user_id=new_id(),
    )  # fmt: skip
    world.app.transfer_asset(
        village.clerk, "move-to-li", **move, location="东王家村机井房", user_id=person
    )
    world.clock.set("2026-04-10")
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    prepared = world.app.prepare_disclosure(
        village.clerk, "prepare-q1", village_id=village.id, period="2026Q1"
    )
    content = world.app.disclosure(AUDITOR, prepared["disclosure_id"])["content"]
    assets = next(c for c in content["categories"] if c["key"] == "assets")["rows"]
    assert [(r["name"], r["original_fen"], r["place"], r["user"]) for r in assets] == [
        ("102 银行存款", 12_500_000 - 1_800_000, "", ""),
        ("村委会办公楼", 26_000_000, "", ""),
        ("灌溉机井", 4_000_000, "", ""),
        ("灌溉水泵", 1_800_000, "东王家村机井房", "李**"),
    ]
    assert sum(r["original_fen"] for r in assets if r["account"] == "151") == 31_800_000
    stored = world.finance.recorder.select_notifications(start=1, limit=10_000)
    domain = [world.finance.mapper.to_domain_event(n) for n in stored]
    scope = Scope("village", village.id, parse_period("2026Q1"), "2099-01-01T00:00:00+00:00")
    doc = fold_finance(domain, scope)
    assert doc is not None
    reported = next(s["rows"] for s in doc["sections"] if s["key"] == "assets")
    assert reported == [
        [r["name"], r["quantity"], r["unit"], yuan(r["original_fen"], grouped=False), r["place"],
         r["user"]]
        for r in assets
    ]  # fmt: skip
    assert "李秀英" not in str(content) and "李秀英" not in str(doc)
