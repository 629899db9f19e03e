"""The assessment disclosure (issue 13, ADR 0026): the results published for Q1 2025, folded
from assessment's sealed events as of a cut with ``shequ report assessment``; the same ranks
and totals as the scoreboard, every indicator with its source; the same bytes twice."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from assessment.application import Assessment
from assessment_testing import STAFF
from click.testing import CliRunner
from shequ.actor import Actor
from shequ.audit import Sealer
from shequ.cli import main
from test_assessment_scenario import Q1, scenario_world

AUDITOR = Actor("a-1", "auditor")


def report(app: Assessment, tmp: Path, cut: str, fmt: str, name: str) -> tuple[int, str, bytes]:
    out = tmp / f"{name}.{fmt}"
    args = ["report", "assessment", "--community", name, "--period", "2025Q1", "--as-of", cut]
    args += ["--format", fmt, "-o", str(out), "--treeheads", str(tmp / "treeheads")]
    args += ["--store", app.store.sqlalchemy_url().replace("postgresql+psycopg", "postgresql")]
    result = CliRunner().invoke(main, args, env={**os.environ, "SHEQU_KEY_DIR": str(tmp / "k")})
    return result.exit_code, result.output, out.read_bytes() if out.exists() else b""


def test_published_results_with_ranks_and_sources(app: Assessment, tmp_path: Path) -> None:
    scenario_world(app)
    app.score_period(STAFF, "key-r-0001", period_kind="quarter", period_start=Q1)
    board = app.scoreboard(AUDITOR, "quarter", Q1)
    Sealer("assessment", app.recorder, tmp_path / "treeheads", tmp_path / "k" / "a.pem").seal()
    cut = datetime.now(UTC).isoformat()
    name = board["rows"][0]["name"]
    code, output, data = report(app, tmp_path, cut, "json", name)
    assert code == 0, output
    doc = json.loads(data)
    ranking = next(s["rows"] for s in doc["sections"] if s["key"] == "ranking")
    communities = [r for r in ranking if r[2].endswith("community")]
    assert [(r[0], r[1], r[3]) for r in communities] == [
        (r["rank"], r["name"], r["total"]) for r in board["rows"]
    ]
    items = next(s["rows"] for s in doc["sections"] if s["key"] == "indicators")
    mine = [i for i in items if i[0] == name]
    assert [i[1] for i in mine] == [i["name"] for i in board["rows"][0]["items"]]
    assert all(i[2] for i in mine)  # every indicator names its source
    assert doc["basis"][0]["service"] == "assessment"
    for fmt in ("json", "csv", "xlsx", "pdf", "html"):
        first = report(app, tmp_path, cut, fmt, name)
        second = report(app, tmp_path, cut, fmt, name)
        assert first[0] == 0, first[1]
        assert hashlib.sha256(first[2]).digest() == hashlib.sha256(second[2]).digest(), fmt
    # a cut before the scoring shows no results, and says so
    code, output, data = report(app, tmp_path, "2025-01-01", "json", name)
    assert code == 1 and "not_found" in output  # nothing was recorded by then at all


def test_exports_deterministic_numeric_and_chart_in_cjk(app: Assessment) -> None:
    """The scoreboard's XLSX: the same bytes on every export, points as numbers, dated the end
    of the period; the chart: the same SVG every time, its text in CJK fonts."""
    import base64
    import io
    import zipfile

    from openpyxl import load_workbook

    scenario_world(app)
    app.score_period(STAFF, "key-r-0002", period_kind="quarter", period_start=Q1)
    first = app.export_scores(AUDITOR, "quarter", Q1, format="xlsx")["content_base64"]
    second = app.export_scores(AUDITOR, "quarter", Q1, format="xlsx")["content_base64"]
    assert first == second
    data = base64.b64decode(first)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2025, 3, 31, 16, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert "2025-03-31T16:00:00Z" in core  # the end of Q1 in Asia/Shanghai, never the clock
    sheet = load_workbook(io.BytesIO(data)).active
    assert all(
        isinstance(row[2], int | float) for row in sheet.iter_rows(min_row=3, values_only=True)
    )
    svg = app.scoreboard(AUDITOR, "quarter", Q1)["chart_svg"]
    assert svg == app.scoreboard(AUDITOR, "quarter", Q1)["chart_svg"]
    assert "WenQuanYi Micro Hei" in svg
