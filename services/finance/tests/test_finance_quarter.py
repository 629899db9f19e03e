"""A quarter computed by hand (issue 12's proof): ten vouchers over seven accounts in 2026Q1
(one returned once for a missing signature), its months closed, its disclosure prepared; an
electricity bill booked to the wrong account is corrected in the next quarter by a red
reversal and a blue voucher, which leaves Q1's figures and disclosure as they were.

Opening (2026-01-01): bank 125,000.00; fixed assets 300,000.00; capital 425,000.00.
"""

from __future__ import annotations

from finance_testing import AGENCY, AUDITOR, World, pair

QUARTER = [  # (date, summary, debit account, credit account, fen)
    ("2026-01-05", "收到村级组织运转经费", "102", "503", 5_000_000),
    ("2026-01-08", "提取备用金", "101", "102", 200_000),
    ("2026-01-12", "购买办公用品", "513", "101", 68_000),
    ("2026-01-20", "机动地发包收入", "102", "501", 1_200_000),
    ("2026-02-03", "发放误工补贴", "513", "102", 240_000),  # returned once, then posted
    ("2026-02-15", "村道修补", "514", "102", 1_200_000),
    ("2026-02-20", "村民借支", "112", "101", 30_000),
    ("2026-03-05", "收回借支", "101", "112", 30_000),
    ("2026-03-18", "农家书屋图书", "514", "102", 150_000),
    ("2026-03-25", "一季度电费", "513", "102", 45_600),
]


def test_a_quarter_by_hand_and_its_correction_in_the_next(world: World) -> None:
    village = world.village(name="东王家村")
    world.ledger(village)
    villager = world.counterparty(village, "王小二")
    ids = {}
    for n, (day, summary, debit, credit, fen) in enumerate(QUARTER, start=1):
        world.clock.set(day)
        lines = pair(debit, credit, fen)
        for x in lines:  # the villager's loan is theirs in the 应收款 subledger (F31)
            if x["account"] == "112":
                x["counterparty_id"] = villager
        voucher_id = world.draft(village, day, lines, summary)
        if n == 5:
            world.review(village, voucher_id, upto=2)
            world.send_back(village, voucher_id, "village_head", "缺少领款人签字")
            world.app.amend_draft(
                village.clerk, "wages-signed", voucher_id=voucher_id, voucher_date=day,
                summary=summary + "（已补签字）", lines=pair(debit, credit, fen), handler_id=village.clerk.person_id,
            )  # fmt: skip
        world.review(village, voucher_id)
        ids[n] = voucher_id
        assert (
            world.app.post_voucher(AGENCY, f"post-quarter-{n}", voucher_id=voucher_id)["number"]
            == f"记-2026-{n:03d}"
        )
    world.clock.set("2026-04-02")
    for month in ("2026-01", "2026-02", "2026-03"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)

    def balances(period: str) -> dict[str, tuple[int, int, int, int]]:
        tb = world.app.trial_balance(AUDITOR, village.id, period)
        assert tb["balanced"]
        return {
            r["account"]: (r["opening_fen"], r["debit_fen"], r["credit_fen"], r["closing_fen"])
            for r in tb["rows"]
        }

    march = balances("2026-03")
    assert march["102"][3] == 16_864_400 and march["101"][3] == 132_000 and march["112"][3] == 0
    assert (march["513"][3], march["514"][3]) == (353_600, 1_350_000)
    assert (march["501"][3], march["503"][3]) == (-1_200_000, -5_000_000)
    prepared = world.app.prepare_disclosure(
        village.clerk, "prepare-q1", village_id=village.id, period="2026Q1"
    )
    assert prepared["due_on"] == "2026-04-15"
    q1 = world.app.disclosure(AUDITOR, prepared["disclosure_id"])["content"]
    cats = {c["key"]: c for c in q1["categories"]}
    assert [(r["number"], r["amount_fen"]) for r in cats["income"]["rows"]] == [
        ("记-2026-001", 5_000_000),
        ("记-2026-004", 1_200_000),
    ]
    assert [(r["number"], r["amount_fen"]) for r in cats["expense"]["rows"]] == [
        ("记-2026-003", 68_000), ("记-2026-005", 240_000), ("记-2026-006", 1_200_000),
        ("记-2026-009", 150_000), ("记-2026-010", 45_600),
    ]  # fmt: skip
    assert (cats["income"]["total_fen"], cats["expense"]["total_fen"]) == (6_200_000, 1_703_600)
    assert cats["claims"]["rows"] == [] and cats["claims"]["note"] == "本期无此类事项"
    # 各项资产: the funds, then the fixed assets held (their 原值 adding up to 151's 300,000.00)
    assert [(r["name"], r["original_fen"]) for r in cats["assets"]["rows"]] == [
        ("101 库存现金", 132_000),
        ("102 银行存款", 16_864_400),
        ("村委会办公楼", 26_000_000),
        ("灌溉机井", 4_000_000),
    ]
    assert q1["funds"] == {
        "opening_fen": 12_500_000,
        "receipts_fen": 6_430_000,
        "payments_fen": 1_933_600,
        "closing_fen": 16_996_400,
    }
    returned = world.app.voucher(AUDITOR, ids[5])["trail"]
    assert [r.get("approve") for r in returned if r["what"] == "reviewed"] == [
        True,
        True,
        False,
        True,
        True,
        True,
        True,
    ]

    # Q2: the electricity was the library's (公益支出): red reversal and blue voucher, dated in April
    world.clock.set("2026-04-10")
    for kind, lines, summary in (
        ("red_reversal", pair("513", "102", 45_600, red=True), "注销3月25日记-2026-010号凭证"),
        ("blue_correction", pair("514", "102", 45_600), "订正3月25日记-2026-010号凭证"),
    ):
        world.post(village, "2026-04-10", lines, summary, kind=kind, corrects=ids[10])
    assert balances("2026-03") == march  # Q1's books are as they were
    april = balances("2026-04")
    assert april["513"] == (353_600, -45_600, 0, 308_000)
    assert april["514"] == (1_350_000, 45_600, 0, 1_395_600)
    assert april["102"][3] == 16_864_400  # the money moved once
    again = world.app.disclosure(AUDITOR, prepared["disclosure_id"])
    assert again["content"] == q1 and again["content_sha256"] == prepared["content_sha256"]
