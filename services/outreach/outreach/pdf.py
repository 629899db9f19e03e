"""Printable contact cards: one A6 page per card, Chinese text in an embedded CJK font, and a
QR code carrying the household's case-filing address. fpdf2 draws; segno makes the QR code.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
from fpdf import FPDF

# Debian's fonts-wqy-microhei first, Noto CJK (fonts-noto-cjk) as the fallback.
A6 = (105.0, 148.0)  # ISO 216, in mm (fpdf2 names A3-A5 only)
FONT_CANDIDATES = (
    (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),  # face 2: SC
)


@lru_cache(maxsize=1)
def cjk_font() -> tuple[Path, int]:
    for path, face in FONT_CANDIDATES:
        if path.exists():
            return path, face
    raise RuntimeError("no CJK font found: install fonts-wqy-microhei or fonts-noto-cjk")


def qr_png(url: str) -> io.BytesIO:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=4, border=2)
    out.seek(0)
    return out


class CardDocument:
    """A PDF of A6 cards (105 x 148 mm), one card per page."""

    def __init__(self) -> None:
        path, face = cjk_font()
        self.pdf = FPDF(orientation="P", unit="mm", format=A6)
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(7, 7, 7)
        self.pdf.add_font("cjk", "", str(path), collection_font_number=face)
        self.pdf.set_title("便民服务联系卡 Contact card")
        self.pdf.set_creator("shequ outreach")

    def centred(self, height: float, text: str) -> None:
        """One line of ``text`` across the card, centred."""
        self.pdf.cell(0, height, text, align="C", new_x="LMARGIN", new_y="NEXT")

    def add(self, card: dict[str, Any]) -> None:
        pdf = self.pdf
        pdf.add_page()
        pdf.set_font("cjk", size=13)
        self.centred(7, f"{card['community_name']}社区便民服务联系卡")
        pdf.set_font("cjk", size=7)
        self.centred(4, f"{card['village_name']}  {card['address']}")
        self.centred(4, f"第{card['version']}版  {card['issued_on']}  编号 {card['card_id'][:8]}")
        pdf.ln(1.5)
        for contact in card["contacts"]:
            pdf.set_font("cjk", size=8.5)
            pdf.cell(26, 5, contact["role_zh"])
            pdf.cell(20, 5, contact["name"])
            pdf.cell(0, 5, contact["phone"], new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("cjk", size=6.5)
            pdf.multi_cell(
                0, 3.2, f"职责：{_short(contact['duties'])}", new_x="LMARGIN", new_y="NEXT"
            )
        pdf.image(qr_png(card["case_url"]), x=72, y=116, w=26, h=26)
        pdf.set_xy(7, 120)
        pdf.set_font("cjk", size=7)
        pdf.multi_cell(
            62,
            3.6,
            "有事找服务队：拨打上面的电话，或扫右侧二维码提交诉求、意见和建议。"
            "事事有人管，件件有着落。",
            new_x="LMARGIN",
            new_y="NEXT",
        )

    def bytes(self) -> bytes:
        return bytes(self.pdf.output())


DUTIES_ON_CARD = 36  # characters: two lines at 6.5 pt, so eight contacts fit above the QR code


def _short(text: str) -> str:
    return text if len(text) <= DUTIES_ON_CARD else text[: DUTIES_ON_CARD - 1] + "…"


def render(cards: Iterable[dict[str, Any]]) -> bytes:
    """One PDF with a page per card (empty input gives no PDF: callers check first)."""
    doc = CardDocument()
    for card in cards:
        doc.add(card)
    return doc.bytes()
