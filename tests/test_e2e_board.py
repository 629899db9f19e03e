"""The public board and the verify page in a real browser (issue 15 part 3, AUDIT.md A7–A8,
GATEWAY.md G21): Debian's chromium through Playwright, against every service and a gateway
(``tests.support.console``).

A quarter of the sample village's books is kept and published through finance's RPC (the
demo's books: ``shequ.demofinance``); finance appends its lines to the district's public
disclosure log and writes the tiles the gateway serves. Nobody signed in, the list of boards
leads to the village's; its board
shows the quarter's lines with a verify link and a QR code each and the log's vkey; following a
line's link, the page checks it in the browser and says 已验证; the same line with one digit of
its amount changed says 未通过, and so does a vkey that is not the log's; with the audit path in
the link and @noble/ed25519 instead of WebCrypto it is verified the same, and a changed summary
is not. A resident signed in
objects to a line from the board: an empty question is refused beside its field, a real one is
filed once. Without the audit path in the link, the page reads only the tiles the line's
inclusion proof needs (c2sp.org/tlog-tiles), counted in a log of 600 entries.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from gateway.publiclog import PublicLog
from gateway.settings import Settings
from shequ.audit.notes import vkey
from shequ.audit.rfc9162 import leaf_hash
from shequ.audit.tiles import b64url, write_log
from shequ.demofinance import seed_books

from tests.support.browser import Browser
from tests.support.console import ConsoleSuite
from tests.support.gateway import GatewayProcess
from tests.support.infra import wait_until
from tests.support.suite import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
SUBSIDY = "村级组织运转经费"  # the quarter's first income line (shequ.demofinance)
FORGED_VKEY = (
    "shequ.example/jiaohe/disclosures+00000000+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
)


def last_quarter(today: dt.date) -> tuple[str, dt.date]:
    """The last complete quarter before ``today``: its label and first day."""
    first = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = (first - dt.timedelta(days=1)).replace(day=1)
    start = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
    return f"{start.year}Q{(start.month - 1) // 3 + 1}", start


def published_quarter(console: ConsoleSuite) -> dict[str, Any]:
    """The sample village's last quarter published, and its tiles written: the board's
    answer."""
    village = console.ids["village"]
    wait_until(
        lambda: console.call("finance", "ledger", actor=SYSTEM, village_id=village),
        what="finance knows the village",
    )
    label, start = last_quarter(dt.date.today())

    def day(month: int, d: int) -> str:
        return dt.date(start.year, start.month + month, d).isoformat()

    def call(service: str, method: str, payload: dict[str, Any]) -> Any:
        return console.call(service, method, **payload)

    seed_books(call, label, [(village, None)], start.isoformat(), day)
    board = console.call(
        "finance",
        "public_disclosures",
        actor={"person_id": "board", "role": "auditor"},
        village_id=village,
    )
    logged = max(r["index"] for d in board["disclosures"] for r in d["log"].values()) + 1

    def tiles_written() -> bool:
        answer = requests.get(f"{console.url}/log/jiaohe/checkpoint", timeout=5)
        return answer.status_code == 200 and int(answer.text.split("\n")[1]) >= logged

    wait_until(tiles_written, what="the log's tiles written")
    return board  # type: ignore[no-any-return]


def test_A7_A8_a_published_line_is_on_the_board_and_verifies(
    console: ConsoleSuite, browser: Browser
) -> None:
    board = published_quarter(console)
    (disclosure,) = board["disclosures"]
    income = next(s for s in disclosure["sections"] if s["key"] == "income")
    row = next(r for r in income["rows"] if r["cells"][2] == SUBSIDY)
    url = f"{console.url}/board/{console.ids['village']}"
    page = browser.page()
    try:
        page.goto(f"{console.url}/board")  # no sign-in: the villages, each to its board
        assert page.inner_text(f"a[href='/board/{console.ids['village']}']") == "示例村"
        page.click(f"a[href='/board/{console.ids['village']}']")
        page.wait_for(url)
        assert page.inner_text("h1") == "示例村财务公开栏"
        selector = f"#line-{disclosure['disclosure_id']}-income-{row['line'].split(':')[1]}"
        assert SUBSIDY in page.inner_text(selector)
        assert "50000.00" in page.inner_text(selector)
        lines = sum(len(s["rows"]) for s in disclosure["sections"] if s["key"] != "funds")
        assert len(page.texts("td.verify a.verify-link")) == lines
        assert page.evaluate("document.querySelectorAll('td.verify .qr svg').length") == lines
        vkey = page.inner_text("#vkey")
        assert vkey.startswith("shequ.example/jiaohe/disclosures+")
        # finance's newest head, and no witness policy here (ADR 0041)
        assert page.inner_text("#witness").endswith("未经见证")
        assert "本期无此类事项" in page.inner_text("main")
        page.shots("board")

        link = page.get_attribute(f"{selector} a.verify-link", "href")
        assert link == (
            f"{console.url}/v/jiaohe#i={row['log']['index']}&h={row['log']['leaf_hash']}"
        )
        page.click(f"{selector} a.verify-link")
        page.wait_for_selector("#verdict.ok")
        assert page.inner_text("#verdict .zh") == "已验证"
        assert page.input_value("#f-summary") == SUBSIDY
        assert page.input_value("#vkey") == vkey
        page.shots("verify-ok")

        amount = page.input_value("#f-amount_fen")
        changed = amount[:-3] + str((int(amount[-3]) + 1) % 10) + amount[-2:]
        page.fill("#f-amount_fen", changed)  # one digit changed
        page.click("#check")
        page.wait_for_selector("#verdict.bad")
        assert page.inner_text("#verdict .zh") == "未通过"
        page.shots("verify-failed")

        page.fill("#f-amount_fen", amount)  # back as published: verified again
        page.click("#check")
        page.wait_for_selector("#verdict.ok")
        page.fill("#vkey", FORGED_VKEY)  # a key that is not the log's
        page.click("#check")
        page.wait_for_selector("#verdict.bad")
        assert page.inner_text("#verdict .zh") == "未通过"

        # the audit path in the link (&p=, no tile read for it), and @noble/ed25519 in place
        # of WebCrypto: verified the same
        log = PublicLog(Settings(disclosure_log_dir=console.tmp / "disclosure-log"))
        proof = log.proof(row["log"]["index"])
        assert proof
        page.goto(f"{console.url}/v/jiaohe?ed25519=noble#i={row['log']['index']}&p={proof}")
        page.wait_for_selector("#verdict.ok")
        assert "@noble/ed25519" in page.inner_text("#details")
        page.fill("#f-summary", SUBSIDY + "款")  # the summary changed: no proof leads to the root
        page.click("#check")
        page.wait_for_selector("#verdict.bad")
        assert "不在已签名的公开日志中" in page.inner_text("#details")
    finally:
        page.close()


def test_D30_a_resident_objects_to_a_line_from_the_board(
    console: ConsoleSuite, browser: Browser
) -> None:
    board = published_quarter(console)
    (disclosure,) = board["disclosures"]
    path = f"/board/{console.ids['village']}"
    page = browser.page()
    try:
        page.goto(f"{console.url}{path}")
        assert page.texts("section.objection form") == []  # nobody signed in: no form
        console.login(page, "resident", then=path)
        page.select_option("#f-disclosure_id", disclosure["disclosure_id"])
        page.fill("#f-line", "income:1")
        page.fill("#f-text", "   ")  # only spaces: the browser sends it, the server refuses
        page.click("section.objection button[type=submit]")
        page.wait_for_selector("#err-text")
        assert page.inner_text("#err-text").startswith("请写明质询内容")
        page.fill("#f-text", "运转经费的用途请予说明（测试）")
        page.click("section.objection button[type=submit]")
        page.wait_for_selector("#filed")
        assert "答复期限" in page.inner_text("#filed")
        page.shots("board-objection-filed")
        due = console.call(
            "finance", "objections_due", actor=SYSTEM, village_id=console.ids["village"]
        )["objections"]
        mine = [o for o in due if o["text"] == "运转经费的用途请予说明（测试）"]
        assert [(o["line"], o["disclosure_id"]) for o in mine] == [
            ("income:1", disclosure["disclosure_id"])
        ]
    finally:
        page.close()


# what the page fetched, by path (the browser's resource timing: every request, cached or not)
FETCHED = "performance.getEntriesByType('resource').map(e => new URL(e.name).pathname)"


def test_A8_the_verify_page_reads_only_the_tiles_the_proof_needs(
    console: ConsoleSuite, browser: Browser, tmp_path: Path
) -> None:
    """600 entries: the level-0 tiles 000, 001 and 002.p/88, the level-1 tile 000.p/2 (the
    roots of the two full level-0 tiles). Entry 5's proof needs its own tile (the siblings
    inside it), the root of entries 256-511 (one hash of the level-1 tile, not the 256 of
    level-0 tile 001) and the partial tile's hashes; entry 300's needs tile 001, the root of
    0-255 from the level-1 tile, and the partial tile."""
    entries = [
        f'{{"format":"shequ.disclosure.line/1","seq":{i},"summary":"第{i}行"}}'.encode()
        for i in range(600)
    ]
    key = Ed25519PrivateKey.generate()
    origin = "shequ.example/jiaohe/disclosures"
    write_log(tmp_path / "disclosure-log", entries, origin, key)
    (tmp_path / "disclosure-log" / "vkey").write_text(vkey(origin, key.public_key()) + "\n")
    gateway = GatewayProcess(console.amqp, tmp_path).start()  # serves tmp_path/disclosure-log
    page = browser.page()
    try:
        for index, needed in (
            (5, {"tile/0/000", "tile/1/000.p/2", "tile/0/002.p/88", "tile/entries/000"}),
            (300, {"tile/0/001", "tile/1/000.p/2", "tile/0/002.p/88", "tile/entries/001"}),
        ):
            page.goto("about:blank")
            leaf = b64url(leaf_hash(entries[index]))
            page.goto(f"{gateway.url}/v/jiaohe#i={index}&h={leaf}")
            page.wait_for_selector("#verdict.ok")
            assert page.inner_text("#verdict .zh") == "已验证"
            assert f"第 {index} 条，日志共 600 条" in page.inner_text("#details")
            read = [p.removeprefix("/log/jiaohe/") for p in page.evaluate(FETCHED)]
            tiles = [p for p in read if p.startswith("tile/")]
            assert sorted(tiles) == sorted(needed), read  # each once, and no other
            assert {"checkpoint", "vkey"} <= set(read)

        page.goto("about:blank")
        page.goto(f"{gateway.url}/v/jiaohe#i=300")  # no hash in the link: the tiles decide
        page.wait_for_selector("#verdict.ok")
        page.fill("#f-summary", "第300行。")  # changed: no path from it leads to the root
        page.click("#check")
        page.wait_for_selector("#verdict.bad")
        assert "不在已签名的公开日志中" in page.inner_text("#details")
    finally:
        page.close()
        gateway.stop()


def test_D30_D32_a_resident_files_and_follows_their_households_objections(
    console: ConsoleSuite, browser: Browser
) -> None:
    """From the resident's own page (linked in their navigation): an empty question refused
    beside its field; one filed, listed open with its due date; answered by the village's
    民主理财小组 from the finance pages, then shown with the answer, on time, there and on the
    resident's home page."""
    board = published_quarter(console)
    (disclosure,) = board["disclosures"]
    village = console.ids["village"]
    page, group = browser.page(), browser.page()
    try:
        console.login(page, "resident")
        page.click("header nav a[href='/my/objections']")
        page.wait_for(f"{console.url}/my/objections")
        assert page.inner_text("main h1") == "我的质询"
        assert page.get_attribute("#board-link", "href") == f"/board/{village}"
        page.select_option("#f-disclosure_id", disclosure["disclosure_id"])
        page.fill("#f-line", "income:0")
        page.fill("#f-text", "  ")
        page.click("#objection-form button[type=submit]")
        page.wait_for_selector("#err-text")
        assert page.inner_text("#err-text").startswith("请写明质询内容")
        assert page.get_attribute("#f-text", "aria-invalid") == "true"
        page.fill("#f-text", "补助收入何时到账？（我的质询测试）")
        page.click("#objection-form button[type=submit]")
        page.wait_for_selector("#filed")
        objection = page.evaluate("new URLSearchParams(location.search).get('filed')")
        row = f"tr[data-objection='{objection}']"
        mine = console.call("finance", "objection", actor=SYSTEM, objection_id=objection)
        assert page.inner_text("#filed").endswith(mine["due_on"])
        assert page.texts(f"{row} td") == [
            disclosure["period"],
            "income:0",
            "补助收入何时到账？（我的质询测试）",
            dt.date.today().isoformat(),
            mine["due_on"],
            "待答复",
            "",
            "未到期",
        ]
        page.shots("my-objections")

        console.login(group, "finance_group")
        group.goto(f"{console.url}/finance/objections")
        group.fill(f"#answer-{objection}", "已于本月到账，凭证已公示。")
        group.click(f"tr[data-objection='{objection}'] button[type=submit]")
        group.wait_for(f"{console.url}/finance/objections")

        page.goto(f"{console.url}/my/objections?lang=en")
        assert page.inner_text(f"{row} td.status") == "answered"
        assert page.inner_text(f"{row} td.answer").startswith("已于本月到账，凭证已公示。")
        assert page.inner_text(f"{row} td.timely") == "answered on time"
        page.goto(f"{console.url}/?lang=zh")  # and on the resident's home page
        assert page.inner_text(f"#panel-my_objections {row} td.timely") == "按期答复"
        assert "补助收入何时到账？" in page.inner_text("#panel-my_objections")
    finally:
        page.close()
        group.close()
