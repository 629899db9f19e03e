"""The affairs disclosure's grants and subsidies (FINANCE.md D6, AUDIT.md D23): ``shequ report
affairs`` folds finance's sealed log as of the same cut as casework's and lists the period's
posted receipts on 补助收入 and 专项应付款 of the villages in scope, with their total; the
document names both bases. The figures are counted by hand from the vouchers below.

In 2026Q1, village v1 posts an office purchase (not a grant), a 5,000.00 subsidy for running
costs (503) and 12,345.67 of earmarked farmland funds (241); v2, in the same community, a
1,000.00 subsidy whose summary has a phone number in it. So v1 shows 2 rows and 17,345.67; the
community 3 rows and 18,345.67; 2026Q2 none. Store and bundles give the same bytes.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
for folder in ("services/casework/tests", "services/finance/tests"):
    if str(ROOT / folder) not in sys.path:
        sys.path.insert(0, str(ROOT / folder))

from casework_testing import close_casework
from finance_testing import World, line
from shequ.audit import Sealer
from shequ.cli import main
from shequ.store import Store
from test_casework_report import FORMATS, MOBILE, Quarter

from tests.support.reports import edit_stored_state, report_text

PAY_OFFICE = [line("513", "debit", 12_000, memo="办公用品"), line("102", "credit", 12_000)]
SUBSIDY = [line("102", "debit", 500_000), line("503", "credit", 500_000, memo="村级组织运转经费")]
FARMLAND = [line("102", "debit", 1_234_567), line("241", "credit", 1_234_567)]
CLEAN_UP = [line("102", "debit", 100_000), line("503", "credit", 100_000)]


def grants(doc: dict[str, Any]) -> dict[str, Any]:
    return next(s for s in doc["sections"] if s["key"] == "grants")


def export(quarter: Quarter, service: str, store: str, cut: str) -> tuple[Path, str]:
    """The service's export bundle as of the cut, and its verifier key."""
    bundle = quarter.tmp / f"{service}.tar"
    runner = CliRunner()
    exported = runner.invoke(
        main,
        ["audit", "export", "--service", service, "--as-of", cut, "--out", str(bundle)]
        + ["--store", store, "--treeheads", str(quarter.treeheads)],
        env=quarter.env(),
    )
    assert exported.exit_code == 0, exported.output
    vkey = runner.invoke(
        main,
        ["audit", "vkey", "--service", service, "--treeheads", str(quarter.treeheads)],
        env=quarter.env(),
    )
    return bundle, vkey.output.strip()


def books(quarter: Quarter, world: World) -> int:
    """Casework's quarter and the vouchers above, both logs sealed; finance's tree size."""
    w = quarter.story()["w"]
    v1 = world.village(w["community"], "示例v1村", village_id=w["v1"])
    v2 = world.village(w["community"], "示例v2村", village_id=w["v2"])
    world.ledger(v1)
    world.ledger(v2)
    world.post(v1, "2026-01-03", PAY_OFFICE)
    world.post(v1, "2026-01-04", SUBSIDY, "收到运转经费")
    world.clock.set("2026-02-11")
    world.post(v1, "2026-02-10", FARMLAND, "收到高标准农田建设专项资金")
    world.clock.set("2026-03-02")
    world.post(v2, "2026-03-01", CLEAN_UP, "环境整治奖补，联系人13812345678")
    quarter.seal()
    seal_finance(quarter, world)
    return world.finance.recorder.max_notification_id()  # type: ignore[no-any-return]


def seal_finance(quarter: Quarter, world: World) -> None:
    key = quarter.keys / "finance.ed25519.pem"
    Sealer("finance", world.finance.recorder, quarter.treeheads, key).seal()


def test_grants_folded_from_finance_as_of_the_same_cut(tmp_path: Path) -> None:
    quarter = Quarter(tmp_path)
    world = World(Store.parse(quarter.finance_url))
    try:
        finance_size = books(quarter, world)
    finally:
        world.close()
        close_casework(quarter.app)
    cut = datetime.now(UTC).isoformat()

    code, output, data = quarter.report("json", cut, level="--village", ref="示例v1村")
    assert code == 0, output
    doc = json.loads(data)
    section = grants(doc)
    assert section["rows"] == [
        ["示例v1村", "2026-01-04", "记-2026-002", "村级组织运转经费", "503 补助收入", "5000.00"],
        [
            "示例v1村",
            "2026-02-10",
            "记-2026-003",
            "收到高标准农田建设专项资金",
            "241 专项应付款",
            "12345.67",
        ],
        ["合计 total", None, None, None, None, "17345.67"],
    ]
    assert "note" not in section
    casework, finance = doc["basis"]
    assert (casework["service"], finance["service"]) == ("casework", "finance")
    assert casework["cut"] == finance["cut"] == cut
    assert finance["tree_size"] == finance["head"]["tree_size"] == finance_size
    assert json.loads(output)["parts"]["finance"]["tree_size"] == finance_size

    code, output, data = quarter.report("json", cut)  # the community: both villages
    assert code == 0, output
    rows = grants(json.loads(data))["rows"]
    assert [r[0] for r in rows] == ["示例v1村", "示例v1村", "示例v2村", "合计 total"]
    assert rows[2][2:] == [
        "记-2026-001",
        "环境整治奖补，联系人138****5678",
        "503 补助收入",
        "1000.00",
    ]
    assert rows[-1][-1] == "18345.67"

    code, output, data = quarter.report("json", cut, period="2026Q2")
    assert code == 0, output
    empty = grants(json.loads(data))
    assert empty["rows"] == [] and empty["note"] == "本期无此类事项 / none in the period"

    # offline: the two bundles, each verified with its own key, give the store's bytes
    casework_tar, casework_vkey = export(quarter, "casework", quarter.url, cut)
    finance_tar, finance_vkey = export(quarter, "finance", quarter.finance_url, cut)
    offline = ["--bundle", str(casework_tar), "--vkey", casework_vkey]
    offline += ["--finance-bundle", str(finance_tar), "--finance-vkey", finance_vkey]
    # in every format, and the phone in v2's summary masked in each
    for fmt in FORMATS:
        stored = quarter.report(fmt, cut)
        bundled = quarter.report(fmt, cut, *offline)
        assert stored[0] == bundled[0] == 0, (stored[1], bundled[1])
        assert stored[2] == bundled[2], fmt
        text = report_text(fmt, stored[2], quarter.tmp).replace("\n", "")
        assert "18345.67" in text and not MOBILE.search(text), fmt
    # finance's bundle checked with casework's key is refused (exit 2)
    wrong = offline[:-1] + [casework_vkey]
    code, output, _ = quarter.report("json", cut, *wrong)
    assert code == 2, output


def test_finance_unsealed_or_edited_after_sealing_is_refused(tmp_path: Path) -> None:
    """Finance's prefix is held to D22 as casework's is: a voucher posted after the last seal
    makes the report refuse (``basis.unsealed``), and so does a stored finance event edited
    after sealing (``basis.tampered``, naming its position): never a report without them."""
    quarter = Quarter(tmp_path)
    world = World(Store.parse(quarter.finance_url))
    try:
        books(quarter, world)
        village = world.village(name="示例v3村")
        world.ledger(village)
        world.post(village, "2026-03-02", SUBSIDY, "收到运转经费")
        code, output, _ = quarter.report("json", datetime.now(UTC).isoformat())
        assert code == 1 and "basis.unsealed" in output, output
        seal_finance(quarter, world)
    finally:
        world.close()
        close_casework(quarter.app)
    cut = datetime.now(UTC).isoformat()
    code, output, _ = quarter.report("json", cut)
    assert code == 0, output
    position = edit_stored_state(
        tmp_path / "finance.db", "topic = 'finance:Voucher.Drafted'", "1234567", "7654321"
    )
    code, output, _ = quarter.report("json", cut)
    assert code == 1 and "basis.tampered" in output and str(position) in output, output
