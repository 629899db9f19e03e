"""The scoreboard's outputs: a bar chart (SVG, pygal) and CSV / XLSX exports, Chinese first."""

from __future__ import annotations

import csv
import io
from typing import Any

import pygal
from openpyxl import Workbook
from openpyxl.styles import Font

from assessment.domain.common import SECTIONS

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


def to_xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    head, lines = table(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = "考核结果"
    sheet.append([title])
    sheet.append(head)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chart_svg(rows: list[dict[str, Any]], title: str) -> str:
    """A bar chart of totals, in rank order, with the three sections stacked."""
    chart = pygal.StackedBar(
        title=title, x_title="名称", y_title="得分", show_legend=True, disable_xml_declaration=True
    )
    chart.x_labels = [r["name"] for r in rows]
    for key, label in SECTIONS.items():
        chart.add(label, [float(r["sections"][key]) for r in rows])
    chart.add("加减分", [float(r["bonus"]) - float(r["deduction"]) for r in rows])
    return str(chart.render(is_unicode=True))
