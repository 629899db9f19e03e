"""The demo district's village books (issue 12, part 9): every demo village gets a ledger opened
on the first day of the last complete quarter, a quarter of posted vouchers — a subsidy
received, office supplies, wages (returned once by the finance group for a missing signature,
then amended and posted), a public-welfare repair, and a wrong account corrected by a red
reversal and a blue voucher — its three months closed, and the quarter's disclosure prepared,
reviewed by the finance group and published today.

The village's finance people are demo actors of their roles (person ids derived from the
village, so a second run repeats the same commands and stores nothing new); the operator's
key signs them (``shequ.client.rpc_call``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import NAMESPACE_URL, uuid5

Call = Callable[[str, str, dict[str, Any]], Any]
STAGES = ("clerk_check", "finance_group", "village_head", "agency")
AGENCY = {"person_id": str(uuid5(NAMESPACE_URL, "shequ:demo:agency")), "role": "agency_accountant"}
OPENING = {"102": 12_500_000, "151": 30_000_000, "301": -42_500_000}
ASSETS = [  # the fixed assets behind the opening balance of 151
    {
        "name": "村委会办公楼（示例）",
        "unit": "栋",
        "original_fen": 26_000_000,
        "acquired_on": "2012-06-30",
    },
    {
        "name": "灌溉机井（示例）",
        "quantity": 4,
        "unit": "眼",
        "original_fen": 4_000_000,
        "acquired_on": "2018-04-01",
    },
]


def people(village_id: str) -> dict[str, dict[str, str]]:
    """The village's clerk, a second clerk (the first review), a finance-group member, the
    village head, and the agency's accountant."""

    def person(role: str, n: int = 1) -> dict[str, str]:
        pid = str(uuid5(NAMESPACE_URL, f"shequ:demo:{village_id}:{role}:{n}"))
        return {"person_id": pid, "role": role, "village_id": village_id}

    return {
        "clerk": person("finance_clerk"),
        "clerk_check": person("finance_clerk", 2),
        "finance_group": person("finance_group"),
        "village_head": person("village_head"),
        "agency": AGENCY,
    }


def line(account: str, side: str, fen: int, memo: str = "", red: bool = False) -> dict[str, Any]:
    return {"account": account, "side": side, "amount_fen": fen, "memo": memo, "red": red}


def pay(account: str, fen: int, memo: str, red: bool = False) -> list[dict[str, Any]]:
    return [line(account, "debit", fen, memo, red), line("102", "credit", fen, red=red)]


class Books:
    """One village's quarter, through finance's RPC (``call``), under keys from ``key``."""

    def __init__(self, call: Call, key: str, village_id: str, day: Callable[[int, int], str]):
        self.call, self.key, self.village_id, self.day = call, key, village_id, day
        self.who = people(village_id)
        self.numbers: list[str] = []

    def run(self, method: str, actor: str, name: str, /, **args: Any) -> Any:
        payload = {"actor": self.who[actor], "idempotency_key": f"{self.key}:{name}", **args}
        return self.call("finance", method, payload)

    def voucher(
        self, name: str, month: int, day: int, summary: str, lines: list[Any], **more: Any
    ) -> str:
        """A voucher drafted by the clerk; its id."""
        return self.run(
            "draft_voucher",
            "clerk",
            f"{name}:draft",
            village_id=self.village_id,
            voucher_date=self.day(month, day),
            summary=summary,
            lines=lines,
            handler_id=self.who["clerk"]["person_id"],
            attachments=1,
            **more,
        )["voucher_id"]

    def review(self, name: str, voucher_id: str, stages: tuple[str, ...] = STAGES) -> None:
        self.run("submit_voucher", "clerk", f"{name}:submit:{len(stages)}", voucher_id=voucher_id)
        for stage in stages:
            self.run(
                "review_voucher",
                stage,
                f"{name}:{stage}:{len(stages)}",
                voucher_id=voucher_id,
                stage=stage,
                outcome="approve",
                opinion="同意（示例）",
            )

    def post(self, name: str, voucher_id: str) -> str:
        self.review(name, voucher_id)
        number = self.run("post_voucher", "agency", f"{name}:post", voucher_id=voucher_id)["number"]
        self.numbers.append(number)
        return str(voucher_id)

    def resources(self) -> None:
        """The resource register (各类资源): the reserve land, still to let, and the pond the
        collective keeps from the second month (a plan and a contract need a village decision
        casework published, which the demo does not make)."""
        where = {"village_id": self.village_id, "registered_on": self.day(0, 3)}
        self.run(
            "register_resource", "clerk", "resource:land", type="cultivated", name="村东机动地",
            area_centimu=1_250, location="第三村民小组村东（示例）", **where,
        )  # fmt: skip
        pond = self.run(
            "register_resource", "clerk", "resource:pond", type="water", name="南塘",
            area_centimu=830, location="村南（示例）", **where,
        )["resource_id"]  # fmt: skip
        self.run(
            "change_resource_status", "clerk", "resource:pond:kept", resource_id=pond,
            status="self_operated", on=self.day(1, 1), reason="村集体自营养殖（示例）",
        )  # fmt: skip

    def quarter(
        self, opened_on: str, months: list[str], period: str, household: str | None = None
    ) -> dict[str, Any]:
        """The quarter's books and disclosure (the ledger opened first if it is new)."""
        ledger = self.call("finance", "ledger", {"actor": AGENCY, "village_id": self.village_id})
        if not ledger["opened"]:
            self.run(
                "open_ledger",
                "agency",
                "ledger",
                village_id=self.village_id,
                opened_on=opened_on,
                opening=OPENING,
                assets=ASSETS,
            )
        self.resources()
        self.post(
            "subsidy",
            self.voucher(
                "subsidy",
                0,
                5,
                "收到村级组织运转经费（示例）",
                [
                    line("102", "debit", 5_000_000),
                    line("503", "credit", 5_000_000, "村级组织运转经费"),
                ],
            ),
        )
        office = self.post(
            "office",
            self.voucher("office", 0, 12, "购买办公用品（示例）", pay("513", 68_000, "办公用品")),
        )
        wages = self.voucher(
            "wages", 1, 8, "发放误工补贴（示例）", pay("513", 240_000, "村干部误工补贴")
        )
        self.review("wages-first", wages, STAGES[:1])
        self.run(
            "review_voucher",
            "finance_group",
            "wages:return",
            voucher_id=wages,
            stage="finance_group",
            outcome="return",
            opinion="缺少领款人签字（示例）",
        )
        self.run(
            "amend_draft",
            "clerk",
            "wages:amend",
            voucher_id=wages,
            voucher_date=self.day(1, 8),
            summary="发放误工补贴（补签字，示例）",
            lines=pay("513", 240_000, "村干部误工补贴"),
            handler_id=self.who["clerk"]["person_id"],
            attachments=2,
        )
        self.post("wages", wages)
        self.post(
            "repair",
            self.voucher("repair", 1, 20, "村道修补（示例）", pay("514", 1_200_000, "村道修补")),
        )
        # the office supplies were for the village's library (公益支出): red reversal, then blue
        fix = {"corrects": office}
        self.post(
            "office-red",
            self.voucher(
                "office-red",
                2,
                3,
                "注销办公用品凭证（示例）",
                pay("513", 68_000, "办公用品", red=True),
                kind="red_reversal",
                **fix,
            ),
        )
        self.post(
            "office-blue",
            self.voucher(
                "office-blue",
                2,
                3,
                "订正：农家书屋用品（示例）",
                pay("514", 68_000, "农家书屋用品"),
                kind="blue_correction",
                **fix,
            ),
        )
        for month in months:
            self.run(
                "close_period", "agency", f"close:{month}", village_id=self.village_id, period=month
            )
        prepared = self.run(
            "prepare_disclosure", "clerk", "disclosure", village_id=self.village_id, period=period
        )
        ident = {"disclosure_id": prepared["disclosure_id"]}
        self.run(
            "review_disclosure",
            "finance_group",
            "disclosure:review",
            opinion="经审核，账目清楚，同意公开（示例）。",
            **ident,
        )
        self.run("publish_disclosure", "village_head", "disclosure:publish", **ident)
        if household:  # a villager asks about the road repair, and the finance group answers
            self.who["resident"] = {
                "person_id": str(uuid5(NAMESPACE_URL, f"shequ:demo:{household}:resident")),
                "role": "resident",
                "household_id": household,
            }
            asked = self.run(
                "file_objection",
                "resident",
                "objection",
                household_id=household,
                line="expense:2",
                text="村道修补花了多少工料？（示例）",
                **ident,
            )
            self.run(
                "answer_objection",
                "finance_group",
                "objection:answer",
                objection_id=asked["objection_id"],
                answer="用工20个、水泥石料8,000元，明细已张贴（示例）",
            )
        return {"vouchers": len(self.numbers), "disclosure": prepared["content_sha256"]}


def seed_books(
    call: Call,
    label: str,
    villages: list[tuple[str, str | None]],
    opened_on: str,
    day: Callable[[int, int], str],
) -> dict[str, int]:
    """The quarter ``label`` (e.g. 2026Q3) of every village's books (``villages``: each with a
    household whose villager objects to a line, or None); how many vouchers posted,
    disclosures published and objections answered."""
    year, q = int(label[:4]), int(label[5])
    months = [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]
    made = {"vouchers": 0, "disclosures": 0, "objections": 0}
    for village_id, household in villages:
        books = Books(call, f"demo:{label}:finance:{village_id}", village_id, day)
        made["vouchers"] += books.quarter(opened_on, months, label, household)["vouchers"]
        made["disclosures"] += 1
        made["objections"] += household is not None
    return made
