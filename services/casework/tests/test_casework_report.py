"""The affairs disclosure (issue 13, ADR 0026) as an auditor gets it: a quarter of casework in
立柱 — three demands (one reopened and resolved again, one late with a chase and a reprimand,
one still open) and a village decision through its six steps — sealed, then reported as of a
cut with ``shequ report affairs``. The figures below are counted by hand from the story.

Also: all five formats byte-identical on repeat and under two time zones, the store and a
verified export bundle give the same bytes, an unsealed prefix is refused, a correction
recorded after the quarter leaves the quarter's rows unchanged, and no personal data shows.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from casework_testing import (
    MEETINGS,
    STAFF,
    FixedClock,
    close_casework,
    key,
    open_casework,
    open_decision,
    open_demand,
    scan_at,
    world,
)
from click.testing import CliRunner
from shequ.audit import Sealer
from shequ.cli import main
from shequ.store import Store
from shequ.testing import stderr_on_a_terminal
from test_casework_procedures import record  # a complete meeting record, held 20 March

from tests.support.reports import digests_in_zone, edit_stored_state, report_text

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
NAMES = ("王示例", "王书记", "李会计", "李示例")  # every full name the story types in
MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


class Quarter:
    """Casework in a SQLite store, sealed; the report CLI against it."""

    def __init__(self, tmp: Path, store: Store | None = None) -> None:
        self.tmp = tmp
        self.store = store or Store.parse(f"sqlite:///{tmp / 'casework.db'}")
        self.url = self.store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")
        self.clock = FixedClock("2026-03-02T09:00:00+08:00")
        self.app = open_casework(self.store, self.clock)
        self.treeheads, self.keys = tmp / "treeheads", tmp / "keys"
        # finance's store: none here (a casework-only deployment) unless a test makes one; on
        # PostgreSQL, casework's database, which has no table of finance's events
        self.finance_url = (
            self.url if self.store.kind == "postgres" else f"sqlite:///{tmp / 'finance.db'}"
        )

    def story(self) -> dict[str, Any]:
        app, clock = self.app, self.clock
        w = world(app)
        do = lambda command, case, **kw: getattr(app, command)(STAFF, key(), case_id=case, **kw)
        c1 = open_demand(app, w)["case_id"]
        c2 = open_demand(app, w, category="medical_care", title="村道坑洼")["case_id"]
        for case in (c1, c2):
            do("accept_case", case)
            do("start_case", case)
        d = open_decision(app, w)
        do("accept_case", d)
        do("start_decision", d, matter_type="general")
        clock.set("2026-03-05")
        do("resolve_case", c1, evidence=["已修复"])
        do("answer_case", c1, text="已修复")
        clock.set("2026-03-06")
        do("reopen_case", c1, reason="又停水了")
        do("start_case", c1)
        clock.set("2026-03-09")
        do("resolve_case", c1, evidence=["更换水管"])  # the same case resolved twice
        do("answer_case", c1, text="已更换水管")
        clock.set("2026-03-10")
        c3 = open_demand(app, w, household_id=w["h2"], category="medical_care", title="路灯不亮")[
            "case_id"
        ]
        do("accept_case", c3)
        clock.set("2026-03-20")
        for step, body in MEETINGS:
            do("record_decision_meeting", d, step=step, body=body, record=record())
        clock.set("2026-03-25")
        do("publish_decision", d, step=5, text="决议：同意发包，联系电话13812345678")
        scan_at(app, clock, "2026-03-25T10:00:00+08:00")  # c2 overdue: chased
        clock.set("2026-03-28")
        do("publish_decision", d, step=6, text="已签订承包合同")
        scan_at(app, clock, "2026-03-31T10:00:00+08:00")  # still overdue: reprimanded
        do("resolve_case", c2, evidence=["已填平"])  # late
        do("answer_case", c2, text="已填平")
        return {"w": w, "c1": c1, "c2": c2, "c3": c3, "d": d}

    def seal(self) -> None:
        Sealer(
            "casework", self.app.recorder, self.treeheads, self.keys / "casework.ed25519.pem"
        ).seal()

    def env(self) -> dict[str, str]:
        return {**os.environ, "SHEQU_KEY_DIR": str(self.keys)}

    def report(
        self,
        fmt: str,
        cut: str,
        *more: str,
        level: str = "--community",
        ref: str = "立柱",
        period: str = "2026Q1",
    ) -> tuple[int, str, bytes]:
        out = self.tmp / f"affairs-{fmt}-{len(list(self.tmp.iterdir()))}.{fmt}"
        args = ["report", "affairs", level, ref, "--period", period, "--as-of", cut]
        args += ["--format", fmt, "-o", str(out), "--treeheads", str(self.treeheads)]
        if not any(m == "--bundle" for m in more):
            args += ["--store", self.url, "--finance-store", self.finance_url]
        result = CliRunner().invoke(main, [*args, *more], env=self.env())
        return result.exit_code, result.output, out.read_bytes() if out.exists() else b""


@pytest.fixture
def quarter(tmp_path: Path) -> Iterator[Quarter]:
    made = Quarter(tmp_path)
    yield made
    close_casework(made.app)


def section(doc: dict[str, Any], name: str) -> list[list[Any]]:
    return next(s["rows"] for s in doc["sections"] if s["key"] == name)


def test_the_quarter_counted_by_hand(store: Store, tmp_path: Path) -> None:
    """On SQLite and on PostgreSQL (``store`` fixture)."""
    quarter = Quarter(tmp_path, store)
    try:
        _counted_by_hand(quarter)
    finally:
        close_casework(quarter.app)


def _counted_by_hand(quarter: Quarter) -> None:
    quarter.story()
    quarter.seal()
    cut = datetime.now(UTC).isoformat()
    code, output, data = quarter.report("json", cut)
    assert code == 0, output
    doc = json.loads(data)
    stats = {row[0].split()[-1]: row[1:] for row in section(doc, "case_statistics")}
    # opened, closed, closed on time, on-time %, open at the end, chases, reprimands
    assert stats["demand"] == [3, 2, 1, "50.00", 1, 1, 1]  # c1 counted once though resolved twice
    assert stats["decision"] == [1, 1, 1, "100.00", 0, 0, 0]
    assert stats["petition"] == [0, 0, 0, None, 0, 0, 0]
    [summary] = section(doc, "decisions")
    assert summary == [
        "村集体机动地对外发包",
        "一般事项",
        "2026-03-02",
        "已完成 completed",
        "2026-03-25",
        "2026-03-28",
    ]
    steps = section(doc, "decision_steps")
    assert [s[1][:3] for s in steps] == ["第1步", "第2步", "第3步", "第4步", "第5步", "第6步"]
    assert steps[3][2:] == [
        "村民代表会议",
        "2026-03-20",
        "村委会",
        "王**",
        30,
        28,
        25,
        2,
        1,
        "通过",
    ]
    assert steps[4][-1] == "决议：同意发包，联系电话138****5678"  # a phone in free text masked
    [basis] = doc["basis"]  # casework's only: this deployment has no finance log
    assert basis["service"] == "casework" and basis["tree_size"] == basis["head"]["tree_size"]
    [grants] = [s for s in doc["sections"] if s["key"] == "grants"]
    assert grants["rows"] == [] and grants["note"].startswith("没有财务服务的日志")
    assert [s["key"] for s in doc["sections"]] == [
        "decisions",
        "decision_steps",
        "grants",
        "case_statistics",
    ]
    assert doc["title"] == "立柱2026年第一季度村务公开" and doc["cut"] == cut
    head = json.loads(output)
    assert head["sha256"] == hashlib.sha256(data).hexdigest()
    assert head["basis"]["tree_size"] == basis["tree_size"]
    # a village: only its own cases
    code, output, data = quarter.report("json", cut, level="--village", ref="示例v2村")
    assert code == 0, output
    stats = {row[0].split()[-1]: row[1:] for row in section(json.loads(data), "case_statistics")}
    assert stats["demand"] == [1, 0, 0, None, 1, 0, 0]
    assert section(json.loads(data), "decisions") == []


def test_unsealed_prefix_refused_and_unknown_subject(quarter: Quarter) -> None:
    quarter.story()
    code, output, _ = quarter.report("json", datetime.now(UTC).isoformat())
    assert code == 1 and "basis.unsealed" in output
    quarter.seal()
    code, output, _ = quarter.report("json", datetime.now(UTC).isoformat(), ref="不存在")
    assert code == 1 and "not_found" in output
    code, output, _ = quarter.report("json", "2026-04-10", period="2026Q5")
    assert code == 1 and "period" in output


def test_a_correction_after_the_quarter_leaves_its_rows(quarter: Quarter) -> None:
    ids = quarter.story()
    quarter.seal()
    first_cut = datetime.now(UTC).isoformat()
    quarter.clock.set("2026-04-02")
    quarter.app.reopen_case(STAFF, key(), case_id=ids["c2"], reason="坑又出现了")
    quarter.app.start_case(STAFF, key(), case_id=ids["c2"])
    quarter.app.resolve_case(STAFF, key(), case_id=ids["c2"], evidence=["重新填平"])
    quarter.seal()
    later_cut = datetime.now(UTC).isoformat()
    _, _, before = quarter.report("json", first_cut)
    _, _, after = quarter.report("json", later_cut)
    b, a = json.loads(before), json.loads(after)
    assert b["sections"] == a["sections"]
    assert b["basis"][0]["tree_size"] < a["basis"][0]["tree_size"]
    _, _, q2 = quarter.report("json", later_cut, period="2026Q2")
    stats = {row[0].split()[-1]: row[1:] for row in section(json.loads(q2), "case_statistics")}
    # the correction shows in its own period: c2 resolved again (on time after the reopening);
    # c3, received in Q1, is still open at the end of Q2
    assert stats["demand"] == [0, 1, 1, "100.00", 1, 0, 0]


def _digests_in_zone(quarter: Quarter, zone: str, args: list[str], name: str) -> dict[str, str]:
    return digests_in_zone(zone, args, quarter.tmp / name, FORMATS, quarter.env())


def test_five_formats_identical_in_two_zones_from_store_and_bundle(quarter: Quarter) -> None:
    quarter.story()
    quarter.seal()
    cut = datetime.now(UTC).isoformat()
    bundle = quarter.tmp / "casework.tar"
    runner = CliRunner()
    exported = runner.invoke(
        main,
        [
            "audit",
            "export",
            "--service",
            "casework",
            "--as-of",
            cut,
            "--out",
            str(bundle),
            "--store",
            f"sqlite:///{quarter.tmp / 'casework.db'}",
            "--treeheads",
            str(quarter.treeheads),
        ],
        env=quarter.env(),
    )
    assert exported.exit_code == 0, exported.output
    vkey = runner.invoke(
        main,
        ["audit", "vkey", "--service", "casework", "--treeheads", str(quarter.treeheads)],
        env=quarter.env(),
    ).output.strip()
    common = ["report", "affairs", "--community", "立柱", "--period", "2026Q1", "--as-of", cut]
    from_store = common + [
        "--store",
        f"sqlite:///{quarter.tmp / 'casework.db'}",
        "--treeheads",
        str(quarter.treeheads),
        "--finance-store",
        quarter.finance_url,
    ]
    from_bundle = common + ["--bundle", str(bundle), "--vkey", vkey]
    utc = _digests_in_zone(quarter, "UTC", from_store, "utc")
    shanghai = _digests_in_zone(quarter, "Asia/Shanghai", from_store, "sh")
    offline = _digests_in_zone(quarter, "America/New_York", from_bundle, "bundle")
    assert utc == shanghai == offline
    again = _digests_in_zone(quarter, "UTC", from_store, "again")
    assert again == utc
    # a bundle checked with another key is refused (exit 2), nothing written
    other = vkey.rsplit("+", 1)[0] + "+AQ" + "A" * 42 + "="
    code, output, _ = quarter.report("json", cut, "--bundle", str(bundle), "--vkey", other)
    assert code == 2, output


def test_no_personal_data_in_any_format(quarter: Quarter) -> None:
    quarter.story()
    quarter.seal()
    cut = datetime.now(UTC).isoformat()
    for level, ref in (("--community", "立柱"), ("--village", "示例v1村")):
        for fmt in FORMATS:
            code, output, data = quarter.report(fmt, cut, level=level, ref=ref)
            assert code == 0, output
            text = report_text(fmt, data, quarter.tmp)
            assert "村集体机动地对外发包" in text.replace("\n", ""), fmt  # the text was read
            assert not MOBILE.search(text), (fmt, MOBILE.search(text))
            assert not ID_NUMBER.search(text), fmt
            for name in NAMES:
                assert name not in text, (fmt, name)


def test_an_event_edited_after_sealing_is_never_folded(quarter: Quarter) -> None:
    """The store's rows must be the sealed ones: an edit (here, a resolution made on time by
    hand) makes the report refuse (``basis.tampered``, naming the position) instead of folding
    it; the bundle route refuses too, since the bundle does not verify."""
    quarter.story()
    quarter.seal()
    cut = datetime.now(UTC).isoformat()
    code, output, _ = quarter.report("json", cut)
    assert code == 0, output
    position = edit_stored_state(
        quarter.tmp / "casework.db", "topic LIKE '%Resolved'", '"on_time":false', '"on_time":true'
    )
    code, output, _ = quarter.report("json", cut)
    assert code == 1 and "basis.tampered" in output and str(position) in output


def test_the_report_shows_its_progress_on_a_terminal_only(quarter: Quarter) -> None:
    """Issue 13 §6: ``shequ report`` shows a bar on standard error when it is a terminal, and
    writes the same bytes either way."""
    quarter.story()
    quarter.seal()
    cut = datetime.now(UTC).isoformat()
    args = ["report", "affairs", "--community", "立柱", "--period", "2026Q1", "--as-of", cut]
    args += ["--treeheads", str(quarter.treeheads), "--store", quarter.url]
    args += ["--finance-store", quarter.finance_url]
    code, terminal, _ = stderr_on_a_terminal(
        [sys.executable, "-m", "shequ.cli", *args, "-o", str(quarter.tmp / "t.json")],
        quarter.env(),
    )
    assert code == 0, terminal
    assert "affairs 报表 / report" in terminal and "事件" in terminal
    code, _, piped = quarter.report("json", cut)
    assert code == 0
    assert (quarter.tmp / "t.json").read_bytes() == piped
