"""The finance disclosure folded from finance's sealed events (issue 13): ``shequ report finance
--village`` as of a cut gives the quarter's eight categories, funds summary and trial balance,
the same as the books; a correction recorded after the cut is not in it; the same bytes twice;
the plan, resources and distribution the same rows as the published disclosure."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from finance.domain.common import yuan
from finance_testing import AGENCY, AUDITOR, World, line, registers_quarter
from shequ.audit import Sealer
from shequ.cli import main
from test_finance_specials import COMPENSATION, lease

from tests.support.reports import digests_in_zone

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
PAY_OFFICE = [line("513", "debit", 12_000, memo="办公用品"), line("102", "credit", 12_000)]
SUBSIDY = [line("102", "debit", 500_000), line("503", "credit", 500_000, memo="村级组织运转经费")]


def report(
    world: World, tmp: Path, village: str, cut: str, fmt: str, period: str = "2026Q1"
) -> tuple[int, str, bytes]:
    out = tmp / f"finance.{fmt}"
    args = [*report_args(world, tmp, village, cut, period), "--format", fmt, "-o", str(out)]
    result = CliRunner().invoke(main, args, env=report_env(tmp))
    return result.exit_code, result.output, out.read_bytes() if out.exists() else b""


def report_args(world: World, tmp: Path, village: str, cut: str, period: str) -> list[str]:
    """``shequ report finance`` of ``village`` and ``period`` as of ``cut``, from the store."""
    store = world.finance.store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
    return [
        "report", "finance", "--village", village, "--period", period, "--as-of", cut,
        "--treeheads", str(tmp / "treeheads"), "--store", store,
    ]  # fmt: skip


def report_env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "SHEQU_KEY_DIR": str(tmp / "k")}


def seal(world: World, tmp: Path) -> str:
    Sealer("finance", world.finance.recorder, tmp / "treeheads", tmp / "k" / "f.pem").seal()
    return datetime.now(UTC).isoformat()


def test_the_quarter_as_of_a_cut_from_the_sealed_events(world: World, tmp_path: Path) -> None:
    village = world.village(name="东王家村")
    world.ledger(village)
    office, _ = world.posted(village, "2026-01-03", PAY_OFFICE)
    world.post(village, "2026-01-04", SUBSIDY, "收到运转经费")
    cut = seal(world, tmp_path)
    code, output, data = report(world, tmp_path, "东王家村", cut, "json")
    assert code == 0, output
    doc = json.loads(data)
    sections = {s["key"]: s["rows"] for s in doc["sections"]}
    assert [s["key"] for s in doc["sections"]][:8] == [
        "plan",
        "income",
        "expense",
        "assets",
        "resources",
        "claims",
        "distribution",
        "other",
    ]
    assert [r[1:5] for r in sections["income"]] == [
        ["记-2026-002", "村级组织运转经费", "503 补助收入", "5000.00"]
    ]
    assert [r[1:5] for r in sections["expense"]] == [
        ["记-2026-001", "办公用品", "513 管理费用", "120.00"]
    ]
    assert [r[0] for r in sections["assets"]] == ["102 银行存款", "村委会办公楼", "灌溉机井"]
    assert sections["funds"] == [
        ["期初资金 opening", "125000.00"],
        ["本期收入 receipts", "5000.00"],
        ["本期支出 payments", "120.00"],
        ["期末资金 closing", "129880.00"],
    ]
    assert "财务计划：本期无此类事项" in doc["notes"]
    assert doc["basis"][0]["service"] == "finance"
    # a red reversal recorded after the cut, dated in the quarter: not in the cut's report
    world.clock.set("2026-03-20")
    red = [{**x, "red": True} for x in PAY_OFFICE]
    world.post(village, "2026-03-19", red, "注销", kind="red_reversal", corrects=office)
    later = seal(world, tmp_path)
    for fmt in ("json", "csv", "pdf"):
        first, second = (
            report(world, tmp_path, village.id, cut, fmt),
            report(world, tmp_path, village.id, cut, fmt),
        )
        assert first[0] == 0, first[1]
        assert hashlib.sha256(first[2]).digest() == hashlib.sha256(second[2]).digest(), fmt
    assert report(world, tmp_path, village.id, cut, "json")[2] == data
    newer = json.loads(report(world, tmp_path, village.id, later, "json")[2])
    expense = next(s["rows"] for s in newer["sections"] if s["key"] == "expense")
    assert [r[4] for r in expense] == ["120.00", "-120.00"]


def test_another_villages_amended_voucher_stays_out(world: World, tmp_path: Path) -> None:
    """An amendment names no village: it belongs to the books its draft was in, so a voucher
    another village amended and posted is not in this village's income."""
    mine, other = world.village(name="东王家村"), world.village(name="西李家村")
    world.ledger(mine)
    world.ledger(other)
    world.post(mine, "2026-01-03", PAY_OFFICE)
    voucher_id = world.draft(other, "2026-01-04", SUBSIDY, "收到运转经费")
    world.app.amend_draft(
        other.clerk, "amend-other", voucher_id=voucher_id, voucher_date="2026-01-04",
        summary="收到运转经费（更正）", lines=SUBSIDY, handler_id=other.clerk.person_id,
    )  # fmt: skip
    world.review(other, voucher_id)
    world.app.post_voucher(AGENCY, "post-other", voucher_id=voucher_id)
    cut = seal(world, tmp_path)
    for village, income in (("东王家村", []), ("西李家村", ["5000.00"])):
        code, output, data = report(world, tmp_path, village, cut, "json")
        assert code == 0, output
        rows = next(s["rows"] for s in json.loads(data)["sections"] if s["key"] == "income")
        assert [r[4] for r in rows] == income, village


def test_the_registers_categories_equal_the_published_disclosure(
    world: World, tmp_path: Path
) -> None:
    """Issues 12 and 13: a quarter with a plan, a resource let by contract (another available
    at the quarter's end, requisitioned after it) and a distribution: the report replayed from
    the sealed log shows in 财务计划, 各类资源 and 收益分配 exactly the rows the disclosure
    published, in its order, with no empty-category note for them; a person by family name."""
    village = world.village(name="东王家村")
    world.ledger(village)
    ident = registers_quarter(world, village)
    world.app.review_disclosure(village.group, "review-q1", opinion="同意公开", **ident_of(ident))
    world.app.publish_disclosure(village.head, "publish-q1", **ident_of(ident))
    content = world.app.disclosure(AUDITOR, ident["disclosure_id"])["content"]
    cut = seal(world, tmp_path)
    code, output, data = report(world, tmp_path, village.id, cut, "json")
    assert code == 0, output
    doc = json.loads(data)
    sections = {s["key"]: s["rows"] for s in doc["sections"]}
    published = {c["key"]: c["rows"] for c in content["categories"]}
    for key in ("plan", "resources", "distribution"):
        expected = [
            [r["date"], r["number"], r["summary"], yuan(r["amount_fen"], grouped=False)]
            for r in published[key]
        ]
        assert expected and sections[key] == expected, key
    assert [r[2] for r in sections["resources"]] == [
        "耕地·村东机动地·12.50 亩·村东·已发包（出租）·王**",
        "水面·南塘·8.30 亩·村东·未发包",
    ]
    assert [r[3] for r in sections["distribution"]] == [
        "3000.00", "0.00", "0.00", "7000.00", "0.00"
    ]  # fmt: skip
    assert sections["plan"][0][2].endswith("执行率 25.00%")
    assert not any(n.startswith(("财务计划", "各类资源", "收益分配")) for n in doc["notes"])
    assert "王大明" not in data.decode()
    # the same bytes twice, in every format, whatever the time zone
    args = report_args(world, tmp_path, village.id, cut, "2026Q1")
    zones = [
        digests_in_zone(
            zone, args, tmp_path / zone.replace("/", "-"), FORMATS, report_env(tmp_path)
        )
        for zone in ("UTC", "Asia/Shanghai", "UTC")
    ]
    assert zones[0] == zones[1] == zones[2]
    assert zones[0]["json"] == hashlib.sha256(data).hexdigest()


def test_the_special_tables_equal_the_published_special_disclosures(
    world: World, tmp_path: Path
) -> None:
    """D4: 2026Q2 with a land compensation, two contracts (rent received on one), a 一事一议
    project with money raised and spent and a construction project paid in part: the report's
    special tables show the rows of the quarter's special disclosures of those topics, in their
    order."""
    village = world.village(name="东王家村")
    world.ledger(village)
    world.clock.set("2026-04-25")
    decision = world.decision(village, "collective_property", "2026-04-10")
    world.app.sign_contract(AGENCY, "contract-11", **lease(village.id, "DWJ-2026-11", decision))
    world.app.sign_contract(
        AGENCY, "contract-12", **lease(village.id, "DWJ-2026-12", decision, counterparty="东王家村合作社",
                                counterparty_kind="organisation", term_start="2026-04-01",
                                signed_on="2026-04-22"),
    )  # fmt: skip
    world.app.record_pooled_project(
        village.clerk, "pooled-road", village_id=village.id, number="YSYY-2026-01",
        name="村内道路硬化", per_person_fen=1_000, persons=820, labour_days_per_labourer=5,
        labourers=300, decision_id=world.decision(village, "general", "2026-04-11"),
        decided_on="2026-04-12",
    )  # fmt: skip
    world.app.record_land_compensation(
        village.clerk, "land-2026-01", village_id=village.id, **COMPENSATION
    )
    world.app.register_project(
        village.clerk, "project-road", village_id=village.id, number="GC-2026-01",
        name="村内主干道硬化", budget_fen=30_000_000, tender="invited", builder="县交通建设有限公司",
        contract_price_fen=28_600_000, decided_on="2026-04-20", decision_id=decision,
    )  # fmt: skip
    world.clock.set("2026-05-11")
    road = {"contract_no": "YSYY-2026-01"}
    world.post(village, "2026-05-10", [
        line("102", "debit", 30_000),
        line("501", "credit", 30_000, contract_no="DWJ-2026-11", memo="机动地租金"),
    ], "收到机动地租金")  # fmt: skip
    world.post(village, "2026-05-10", [
        line("102", "debit", 800_000), line("231", "credit", 800_000, **road),
    ], "收一事一议筹资")  # fmt: skip
    world.post(village, "2026-05-11", [
        line("231", "debit", 300_000, **road), line("102", "credit", 300_000),
    ], "支付道路工程款")  # fmt: skip
    world.post(village, "2026-05-11", [
        line("153", "debit", 10_000_000, contract_no="GC-2026-01"),
        line("102", "credit", 10_000_000),
    ], "支付道路工程进度款")  # fmt: skip
    world.clock.set("2026-07-02")
    for month in ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"):
        world.app.close_period(AGENCY, f"close-{month}", village_id=village.id, period=month)
    published = {}
    for topic in ("land", "contract", "pooled", "project"):
        ask = {"village_id": village.id, "topic": topic, "period": "2026Q2"}
        prepared = world.app.prepare_special(village.clerk, f"special-{topic}", **ask)
        published[topic] = world.app.disclosure(AUDITOR, prepared["disclosure_id"])["content"]
    cut = seal(world, tmp_path)
    code, output, data = report(world, tmp_path, village.id, cut, "json", "2026Q2")
    assert code == 0, output
    doc = json.loads(data)
    sections = {s["key"]: s for s in doc["sections"]}
    more = {
        "land": ("retained_fen", "distributed_fen"),
        "contract": ("due_fen", "received_fen", "arrears_fen"),
        "pooled": ("raised_fen", "spent_fen", "balance_fen"),
        "project": ("contract_price_fen", "paid_fen"),
    }
    for topic, content in published.items():
        expected = [
            [r["date"], r["number"], r["summary"]]
            + [yuan(r[k], grouped=False) for k in ("amount_fen", *more[topic])]
            for r in content["rows"]
        ]
        assert expected and sections[f"special_{topic}"]["rows"] == expected, topic
        assert sections[f"special_{topic}"]["title"] == content["title"]
    # by hand: May and June of 3,000.00 a year due, 300.00 received; three months of the
    # co-operative's; 8,000.00 raised and 3,000.00 spent on the road
    assert [(r[1], r[3:]) for r in sections["special_contract"]["rows"]] == [
        ("DWJ-2026-11", ["15000.00", "500.00", "300.00", "200.00"]),
        ("DWJ-2026-12", ["15000.00", "750.00", "0.00", "750.00"]),
    ]
    assert sections["special_pooled"]["rows"][0][3:] == ["8200.00", "8000.00", "3000.00", "5000.00"]
    assert sections["special_project"]["rows"][0][5] == "100000.00"
    assert "王大明" not in data.decode()
    # the first quarter had none of them: each special table says so
    code, output, data = report(world, tmp_path, village.id, cut, "json", "2026Q1")
    q1 = json.loads(data)
    assert [s["rows"] for s in q1["sections"] if s["key"].startswith("special_")] == [
        [],
        [],
        [],
        [],
    ]
    assert "征地补偿（专项）：本期无此类事项" in q1["notes"]


def ident_of(prepared: dict[str, object]) -> dict[str, object]:
    return {"disclosure_id": prepared["disclosure_id"]}
