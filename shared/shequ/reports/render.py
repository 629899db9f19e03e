"""A report document in five formats, byte-identical on every run and in any time zone
(AUDIT.md D25–D26, §3).

The document is a plain dict (``document``): header fields, the basis of D23, and sections
of columns and rows (and an optional ``note``, shown under the rows). Cells are integers,
text, or decimal text in ``decimal`` columns (the canonical JSON holds integers only).
Every date inside a file comes from the cut: the PDF's CreationDate, the XLSX's
created/modified and its zip entries' times. Nothing reads the clock
or the time zone. What the bytes depend on beyond the document — the library versions and the
font file — is the renderer profile, recorded in the PDF, XLSX and HTML and printed by the CLI.

- JSON: the reference artefact: sorted keys, no spaces, UTF-8, NFC text, a final newline.
- CSV: UTF-8 with BOM, CRLF, the header lines, then each section (title, headings, rows).
- XLSX: openpyxl, then re-zipped with fixed entry times and ``dcterms:modified`` = the cut
  (openpyxl stamps the wall clock on save).
- PDF: fpdf2, A4 (landscape for wide tables), WenQuanYi Micro Hei embedded, page numbers
  "第 x 页 共 y 页", creation date = the cut.
- HTML: one static page, no script, no clock.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from shequ import privacy
from shequ.audit.bundle import renderer
from shequ.clock import local_date

FORMATS = ("json", "csv", "xlsx", "pdf", "html")
DOCUMENT_FORMAT = "shequ.report/1"
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # fonts-wqy-microhei

# Defence in depth for free text (titles, published texts): a mobile number or an ID number
# that slipped into it is masked as RULES §6 says (the folds mask the named fields).
_MOBILE = re.compile(r"(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def scrub(text: str) -> str:
    """``text`` with any mobile or ID number in it masked (RULES §6), NFC."""
    text = _ID_NUMBER.sub(lambda m: privacy.mask_id_number(m[0]), text)
    text = _MOBILE.sub(lambda m: privacy.mask_phone(m[0]), text)
    return unicodedata.normalize("NFC", text)


def _clean(value: Any) -> Any:
    """NFC text, integers only (no floats), recursively; free text scrubbed."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    raise TypeError(f"a report holds integers and text only, not {type(value).__name__}")


def document(
    report: str,
    service: str,
    content: dict[str, Any],
    period: dict[str, str],
    cut: str,
    bases: list[dict[str, Any]],
) -> dict[str, Any]:
    """The whole document: the fold's ``content`` (title, subject, sections, notes) under
    the header every report carries (report, service, period, cut, the bases of D23)."""
    body = _clean(content)
    for section in body["sections"]:
        width = len(section["columns"])
        if any(len(row) != width for row in section["rows"]):
            raise ValueError(f"section {section['key']}: a row does not match its columns")
    return {
        **body,
        "format": DOCUMENT_FORMAT,
        "report": report,
        "service": service,
        "period": dict(period),
        "cut": cut,
        "as_of_date": _local_date(cut),
        "basis": [dict(b) for b in bases],
    }


def column(key: str, zh: str, en: str, kind: str = "text") -> dict[str, str]:
    """A section's column: its key, headings (中文, English) and cell type (text, int,
    decimal: decimal text in JSON and CSV, a number in XLSX; date: ISO text)."""
    return {"key": key, "zh": zh, "en": en, "type": kind}


def _local_date(cut: str) -> str:
    return local_date(datetime.fromisoformat(cut))


def basis_line(basis: dict[str, Any]) -> str:
    """依据：casework 日志前 n 条事件，树根 xxxxxxxx…，签名树头 m（密钥 04ea81c3）"""
    head = basis["head"]
    return (
        f"依据：{basis['service']} 日志前 {basis['tree_size']} 条事件，树根 {basis['root'][:16]}…，"
        f"签名树头 {head['tree_size']}（密钥 {head['key_id']}）"
        f" / basis: {basis['service']} first {basis['tree_size']} events, root "
        f"{basis['root']}, signed head {head['tree_size']} root {head['root']}; "
        f"一致性证明 consistency proof {basis['tree_size']}→{head['tree_size']}: "
        + (" ".join(basis["consistency_proof"]) or "（n = m，无需 none needed）")
        + _witness_text(basis.get("witness"))
    )


def _witness_text(witness: dict[str, Any] | None) -> str:
    """；见证：2/2（township、discipline） / witnessed: 2/2 — checkpoint m's cosignatures
    checked against the witness policy's keys (ADR 0041)."""
    if witness is None:
        return ""
    names = "、".join(witness["cosigned"])
    return f"；{witness['line']}" + (f"（{names}）" if names else "") + f" / {witness['line_en']}"


def header_lines(doc: dict[str, Any]) -> list[str]:
    subject = doc["subject"]
    return [
        doc["title"],
        f"对象 Subject：{subject['name']}（{subject['level']} {subject['id']}）",
        f"期间 Period：{doc['period']['start']} — {doc['period']['end']}（{doc['period']['label']}）",
        f"截至 As of：{doc['as_of_date']}（{doc['cut']}）",
        *(basis_line(b) for b in doc["basis"]),
        *doc.get("notes", []),
    ]


def _cell_text(value: Any) -> str:
    return "" if value is None else str(value)


# --- the five formats ----------------------------------------------------------------------


def to_json(doc: dict[str, Any]) -> bytes:
    return (
        json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        + b"\n"
    )


def to_csv(doc: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in header_lines(doc):
        writer.writerow([line])
    for section in doc["sections"]:
        writer.writerow([])
        writer.writerow([section["title"]])
        writer.writerow([f"{c['zh']} {c['en']}" for c in section["columns"]])
        writer.writerows([_cell_text(v) for v in row] for row in section["rows"])
        if section.get("note"):
            writer.writerow([section["note"]])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def _xlsx_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(value)
    return value


def to_xlsx(doc: dict[str, Any], profile: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "说明"
    for line in [*header_lines(doc), "renderer: " + json.dumps(profile, sort_keys=True)]:
        sheet.append([line])
    sheet["A1"].font = Font(bold=True)
    used = {"说明"}
    for number, section in enumerate(doc["sections"], start=1):
        name = section["title"][:28]
        if name in used:
            name = f"{name[:25]}-{number}"
        used.add(name)
        page = book.create_sheet(name)
        page.append([section["title"]])
        page.append([f"{c['zh']} {c['en']}" for c in section["columns"]])
        for cell in page[2]:
            cell.font = Font(bold=True)
        kinds = [c["type"] for c in section["columns"]]
        for row in section["rows"]:
            page.append([_xlsx_value(v, k) for v, k in zip(row, kinds, strict=True)])
        for index, kind in enumerate(kinds, start=1):
            if kind == "decimal":
                for (cell,) in page.iter_rows(min_row=3, min_col=index, max_col=index):
                    cell.number_format = "0.00"
        if section.get("note"):
            page.append([section["note"]])
    return deterministic_xlsx(book, datetime.fromisoformat(doc["cut"]), "shequ report")


def deterministic_xlsx(book: Any, when: datetime, creator: str) -> bytes:
    """Save an openpyxl workbook with ``when`` as its created and modified dates and as every
    zip entry's time: openpyxl stamps the wall clock on save, so the file is re-zipped."""
    moment = when.astimezone(ZoneInfo("UTC")).replace(tzinfo=None, microsecond=0)
    book.properties.creator = creator
    book.properties.lastModifiedBy = creator
    book.properties.created = moment
    book.properties.modified = moment
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = moment.isoformat() + "Z"
    out = io.BytesIO()
    zip_time = max(moment, datetime(1980, 1, 1)).timetuple()[:6]
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    lambda m: m[1] + stamp.encode() + m[2],
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=zip_time)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return out.getvalue()


def to_pdf(doc: dict[str, Any], profile: dict[str, Any]) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    class Board(FPDF):
        def footer(self) -> None:
            self.set_y(-12)
            self.set_font("cjk", size=8)
            self.cell(0, 6, f"第 {self.page_no()} 页 共 {{nb}} 页", align="C")

    pdf = Board(orientation="P", unit="mm", format="A4")
    pdf.add_font("cjk", "", str(FONT), collection_font_number=0)
    pdf.set_creation_date(datetime.fromisoformat(doc["cut"]))
    pdf.set_title(doc["title"])
    pdf.set_author("shequ")
    pdf.set_creator("shequ report")
    pdf.set_producer(f"fpdf2 {profile['packages'].get('fpdf2')}")
    pdf.set_subject(json.dumps(profile, sort_keys=True, separators=(",", ":")))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("cjk", size=15)
    pdf.multi_cell(0, 9, doc["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    for line in header_lines(doc)[1:]:
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    for section in doc["sections"]:
        wide = len(section["columns"]) > 7
        pdf.add_page(orientation="L" if wide else "P")
        pdf.set_font("cjk", size=12)
        pdf.multi_cell(0, 8, section["title"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=7 if wide else 8)
        plain = FontFace(emphasis="")  # one CJK face, no bold: headings in the same face
        with pdf.table(text_align="LEFT", line_height=4.5, headings_style=plain) as table:
            table.row([f"{c['zh']}\n{c['en']}" for c in section["columns"]])
            for values in section["rows"]:
                table.row([_cell_text(v) for v in values])
        if not section["rows"]:
            pdf.multi_cell(0, 6, "（无 none）", new_x="LMARGIN", new_y="NEXT")
        if section.get("note"):
            pdf.multi_cell(0, 6, section["note"], new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def to_html(doc: dict[str, Any], profile: dict[str, Any]) -> bytes:
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{e(doc['title'])}</title>",
        f'<meta name="generator" content="{e(json.dumps(profile, sort_keys=True))}">',
        (
            "<style>table{border-collapse:collapse}td,th{border:1px solid #999;padding:2px 6px}"
            "</style></head><body>"
        ),
        f"<h1>{e(doc['title'])}</h1>",
        *(f"<p>{e(line)}</p>" for line in header_lines(doc)[1:]),
    ]
    for section in doc["sections"]:
        parts.append(f'<h2 id="{e(section["key"])}">{e(section["title"])}</h2><table>')
        parts.append(
            "<tr>"
            + "".join(f"<th>{e(c['zh'])}<br>{e(c['en'])}</th>" for c in section["columns"])
            + "</tr>"
        )
        for row in section["rows"]:
            parts.append("<tr>" + "".join(f"<td>{e(_cell_text(v))}</td>" for v in row) + "</tr>")
        parts.append("</table>")
        if section.get("note"):
            parts.append(f"<p>{e(section['note'])}</p>")
    parts.append("</body></html>")
    return ("\n".join(parts) + "\n").encode("utf-8")


def render(doc: dict[str, Any], fmt: str, profile: dict[str, Any] | None = None) -> bytes:
    """The document's bytes in ``fmt`` (one of FORMATS)."""
    profile = profile or renderer_profile()
    writers: dict[str, Callable[[], bytes]] = {
        "json": lambda: to_json(doc),
        "csv": lambda: to_csv(doc),
        "xlsx": lambda: to_xlsx(doc, profile),
        "pdf": lambda: to_pdf(doc, profile),
        "html": lambda: to_html(doc, profile),
    }
    if fmt not in writers:
        raise ValueError(f"unknown format {fmt}: one of {', '.join(FORMATS)}")
    return writers[fmt]()


@lru_cache(maxsize=1)
def font_sha256() -> str | None:
    return hashlib.sha256(FONT.read_bytes()).hexdigest() if FONT.is_file() else None


def renderer_profile() -> dict[str, Any]:
    """What the bytes depend on beyond the document (D25): library versions, the font file."""
    return renderer(("fpdf2", "openpyxl", "pygal", "fonttools"), {FONT.name: font_sha256()})


__all__ = [
    "FORMATS",
    "basis_line",
    "column",
    "deterministic_xlsx",
    "document",
    "render",
    "renderer_profile",
    "scrub",
]
