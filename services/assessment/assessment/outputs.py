"""The scoreboard's outputs: a bar chart (SVG, pygal) and CSV / XLSX exports, Chinese first.

Deterministic (AUDIT.md D26, ADR 0026): the same results give the same bytes on every run and
in any time zone. Points are numbers in the XLSX (not text); its dates and zip entry times are
the end of the period, never the wall clock. The chart's id is derived from its title (pygal
draws a random one) and its text is set in CJK fonts (the default names only Latin fonts, and
Chinese rendered as boxes).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pygal
from openpyxl import Workbook
from openpyxl.styles import Font
from pygal.style import DefaultStyle
from shequ.domainkit import LOCAL
from shequ.reports.render import deterministic_xlsx

from assessment.domain.common import SECTIONS

CJK_FONTS = (
    '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'
)
BASE_HEADINGS = ["排名", "名称", "总分", "基础分", *SECTIONS.values(), "加分", "扣分"]


def headings(items: list[dict[str, Any]]) -> list[str]:
    return [*BASE_HEADINGS, *(f"{i['name']}（{i['weight']}分）" for i in items), "无数据指标"]


def table(rows: list[dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    """Headings and one line per subject (points as decimal text)."""
    items = rows[0]["items"] if rows else []
    lines = []
    for r in rows:
        no_data = "、".join(i["name"] for i in r["items"] if i["no_data"])
        lines.append(
            [
                r["rank"],
                r["name"],
                r["total"],
                r["base"],
                *(r["sections"][s] for s in SECTIONS),
                r["bonus"],
                r["deduction"],
                *(i["points"] for i in r["items"]),
                no_data,
            ]
        )
    return headings(items), lines


def to_csv(rows: list[dict[str, Any]]) -> bytes:
    head, lines = table(rows)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(lines)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def _number(value: Any) -> Any:
    return (
        Decimal(value)
        if isinstance(value, str) and value.replace(".", "", 1).lstrip("-").isdigit()
        else value
    )


def period_closed_at(end: str) -> datetime:
    """The instant a period ends: its last day's end in Asia/Shanghai (the document date)."""
    return datetime.combine(date.fromisoformat(end) + timedelta(days=1), time(), LOCAL)


def to_xlsx(rows: list[dict[str, Any]], title: str, end: str) -> bytes:
    """The table with points as numbers; dated the end of the period (``end``, its last day)."""
    head, lines = table(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = "考核结果"
    sheet.append([title])
    sheet.append(head)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append([_number(v) for v in line])
    for row in sheet.iter_rows(min_row=3, min_col=3):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    return deterministic_xlsx(book, period_closed_at(end), "shequ assessment")


def chart_svg(rows: list[dict[str, Any]], title: str) -> str:
    """A bar chart of totals, in rank order, with the three sections stacked."""
    style = DefaultStyle(font_family=CJK_FONTS)
    chart = pygal.StackedBar(
        title=title,
        x_title="名称",
        y_title="得分",
        show_legend=True,
        disable_xml_declaration=True,
        style=style,
    )
    chart.uuid = str(uuid5(NAMESPACE_URL, f"shequ:assessment:chart:{title}"))
    chart.x_labels = [r["name"] for r in rows]
    for key, label in SECTIONS.items():
        chart.add(label, [float(r["sections"][key]) for r in rows])
    chart.add("加减分", [float(r["bonus"]) - float(r["deduction"]) for r in rows])
    return str(chart.render(is_unicode=True))
