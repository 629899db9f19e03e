"""D2 and D8 on SQLite and PostgreSQL: when a quarter's disclosure is due and how long it stays
posted (the district's settings), and what a disclosure may show of the people in it — a person
on the other side by family name only, the mask as long as the name, an organisation in full,
no phone, identity or bank number."""

from __future__ import annotations

import hashlib
import json
import re
from contextlib import closing
from typing import Any

import pytest
from finance.domain.disclosure import due_on
from finance.settings import FinanceSettings
from finance_testing import AGENCY, AUDITOR, Village, World, pair
from shequ.store import Store

PERSON, ORGANISATION = "王大明", "东王家村农机专业合作社"
# what may never appear in a disclosure (D8): mobile numbers, identity and bank card numbers
NUMBERS = re.compile(r"(?<![\d.])(1[3-9]\d{9}|\d{17}[\dXx]|\d{16,19})(?![\d.])")


@pytest.mark.parametrize(
    ("quarter", "day", "due"),
    [
        ("2026Q1", 15, "2026-04-15"),
        ("2026Q2", 15, "2026-07-15"),
        ("2026Q3", 15, "2026-10-15"),
        ("2026Q4", 15, "2027-01-15"),  # the next year's January
        ("2026Q2", 10, "2026-07-10"),
    ],
)
def test_D2_due_by_the_set_day_of_the_next_quarters_first_month(
    quarter: str, day: int, due: str
) -> None:
    assert due_on(quarter, day) == due


def quarter_published(
    world: World, publish_on: str, village: Village | None = None
) -> dict[str, Any]:
    """A village's first quarter of 2026 closed, prepared, reviewed and published on
    ``publish_on`` (a new village unless one with open books is given): what preparing and
    publishing answered."""
    if village is None:
        village = world.village()
        world.ledger(village)
    world.clock.set("2026-04-02")
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    prepared = world.app.prepare_disclosure(
        village.clerk, "prepare-q1", village_id=village.id, period="2026Q1"
    )
    ident = {"disclosure_id": prepared["disclosure_id"]}
    world.app.review_disclosure(village.group, "review-q1", opinion="同意公开", **ident)
    world.clock.set(publish_on)
    return {**prepared, **world.app.publish_disclosure(village.head, "publish-q1", **ident)}


def test_D2_due_on_the_districts_day_and_posted_for_its_days(store: Store) -> None:
    settings = FinanceSettings(periodic_due_day=10, posting_days=20)
    with closing(World(store, settings)) as world:
        out = quarter_published(world, "2026-04-08")
        assert (out["due_on"], out["published_on"], out["posted_until"]) == (
            "2026-04-10",
            "2026-04-08",
            "2026-04-28",
        )
        shown = world.app.disclosure(AUDITOR, out["disclosure_id"])
        assert (shown["due_on"], shown["published_on"]) == ("2026-04-10", "2026-04-08")
        [published] = world.published("disclosure.published")
        assert published["late"] is False


def test_D2_a_due_day_in_a_holiday_moves_to_the_next_working_day(store: Store) -> None:
    """Day 5 of October 2026 falls in the National Day holiday (D9): due on Thursday the 8th;
    published on the 9th it is late."""
    with closing(World(store, FinanceSettings(periodic_due_day=5))) as world:
        assert world.finance.due(due_on("2026Q3", 5)) == "2026-10-08"
        out = quarter_published(world, "2026-04-20")  # Q1: 2026-04-05 (清明) moves to the 7th
        assert (out["due_on"], out["posted_until"]) == ("2026-04-07", "2026-05-05")
        [published] = world.published("disclosure.published")
        assert published["late"] is True


def lease(village_id: str, number: str, party: str, kind: str, decision: str) -> dict[str, Any]:
    return {
        "village_id": village_id, "number": number, "name": "机动地承包合同",
        "counterparty": party, "counterparty_kind": kind, "subject": "村东机动地12.50亩",
        "amount_fen": 1_500_000, "annual_rent_fen": 300_000, "term_start": "2026-05-01",
        "term_end": "2031-04-30", "signed_on": "2026-04-20", "decision_id": decision,
    }  # fmt: skip


def test_D8_a_person_by_family_name_an_organisation_in_full_and_no_numbers(world: World) -> None:
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-04-25")
    decision = world.decision(village, "collective_property", "2026-04-10")
    parties = {"DWJ-2026-11": (PERSON, "person"), "DWJ-2026-12": (ORGANISATION, "organisation")}
    shown = {}
    for number, (party, kind) in parties.items():
        signed = world.app.sign_contract(
            AGENCY, f"contract-{number}", **lease(village.id, number, party, kind, decision)
        )
        content = world.app.disclosure(AUDITOR, signed["disclosure_id"])["content"]
        [row] = content["rows"]
        shown[number] = row["counterparty"]
        text = json.dumps(content, ensure_ascii=False)
        assert PERSON not in text
        assert NUMBERS.search(text) is None, NUMBERS.search(text)
    assert shown == {"DWJ-2026-11": "王**", "DWJ-2026-12": ORGANISATION}
    assert len(shown["DWJ-2026-11"]) == len(PERSON)  # the mask keeps the name's length
    # the contracts list beside the books masks the same way
    listed = world.app.contracts(AUDITOR, village.id)["contracts"]
    assert [c["counterparty"] for c in listed] == ["王**", ORGANISATION]


def test_F10_a_disclosure_of_each_kind_with_its_facts_and_its_events(world: World) -> None:
    """An immediate disclosure of a grant over the threshold, the quarter's periodic one and a
    special one of a contract, in one village; the periodic one prepared, reviewed and
    published, each step a stored event with its actor, its digest the SHA-256 of its content's
    canonical JSON. (The fourth kind, a correction notice, and DisclosureSuperseded: D33.)"""
    village = world.village()
    world.ledger(village)
    world.clock.set("2026-01-10")
    grant = pair("102", "503", 5_000_001)
    world.post(village, "2026-01-09", grant, "收到专项补助")
    out = quarter_published(world, "2026-04-10", village)
    world.clock.set("2026-04-25")
    decision = world.decision(village, "collective_property", "2026-04-10")
    world.app.sign_contract(
        AGENCY, "contract-f10", **lease(village.id, "DWJ-2026-11", PERSON, "person", decision)
    )
    listed = world.app.disclosures(AUDITOR, village.id)["disclosures"]
    assert sorted((d["kind"], d["period"], d["status"]) for d in listed) == [
        ("immediate", "记-2026-001", "prepared"),
        ("periodic", "2026Q1", "published"),
        ("special", "contract:DWJ-2026-11", "prepared"),
    ]
    shown = world.app.disclosure(AUDITOR, out["disclosure_id"])
    canonical = json.dumps(
        shown["content"], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    assert shown["content_sha256"] == hashlib.sha256(canonical.encode()).hexdigest()
    assert (shown["opinion"], shown["published_on"]) == ("同意公开", "2026-04-10")
    aggregate = world.finance.disclosure(out["disclosure_id"])
    stored = world.finance.repository.event_store.get(aggregate.id)
    assert [(type(e).__qualname__, e.actor["person_id"]) for e in stored] == [
        ("Disclosure.Prepared", village.clerk.person_id),
        ("Disclosure.Reviewed", village.group.person_id),
        ("Disclosure.Published", village.head.person_id),
    ]
    [published] = world.published("disclosure.published")
    assert (published["kind"], published["period"], published["content_sha256"]) == (
        "periodic",
        "2026Q1",
        shown["content_sha256"],
    )
