"""Printable cards: A6 pages with an embedded CJK font and a QR code, checked by rendering
them with poppler (pdftoppm to PNG, pdftotext back to text) — what a printer would get."""

from __future__ import annotations

import base64
import re
import subprocess
from pathlib import Path

import pytest
from outreach_testing import ONLY_SQLITE, STAFF, World
from PIL import Image
from shequ.actor import Actor
from shequ.errors import Forbidden


def _pdf(tmp_path: Path, answer: dict) -> Path:
    path = tmp_path / answer["filename"]
    path.write_bytes(base64.b64decode(answer["pdf_base64"]))
    return path


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@ONLY_SQLITE
def test_household_card_pdf_is_a6_with_cjk_text_and_a_qr_code(world: World, tmp_path: Path):
    x = world.district(1)
    hid = x["households"][0]
    resident = Actor(person_id="r-1", role="resident", household_id=hid)
    path = _pdf(tmp_path, world.app.card_pdf(resident, hid))
    text = _text(path)
    card = world.card(hid)
    assert "立柱社区便民服务联系卡" in text
    for c in card["contacts"]:
        assert c["name"] in text and c["phone"] in text and c["role_zh"] in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout
    assert "WenQuanYi" in fonts or "Noto" in fonts
    assert " yes " in fonts.splitlines()[2]  # embedded
    subprocess.run(["pdftoppm", "-png", "-r", "100", str(path), str(tmp_path / "page")], check=True)
    [png] = sorted(tmp_path.glob("page*.png"))
    with Image.open(png) as image:
        width, height = image.size
        assert abs(width / height - 105 / 148) < 0.01  # A6 portrait
        # The QR code sits bottom right: a dense mix of black and white modules there.
        corner = image.convert("L").crop(
            (int(width * 0.68), int(height * 0.78), int(width * 0.93), int(height * 0.96))
        )
        dark = sum(corner.histogram()[:128]) / (corner.width * corner.height)
        assert 0.25 < dark < 0.75


@ONLY_SQLITE
def test_qr_code_carries_the_configured_case_filing_address(world: World):
    from outreach.pdf import qr_png

    x = world.district(1)
    card = world.card(x["households"][0])
    assert card["case_url"] == (
        f"https://shequ.jiaohe.example/file-case?household={x['households'][0]}"
    )
    import segno

    # The PNG is the same as segno's own encoding of that URL (segno has no decoder).
    expected = segno.make(card["case_url"], error="m")
    with Image.open(qr_png(card["case_url"])) as image:
        assert image.size == (expected.symbol_size(scale=4, border=2))


@ONLY_SQLITE
def test_village_batch_pdf_has_one_page_per_household(world: World, tmp_path: Path):
    x = world.district(3)
    path = _pdf(tmp_path, world.app.village_cards_pdf(STAFF, x["village_id"]))
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+3$", info, re.MULTILINE)
    assert _text(path).count("便民服务联系卡") == 3
    other = world.district(1)
    stranger = Actor(person_id=other["members"]["services"], role="team_member")
    with pytest.raises(Forbidden):
        world.app.village_cards_pdf(stranger, x["village_id"])


def test_long_duties_are_shortened_so_eight_contacts_fit_one_card(tmp_path: Path):
    from outreach.pdf import render

    contact = {
        "role_zh": "农村财务管理组",
        "name": "王示例",
        "phone": "13800000001",
        "duties": "财务审核与交接、记账、财务公开、资产与合同管理" * 10,
    }
    card = {
        "community_name": "立柱",
        "village_name": "东王家村",
        "address": "第一村民小组",
        "version": 1,
        "issued_on": "2025-03-02",
        "card_id": "abcdef12",
        "case_url": "https://example.org/f?household=1",
        "contacts": [contact] * 8,
    }
    path = tmp_path / "long.pdf"
    path.write_bytes(render([card]))
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.MULTILINE)
    text = _text(path)
    assert text.count("13800000001") == 8 and text.count("…") == 8
