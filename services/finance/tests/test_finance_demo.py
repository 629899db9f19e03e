"""The demo district's books (``shequ.demofinance``), run against the finance application through
its use-case table as the demo runs it over RPC: every village gets a quarter of posted vouchers
(a returned draft and a correction among them), closed months and a published disclosure, and
a villager's objection to a line, answered; a second run stores nothing new."""

from __future__ import annotations

from typing import Any

from finance.usecases import USE_CASES
from finance_testing import AUDITOR, World, new_id
from shequ.actor import Actor
from shequ.demofinance import seed_books


def test_every_village_gets_a_quarter_of_books_and_a_published_disclosure(world: World) -> None:
    villages = [world.village(), world.village()]
    world.clock.set("2026-11-30")

    def call(service: str, method: str, payload: dict[str, Any]) -> Any:
        assert service == "finance"
        args = dict(payload)
        return USE_CASES.call(world.finance, method, Actor.from_dict(args.pop("actor")), **args)

    def day(month: int, dom: int) -> str:
        return f"2026-{7 + month:02d}-{dom:02d}"

    household = new_id()
    world.announce(
        "household.registered",
        household_id=household,
        village_id=villages[0].id,
        head_id=new_id(),
        address="第一组",
        since="2020-01-01",
        sample=True,
    )
    ids = [(villages[0].id, household), (villages[1].id, None)]
    made = seed_books(call, "2026Q3", ids, "2026-07-01", day)
    assert made == {"vouchers": 12, "disclosures": 2, "objections": 1}
    top = world.finance.recorder.max_notification_id()
    assert seed_books(call, "2026Q3", ids, "2026-07-01", day) == made
    assert world.finance.recorder.max_notification_id() == top  # the second run stores nothing
    for village in villages:
        statuses = {
            m: sorted(v["status"] for v in world.app.vouchers(AUDITOR, village.id, m)["vouchers"])
            for m in ("2026-07", "2026-08", "2026-09")
        }
        assert statuses == {
            "2026-07": ["posted", "posted"],
            "2026-08": ["posted", "posted"],
            "2026-09": ["posted", "posted"],
        }
        trail = [
            v
            for v in world.app.vouchers(AUDITOR, village.id, "2026-08")["vouchers"]
            if "误工" in v["summary"]
        ]
        assert len(trail) == 1
        returned = world.app.voucher(AUDITOR, trail[0]["id"])["trail"]
        assert [r.get("approve") for r in returned if r["what"] == "reviewed"][:2] == [True, False]
        tb = world.app.trial_balance(AUDITOR, village.id, "2026-09")
        rows = {r["account"]: r["closing_fen"] for r in tb["rows"]}
        # 125,000.00 + 50,000.00 - 680.00 - 2,400.00 - 12,000.00 (the correction moves, not pays)
        assert rows["102"] == 12_500_000 + 5_000_000 - 68_000 - 240_000 - 1_200_000
        assert (rows["513"], rows["514"]) == (240_000, 1_200_000 + 68_000)
        assert world.app.ledger(AUDITOR, village.id)["closed"] == ["2026-07", "2026-08", "2026-09"]
        [periodic] = world.app.disclosures(AUDITOR, village.id)["disclosures"]
        content = world.app.disclosure(AUDITOR, periodic["disclosure_id"])["content"]
        [resources] = [c for c in content["categories"] if c["key"] == "resources"]
        assert [(r["name"], r["status"], r["date"]) for r in resources["rows"]] == [
            ("村东机动地", "未发包", "2026-07-03"),
            ("南塘", "集体自营", "2026-08-01"),
        ]
    assert [p["period"] for p in world.published("disclosure.published")] == ["2026Q3", "2026Q3"]
    assert [a["on_time"] for a in world.published("objection.answered")] == [True]
