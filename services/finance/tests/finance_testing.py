"""Helpers for the finance tests (kept out of conftest so test modules can import them).

``World`` is a Finance application with a controlled clock, fed registry envelopes through the
platform's real ``Inbox``; only the inbox's ports are faked (nothing to pull, dead letters in a
list). ``Village`` holds one village's people, each an actor of their role in that village."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from finance.application import Finance
from finance.contracts import translate
from finance.interests import CASEWORK, REGISTRY
from finance.reactions import CaseworkReactions, RegistryReactions
from finance.settings import FinanceSettings
from finance.usecases import USE_CASES
from shequ.actor import Actor
from shequ.clock import FixedClock
from shequ.errors import ShequError
from shequ.inbox import Inbox
from shequ.outbox import envelopes_after
from shequ.store import Store
from shequ.testing import Chain, MemoryDeadLetters

STAFF = Actor(person_id="staff-1", role="district_staff")
AUDITOR = Actor(person_id="auditor-1", role="auditor")
AGENCY = Actor(person_id="agency-1", role="agency_accountant")
OPENING = {"102": 12_500_000, "151": 30_000_000, "301": -42_500_000}
# the fixed assets behind the opening balance of 151 (F31)
ASSETS = [
    {"name": "村委会办公楼", "unit": "栋", "original_fen": 26_000_000, "acquired_on": "2012-06-30"},
    {
        "name": "灌溉机井",
        "quantity": 4,
        "unit": "眼",
        "original_fen": 4_000_000,
        "acquired_on": "2018-04-01",
    },
]


def refused(
    kind: type[ShequError], code: str, field: str | None, fn: Any, *a: Any, **kw: Any
) -> None:
    """``fn`` refuses with ``kind``, naming its rule (``code``) and the field."""
    with pytest.raises(kind) as info:
        fn(*a, **kw)
    assert (info.value.code, info.value.field) == (code, field)


def new_id() -> str:
    return str(uuid.uuid4())


def line(account: str, side: str, fen: int, **more: Any) -> dict[str, Any]:
    return {"account": account, "side": side, "amount_fen": fen, **more}


def pair(debit: str, credit: str, fen: int, **more: Any) -> list[dict[str, Any]]:
    """The two lines of a voucher moving ``fen`` from ``credit`` to ``debit``."""
    return [line(debit, "debit", fen, **more), line(credit, "credit", fen, **more)]


class Village:
    """A village the registry announced, with its clerk, a second clerk, a 民主理财小组 member
    and its head, each an actor of that village."""

    def __init__(self, village_id: str, community_id: str) -> None:
        self.id, self.community_id = village_id, community_id

        def actor(role: str) -> Actor:
            return Actor(person_id=new_id(), role=role, village_id=village_id)

        self.clerk = actor("finance_clerk")
        self.clerk2 = actor("finance_clerk")
        self.group = actor("finance_group")
        self.head = actor("village_head")

    @property
    def reviewers(self) -> dict[str, Actor]:
        return {
            "clerk_check": self.clerk2,
            "finance_group": self.group,
            "village_head": self.head,
            "agency": AGENCY,
        }


class World:
    """A finance app plus a fake registry upstream. ``world.app`` is the application seen
    through its use-case table (``USE_CASES.bind``): use cases are its methods, checked as
    over RPC; ``world.finance`` is the application itself."""

    def __init__(self, store: Store, settings: FinanceSettings | None = None) -> None:
        self.clock = FixedClock("2026-01-05")
        self.finance = Finance(store, settings, clock=self.clock)
        self.app = USE_CASES.bind(self.finance)
        self.dead = MemoryDeadLetters()
        inbox = Inbox(
            "finance",
            "registry",
            self.finance,
            RegistryReactions(self.finance),
            lambda a, n: [],
            self.dead,
            2,
            REGISTRY,
        )
        self.inbox = inbox
        staff = {"person_id": "staff-1", "role": "district_staff"}
        self.chain = Chain("registry", staff, "2025-01-01T00:00:00+00:00", event_prefix="x")
        self.casework = Inbox(
            "finance",
            "casework",
            self.finance,
            CaseworkReactions(self.finance),
            lambda a, n: [],
            self.dead,
            2,
            CASEWORK,
        )
        self.casework_chain = Chain(
            "casework", staff, "2025-01-01T00:00:00+00:00", event_prefix="c"
        )
        self.keys = 0

    def close(self) -> None:
        self.finance.close()

    def key(self, what: str) -> str:
        self.keys += 1
        return f"{what}-{self.keys:06d}"

    def announce(self, contract: str, **data: Any) -> str:
        return self.inbox.process(self.chain.next(contract, data))

    def decision(self, village: Village, matter_type: str, published_on: str) -> str:
        """A village decision whose resolution casework published; its id."""
        decision_id = new_id()
        data = {
            "decision_id": decision_id,
            "case_id": new_id(),
            "community_id": village.community_id,
            "village_id": village.id,
            "title": "村集体机动地对外发包",
            "matter_type": matter_type,
            "published_on": published_on,
            "text": "经村民代表会议表决通过",
        }
        self.casework.process(self.casework_chain.next("decision.resolution_published", data))
        return decision_id

    def village(
        self,
        community_id: str | None = None,
        name: str = "东王家村（示例）",
        village_id: str | None = None,
    ) -> Village:
        """A village the registry announced, in a community (``village_id``: the registry's
        id another service's test already knows it by)."""
        village = Village(village_id or new_id(), community_id or new_id())
        self.announce(
            "village.registered",
            village_id=village.id,
            name=name,
            community_id=village.community_id,
            registered_on="2024-01-01",
            sample=True,
        )
        return village

    def ledger(
        self,
        village: Village,
        opened_on: str = "2026-01-01",
        opening: dict[str, int] = OPENING,
        assets: list[dict[str, Any]] = ASSETS,
    ) -> dict[str, Any]:
        """The village's books opened by the agency with ``opening`` balances and ``assets``
        on the fixed-asset register."""
        return self.app.open_ledger(
            AGENCY,
            self.key("ledger"),
            village_id=village.id,
            opened_on=opened_on,
            opening=opening,
            assets=assets,
        )

    def draft(
        self,
        village: Village,
        day: str,
        lines: list[dict[str, Any]],
        summary: str = "购买办公用品",
        **more: Any,
    ) -> str:
        """A voucher the clerk drafted and handled; ``more``: its other fields (``kind``,
        ``corrects``, ``decision_id``…)."""
        out = self.app.draft_voucher(
            village.clerk,
            self.key("voucher"),
            village_id=village.id,
            voucher_date=day,
            summary=summary,
            lines=lines,
            handler_id=village.clerk.person_id,
            **more,
        )
        return str(out["voucher_id"])

    def review(self, village: Village, voucher_id: str, upto: int = 4) -> None:
        """Submit and approve the first ``upto`` stages, in the settings' order."""
        self.app.submit_voucher(village.clerk, self.key("submit"), voucher_id=voucher_id)
        for stage in self.finance.settings.review_stages[:upto]:
            self.decide(village, voucher_id, stage, "approve", "同意")

    def send_back(self, village: Village, voucher_id: str, stage: str, reason: str) -> None:
        """The reviewer of ``stage`` returns the voucher to the clerk with ``reason``."""
        self.decide(village, voucher_id, stage, "return", reason)

    def decide(
        self, village: Village, voucher_id: str, stage: str, outcome: str, opinion: str
    ) -> None:
        """The review of ``stage`` by the village's reviewer of that stage."""
        self.app.review_voucher(
            village.reviewers[stage],
            self.key("review"),
            voucher_id=voucher_id,
            stage=stage,
            outcome=outcome,
            opinion=opinion,
        )

    def posted(self, village: Village, *args: Any, **more: Any) -> tuple[str, str]:
        """A voucher drafted (``draft``'s arguments), reviewed and posted: its id and its
        number."""
        voucher_id = self.draft(village, *args, **more)
        self.review(village, voucher_id)
        answer = self.app.post_voucher(AGENCY, self.key("post"), voucher_id=voucher_id)
        return voucher_id, str(answer["number"])

    def post(self, village: Village, *args: Any, **more: Any) -> str:
        """A voucher drafted, reviewed and posted (``posted``'s arguments); its number."""
        return self.posted(village, *args, **more)[1]

    def pump(self, village: Village, voucher_id: str, acquired_on: str, location: str) -> str:
        """An irrigation pump of 18,000.00 yuan entered on the village's fixed-asset register
        (F4), booked by the posted voucher ``voucher_id``; its asset id."""
        out = self.app.register_asset(
            village.clerk,
            self.key("asset"),
            village_id=village.id,
            voucher_id=voucher_id,
            name="灌溉水泵",
            unit="台",
            original_fen=1_800_000,
            acquired_on=acquired_on,
            location=location,
        )
        return str(out["asset_id"])

    def counterparty(self, village: Village, name: str, kind: str = "person", **more: Any) -> str:
        """A counterparty registered in the village's books (F3); its id."""
        out = self.app.register_counterparty(
            village.clerk, self.key("party"), village_id=village.id, kind=kind, name=name, **more
        )
        return str(out["counterparty_id"])

    def published(self, contract: str) -> list[dict[str, Any]]:
        """The data of every envelope of ``contract`` the relay would publish (validated)."""
        envelopes = envelopes_after("finance", self.finance, translate, 0, 100_000, None)
        return [e["data"] for e in envelopes if e["contract"] == f"finance.{contract}"]


# a village's plan for 2026 (F7): two items on the 2023 chart's accounts
PLAN_2026 = [
    {"name": "机动地发包收入", "account": "501", "planned_fen": 4_800_000},
    {"name": "办公及误工补贴", "account": "513", "planned_fen": 2_000_000},
]


def registers_quarter(world: World, village: Village) -> dict[str, Any]:
    """2026Q1 of a village with open books, with every register beside them: the plan adopted
    in January, 12,000.00 of income on 501, the reserve land (村东机动地) let by contract
    DWJ-2026-01 from February to a person (王大明), the pond (南塘) available until April, 2025's
    distribution decided in March; the quarter's months closed and its disclosure prepared on
    2026-04-10 (what preparing answered)."""
    world.clock.set("2026-01-05")
    adopted = world.decision(village, "general", "2026-01-04")
    world.app.adopt_plan(
        village.clerk, "plan-2026", village_id=village.id, year=2026, adopted_on="2026-01-05",
        items=PLAN_2026, decision_id=adopted,
    )  # fmt: skip
    resource = {"village_id": village.id, "registered_on": "2026-01-05", "location": "村东"}
    land = world.app.register_resource(
        village.clerk, "resource-land", type="cultivated", name="村东机动地", area_centimu=1_250,
        **resource,
    )["resource_id"]  # fmt: skip
    pond = world.app.register_resource(
        village.clerk, "resource-pond", type="water", name="南塘", area_centimu=830, **resource
    )["resource_id"]
    world.clock.set("2026-01-20")
    rent = pair("102", "501", 1_200_000)
    world.post(village, "2026-01-20", rent, "机动地发包收入")
    world.clock.set("2026-02-10")
    world.app.sign_contract(
        AGENCY, "contract-land", village_id=village.id, number="DWJ-2026-01", name="机动地承包合同",
        counterparty="王大明", counterparty_kind="person", subject="村东机动地12.50亩",
        amount_fen=1_500_000, annual_rent_fen=300_000, term_start="2026-03-01",
        term_end="2031-02-28", signed_on="2026-02-10", resource_id=land,
        decision_id=world.decision(village, "collective_property", "2026-02-01"),
    )  # fmt: skip
    world.clock.set("2026-03-28")
    world.app.decide_distribution(
        village.clerk, "share-2025", village_id=village.id, year=2025, distributable_fen=1_000_000,
        reserve_fen=300_000, members={"persons": 100, "per_person_fen": 7_000},
        decision_id=world.decision(village, "general", "2026-03-27"), decided_on="2026-03-28",
    )  # fmt: skip
    world.clock.set("2026-04-10")
    world.app.change_resource_status(
        village.clerk, "pond-taken", resource_id=pond, status="requisitioned", on="2026-04-10"
    )
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    return dict(
        world.app.prepare_disclosure(
            village.clerk, "prepare-q1", village_id=village.id, period="2026Q1"
        )
    )
