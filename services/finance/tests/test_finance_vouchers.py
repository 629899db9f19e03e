"""F2 on SQLite and PostgreSQL: a voucher's life through the use-case table — drafted, amended,
submitted, returned with its reason, amended again, resubmitted, reviewed and posted; another
drafted and voided — each step one stored event of the voucher, in order, with its actor, and
the read model following every step."""

from __future__ import annotations

from typing import Any

from finance_testing import AGENCY, AUDITOR, World, line, refused
from shequ.errors import Forbidden, RuleViolation

OFFICE = [line("513", "debit", 12_000, memo="办公用品"), line("102", "credit", 12_000)]
OFFICE_FIXED = [line("513", "debit", 11_800, memo="办公用品"), line("102", "credit", 11_800)]


def stored(world: World, voucher_id: str) -> list[tuple[str, Any]]:
    """The voucher's stored events: (name, who) in order."""
    events = world.finance.repository.event_store.get(world.finance.voucher(voucher_id).id)
    return [(type(e).__qualname__, e.actor["person_id"]) for e in events]


def status(world: World, village_id: str, voucher_id: str) -> tuple[str, str | None]:
    rows = world.app.vouchers(AUDITOR, village_id, "2026-01")["vouchers"]
    found = next(r for r in rows if r["id"] == voucher_id)
    return found["status"], found["number"]


def test_F2_a_voucher_drafted_amended_submitted_returned_and_posted_event_by_event(
    world: World,
) -> None:
    village = world.village()
    world.ledger(village)
    clerk = village.clerk.person_id
    voucher_id = world.draft(village, "2026-01-03", OFFICE, "购买办公用品")
    assert status(world, village.id, voucher_id) == ("draft", None)
    amend = {
        "voucher_id": voucher_id,
        "voucher_date": "2026-01-04",
        "summary": "购买办公用品（更正金额）",
        "lines": OFFICE_FIXED,
        "handler_id": clerk,
    }
    world.app.amend_draft(village.clerk, "amend-first", **amend)
    world.review(village, voucher_id, upto=1)
    assert status(world, village.id, voucher_id) == ("submitted", None)
    refused(
        RuleViolation,
        "voucher.not_editable",
        "voucher_id",
        world.app.amend_draft,
        village.clerk,
        "amend-in-review",
        **amend,
    )
    world.send_back(village, voucher_id, "finance_group", "缺少发票")
    assert status(world, village.id, voucher_id) == ("returned", None)
    world.app.amend_draft(
        village.clerk, "amend-second", **{**amend, "summary": "购买办公用品（补发票）"}
    )
    world.review(village, voucher_id)
    answer = world.app.post_voucher(AGENCY, "post-first", voucher_id=voucher_id)
    assert answer["number"] == "记-2026-001"
    assert status(world, village.id, voucher_id) == ("posted", "记-2026-001")
    shown = world.app.voucher(AUDITOR, voucher_id)
    assert (shown["voucher_date"], shown["summary"]) == ("2026-01-04", "购买办公用品（补发票）")
    assert [x["amount_fen"] for x in shown["lines"]] == [11_800, 11_800]
    r = village.reviewers
    assert stored(world, voucher_id) == [
        ("Voucher.Drafted", clerk),
        ("Voucher.Amended", clerk),
        ("Voucher.Submitted", clerk),
        ("Voucher.Reviewed", r["clerk_check"].person_id),
        ("Voucher.Reviewed", village.group.person_id),  # the opinion, then the return
        ("Voucher.Returned", village.group.person_id),
        ("Voucher.Amended", clerk),
        ("Voucher.Submitted", clerk),
        *[("Voucher.Reviewed", r[s].person_id) for s in world.finance.settings.review_stages],
        ("Voucher.Posted", AGENCY.person_id),
    ]
    refused(
        RuleViolation,
        "voucher.not_editable",
        "voucher_id",
        world.app.void_draft,
        village.clerk,
        "void-posted",
        voucher_id=voucher_id,
        reason="误填",
    )


def test_F2_a_draft_voided_with_its_reason_changes_no_more(world: World) -> None:
    village = world.village()
    world.ledger(village)
    voucher_id = world.draft(village, "2026-01-03", OFFICE)
    out = world.app.void_draft(
        village.clerk, "void-first", voucher_id=voucher_id, reason="重复填制"
    )
    assert out == {"voucher_id": voucher_id, "status": "voided"}
    assert status(world, village.id, voucher_id) == ("voided", None)
    assert stored(world, voucher_id) == [
        ("Voucher.Drafted", village.clerk.person_id),
        ("Voucher.Voided", village.clerk.person_id),
    ]
    for i, (method, args) in enumerate(
        ((world.app.submit_voucher, {}), (world.app.void_draft, {"reason": "再次作废"}))
    ):
        refused(
            RuleViolation,
            "voucher.not_editable",
            "voucher_id",
            method,
            village.clerk,
            f"after-void-{i}",
            voucher_id=voucher_id,
            **args,
        )
    assert len(stored(world, voucher_id)) == 2


def test_F25_a_posting_loads_no_more_of_a_long_ledger_than_of_a_new_one(
    world: World, monkeypatch: Any
) -> None:
    """Issue 12 (posting slowed as the books grew): posting loads the ledger from its latest
    snapshot (one every 20 events, ADR 0036 §10), so the ledger events a posting decodes stay
    under 22 from the first voucher to the 60th (without snapshots the 60th decodes 120)."""
    village = world.village(name="东王家村")
    world.ledger(village)
    decoded: list[str] = []
    original = world.finance.mapper.to_domain_event

    def counting(stored: Any) -> Any:
        decoded.append(stored.topic)
        return original(stored)

    monkeypatch.setattr(world.finance.mapper, "to_domain_event", counting)
    world.clock.set("2026-01-28")
    loaded = []
    for _ in range(60):
        voucher = world.draft(village, "2026-01-10", OFFICE)
        world.review(village, voucher)
        decoded.clear()
        world.app.post_voucher(AGENCY, world.key("post"), voucher_id=voucher)
        loaded.append(sum("Ledger" in topic for topic in decoded))
    assert world.finance.ledger(village.id).version > 120
    assert max(loaded) <= 21, loaded


def test_F21_F3_what_a_voucher_may_name_on_its_date(world: World) -> None:
    """The entry form's pickers: the leaf accounts of the chart in force on the voucher's
    date, and the counterparties of the village's books (a person by family name only)."""
    village = world.village()
    world.ledger(village)
    coop = world.counterparty(village, "东王家村农机专业合作社", "organisation")
    person = world.counterparty(village, "张三丰")
    old = world.app.voucher_options(village.clerk, village_id=village.id, on="2023-12-31")
    new = world.app.voucher_options(village.clerk, village_id=village.id, on="2024-01-01")
    assert (old["chart"], new["chart"]) == ("cas2004", "cas2023")
    names = {a["code"]: a["name"] for a in new["accounts"]}
    assert names["101"] == "库存现金" and names["513"]
    assert all(not other.startswith(code + ".") for code in names for other in names)  # leaves
    assert {(p["counterparty_id"], p["name"]) for p in new["counterparties"]} == {
        (coop, "东王家村农机专业合作社"),
        (person, "张**"),
    }
    other = world.village()
    refused(
        Forbidden,
        "out_of_scope",
        "actor",
        world.app.voucher_options,
        village.clerk,
        village_id=other.id,
        on="2024-01-01",
    )
