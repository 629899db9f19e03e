"""The finance pages in a real browser (Debian's chromium through Playwright), on the console's
shared suite: a clerk drafts a voucher with the live balance check, the four reviewers approve
it in turn (each seeing it in their queue only at their stage), the agency's accountant posts
it under its number; the quarter's months are closed, its disclosure prepared, reviewed by the
民主理财小组 and published. And which finance page each role may open.

The story runs in a village of its own (理财村, its own finance accounts), so the other console
tests' villages and books are left as they were."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from argon2 import PasswordHasher
from argon2.profiles import CHEAPEST
from click.testing import CliRunner
from gateway.accounts import Accounts
from gateway.authstore import open_engine
from shequ.cli import main
from shequ.store import Store
from shequ.suite import SERVICES

from tests.support.browser import Browser, Page
from tests.support.console import PASSWORD, ROLES, ConsoleSuite
from tests.support.infra import wait_until
from tests.support.suite import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
# the reviewers of the four stages in the default order, and who drafts
STAGES = (
    ("clerk_check", "fin.checker", "finance_clerk", "报账员初审"),
    ("finance_group", "fin.group", "finance_group", "民主理财小组集体审核"),
    ("village_head", "fin.head", "village_head", "村书记或主任审批"),
    ("agency", "console.agency.accountant", "agency_accountant", "三资代理服务中心会计审核"),
)
# cash on hand 6,000.00 yuan: over the default limit of 5,000.00 (F32, a warning on the books)
OPENING = {"101": 600_000, "102": 12_500_000, "151": 30_000_000, "301": -43_100_000}
ASSETS = [
    {"name": "村委会办公楼", "unit": "栋", "original_fen": 30_000_000, "acquired_on": "2012-06-30"}
]


def last_quarter(today: dt.date) -> tuple[str, list[str]]:
    """The last quarter that has ended, and its months."""
    q = (today.month - 1) // 3
    year, q = (today.year - 1, 4) if q == 0 else (today.year, q)
    return f"{year}Q{q}", [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


@pytest.fixture(scope="module")
def books(console: ConsoleSuite) -> dict[str, Any]:
    """理财村 of the console's community, known to finance, its ledger opened on the first day
    of the last quarter that ended, and the accounts of its clerk, a second clerk (the
    clerk's check), its 民主理财小组 member and its head."""
    quarter, months = last_quarter(dt.date.today())
    village = console.command(
        "registry",
        "register_village",
        SYSTEM,
        "console-finance-village",
        community_id=console.ids["community"],
        name="理财村",
        sample=True,
        registered_on="2024-01-01",
    )["village_id"]

    def known() -> bool:
        listed = console.call("finance", "ledgers", actor=SYSTEM)["villages"]
        return any(v["village_id"] == village for v in listed)

    wait_until(known, timeout=60, what="finance knows 理财村")
    console.command(
        "finance",
        "open_ledger",
        SYSTEM,
        "console-finance-ledger",
        village_id=village,
        opened_on=f"{months[0]}-01",
        opening=OPENING,
        assets=ASSETS,
    )
    engine = open_engine(Store.parse(f"sqlite:///{console.accounts_db}"))
    try:
        accounts = Accounts(engine, hasher=PasswordHasher.from_parameters(CHEAPEST))
        for username, role, name in (
            ("fin.clerk", "finance_clerk", "王报账"),
            ("fin.checker", "finance_clerk", "陈初审"),
            ("fin.group", "finance_group", "刘理财"),
            ("fin.head", "village_head", "孙主任"),
        ):
            person = str(uuid.uuid5(uuid.NAMESPACE_URL, f"shequ-console/{username}"))
            accounts.add(
                username,
                PASSWORD,
                person,
                role,
                by="operator:test",
                village_id=village,
                display_name=name,
            )
    finally:
        engine.dispose()
    return {"village": village, "quarter": quarter, "months": months}


def signed_in(console: ConsoleSuite, browser: Browser, username: str) -> Page:
    page = browser.page()
    page.goto(f"{console.url}/login?next=/")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{console.url}/")
    return page


@pytest.fixture(scope="module")
def people(
    console: ConsoleSuite, browser: Browser, books: dict[str, Any]
) -> Iterator[dict[str, Page]]:
    """A signed-in page for the clerk and each stage's reviewer."""
    pages = {"fin.clerk": signed_in(console, browser, "fin.clerk")}
    for _, username, _, _ in STAGES:
        pages[username] = signed_in(console, browser, username)
    try:
        yield pages
    finally:
        for page in pages.values():
            page.close()


def queued(console: ConsoleSuite, page: Page, village: str) -> list[str]:
    """The vouchers ``page``'s person sees in their review queue (ids)."""
    page.goto(f"{console.url}/finance/queue?village={village}")
    page.wait_for_selector("main h1")
    found = page.evaluate(
        "[...document.querySelectorAll('tr[data-voucher]')].map(e => e.dataset.voucher)"
    )
    return [str(x) for x in found]


def enter(
    console: ConsoleSuite,
    clerk: Page,
    village: str,
    summary: str,
    debit: tuple[str, str],
    credit: tuple[str, str],
) -> None:
    """The entry form of ``village`` filled in: the summary, a debit line and a credit line,
    each (account, amount in yuan)."""
    clerk.goto(f"{console.url}/finance/vouchers/new?village={village}")
    clerk.fill("#f-summary", summary)
    for row, (side, (account, amount)) in enumerate((("debit", debit), ("credit", credit))):
        clerk.fill(f"#account-{row}", account)
        clerk.select_option(f"#side-{row}", side)
        clerk.fill(f"#amount-{row}", amount)


def test_a_voucher_through_its_four_reviews_and_the_quarter_published(
    console: ConsoleSuite, books: dict[str, Any], people: dict[str, Page]
) -> None:
    village, quarter, months = books["village"], books["quarter"], books["months"]
    clerk = people["fin.clerk"]
    enter(console, clerk, village, "购买办公用品", ("513", "1,200.50"), ("102", "1200"))
    clerk.fill("#f-voucher_date", f"{months[1]}-10")
    clerk.fill("#memo-0", "办公用品")
    # the live check, computed by the gateway from the lines as they stand
    clerk.wait_for_selector("#balance strong:has-text('借贷不平，相差 0.50 元')")
    assert "借方合计 1,200.50 元" in clerk.inner_text("#balance")
    clerk.fill("#amount-1", "1200.5")
    clerk.wait_for_selector("#balance [data-balanced=yes]")
    clerk.shots("finance-entry")
    clerk.click("button[name=then][value=submit]")
    clerk.wait_for_selector("#voucher-status, p.error")
    assert not clerk.texts("p.error"), clerk.texts("p.error")
    assert clerk.inner_text("#voucher-status") == "审核中"
    assert clerk.inner_text("#voucher-awaits") == "报账员初审"
    voucher_id = str(clerk.evaluate("location.pathname")).rsplit("/", 1)[1]
    checker = people["fin.checker"]
    checker.goto(f"{console.url}/")  # the staff home: what waits for me
    assert "购买办公用品" in checker.inner_text("#panel-finance_queue")

    for i, (stage, username, _, title) in enumerate(STAGES):
        reviewer = people[username]
        later = [people[u] for _, u, _, _ in STAGES[i + 1 :] if u != username]
        assert voucher_id in queued(console, reviewer, village), stage
        for waiting in later:  # not theirs yet
            assert voucher_id not in queued(console, waiting, village), (stage, waiting)
        reviewer.goto(f"{console.url}/finance/vouchers/{voucher_id}")
        assert reviewer.inner_text("#review-form h2") == title
        reviewer.fill("#f-opinion", f"{title}：同意")
        reviewer.click("#approve")
        reviewer.wait_for_selector(f"#trail li:has-text('{title}')")
        if stage == "clerk_check":
            reviewer.shots("finance-voucher")
    agency = people["console.agency.accountant"]
    assert voucher_id in queued(console, agency, village)
    waiting = agency.texts(f"tr[data-voucher='{voucher_id}'] td")
    assert (waiting[0], waiting[4]) == ("理财村", "待记账")  # the agency serves every village
    agency.goto(f"{console.url}/finance/vouchers/{voucher_id}")
    agency.click("#post-voucher")
    agency.wait_for_selector("#voucher-status:has-text('已记账')")
    number = agency.inner_text("#voucher-number")
    assert number == f"记-{months[0][:4]}-001"
    assert voucher_id not in queued(console, agency, village)

    # the books of the month: the voucher under its number, the trial balance balanced
    clerk.goto(f"{console.url}/finance/books?village={village}&period={months[1]}&account=102")
    assert number in clerk.inner_text("#vouchers")
    assert clerk.inner_text("#trial-balanced") == "借贷平衡"
    assert clerk.inner_text("#trial-balance tr[data-account='513'] td:nth-child(4)") == "1,200.50"
    # the bank journal: opening 125,000.00, paid 1,200.50, running balance 123,799.50
    assert clerk.texts("#journal tbody tr td:last-child") == ["125,000.00", "123,799.50"]
    # F32: cash over the limit is reported on the books, never refused
    warning = clerk.inner_text("#warning-cash-over_limit")
    assert warning.startswith("库存现金期末余额 6,000.00 元，超过限额 5,000.00 元 1,000.00 元")
    assert "1,000.00 yuan over the limit of 5,000.00 yuan" in warning
    clerk.shots("finance-books")

    # the quarter's months closed in order by the agency's accountant
    agency.goto(f"{console.url}/finance/periods?village={village}")
    for month in months:
        assert agency.inner_text("#next-month") == month
        agency.click("#close-month")
        agency.wait_for_selector(f"#closed-months:has-text('{month}')")

    # prepared by the clerk, reviewed by the 民主理财小组, published by the head
    clerk.goto(f"{console.url}/finance/disclosures?village={village}")
    clerk.fill("#f-period", quarter)
    clerk.click("#prepare")
    clerk.wait_for_selector("#disclosure-status:has-text('已编制')")
    assert "办公用品" in clerk.inner_text("#cat-expense + table")
    disclosure_url = str(clerk.evaluate("location.pathname"))
    group = people["fin.group"]
    group.goto(f"{console.url}{disclosure_url}")
    group.fill("#f-opinion", "经审核，账目清楚，同意公开。")
    group.click("#review-disclosure")
    group.wait_for_selector("#disclosure-status:has-text('已审核')")
    head = people["fin.head"]
    head.goto(f"{console.url}{disclosure_url}")
    head.click("#publish-disclosure")
    head.wait_for_selector("#disclosure-status:has-text('已发布')")
    assert head.inner_text("#opinion") == "经审核，账目清楚，同意公开。"
    head.shots("finance-disclosure")
    books["disclosure"] = disclosure_url.rsplit("/", 1)[1]
    # published: the village's board and each line's verify page linked from the console
    board = f"/board/{village}#d-{books['disclosure']}"
    assert head.get_attribute("#board-link", "href") == board
    verify = head.get_attribute("tr[data-line='expense:1'] a.verify-link", "href")
    assert verify.startswith(f"{console.url}/v/jiaohe#i=") and "&h=" in verify
    head.goto(f"{console.url}/finance/disclosures?village={village}")
    assert head.get_attribute("#disclosures a.board-link", "href") == board
    head.click("#disclosures a.board-link")
    head.wait_for(f"{console.url}{board}")
    assert head.inner_text("h1") == "理财村财务公开栏"
    index = int(verify.split("#i=")[1].split("&")[0])

    def logged() -> bool:  # finance's job writes the log's tiles every 2 s
        answer = requests.get(f"{console.url}/log/jiaohe/checkpoint", timeout=5)
        return answer.status_code == 200 and int(answer.text.split("\n")[1]) > index

    wait_until(logged, what="the line in the public log")
    head.goto(f"{console.url}{disclosure_url}")
    head.click("tr[data-line='expense:1'] a.verify-link")
    head.wait_for_selector("#verdict.ok")
    assert "办公用品" in head.input_value("#f-summary")


def test_an_objection_to_the_published_quarter_is_due_and_answered(
    console: ConsoleSuite, books: dict[str, Any], people: dict[str, Page]
) -> None:
    villager = console.register_person(SYSTEM, "console-finance-villager", 31, "赵村民")
    household = console.household(
        "console-finance-household", books["village"], villager, "理财村第二组"
    )

    def filed() -> Any:  # refused until finance has heard of the household
        return console.command(
            "finance",
            "file_objection",
            SYSTEM,
            "console-finance-objection",
            disclosure_id=books["disclosure"],
            household_id=household,
            line="expense:0",
            text="办公用品买了什么？",
        )

    objection = wait_until(filed, timeout=60, what="the objection filed")["objection_id"]
    group = people["fin.group"]
    group.goto(f"{console.url}/")
    assert "办公用品买了什么？" in group.inner_text("#panel-finance_objections")
    group.goto(f"{console.url}/finance/objections")
    group.fill(f"#answer-{objection}", "购买打印纸和墨盒，发票已公示。")
    group.click(f"tr[data-objection='{objection}'] button[type=submit]")
    group.wait_for_selector("p.empty")
    answered = console.call("finance", "objection", actor=SYSTEM, objection_id=objection)
    assert answered["answer"] == "购买打印纸和墨盒，发票已公示。"


def test_a_returned_voucher_is_amended_and_submitted_again_from_the_first_stage(
    console: ConsoleSuite, books: dict[str, Any], people: dict[str, Page]
) -> None:
    village = books["village"]
    clerk, checker, group = people["fin.clerk"], people["fin.checker"], people["fin.group"]
    enter(console, clerk, village, "购买茶叶", ("513", "50"), ("102", "50"))  # dated today
    clerk.click("button[name=then][value=submit]")
    clerk.wait_for_selector("#voucher-status:has-text('审核中')")
    voucher = str(clerk.evaluate("location.pathname"))
    for reviewer, outcome, opinion in ((checker, "approve", "同意"), (group, "return", "缺少发票")):
        reviewer.goto(f"{console.url}{voucher}")
        reviewer.fill("#f-opinion", opinion)
        reviewer.click(f"#{outcome}")
        reviewer.wait_for_selector(f"#trail li:has-text('{opinion}')")
    clerk.goto(f"{console.url}{voucher}")
    assert clerk.inner_text("#voucher-status") == "已退回"
    assert "民主理财小组集体审核 · 退回 · 缺少发票" in clerk.inner_text("#trail")
    clerk.click("#edit-voucher")
    clerk.wait_for_selector("#voucher-form")
    assert clerk.input_value("#account-0") == "513" and clerk.input_value("#amount-0") == "50.00"
    clerk.fill("#f-summary", "购买茶叶（附发票）")
    clerk.fill("#amount-0", "60")
    clerk.fill("#amount-1", "60")
    clerk.click("button[name=then][value=submit]")
    clerk.wait_for_selector("#voucher-status:has-text('审核中')")
    assert clerk.inner_text("#voucher-awaits") == "报账员初审"  # a new round, from the start
    assert "60.00" in clerk.inner_text("table.lines tfoot")
    assert voucher.rsplit("/", 1)[1] in queued(console, checker, village)
    checker.goto(f"{console.url}/finance/queue?lang=en")
    assert checker.inner_text("main h1") == "My review queue"
    assert "clerk's check" in checker.inner_text("main")
    checker.goto(f"{console.url}/finance/queue?lang=zh")


def test_a_voucher_that_does_not_balance_is_refused_beside_its_lines(
    console: ConsoleSuite, books: dict[str, Any], people: dict[str, Page]
) -> None:
    clerk = people["fin.clerk"]
    # three decimals: refused before the service
    enter(console, clerk, books["village"], "差额凭证", ("513", "12.345"), ("999", "12"))
    clerk.click("button[name=then][value=draft]")
    clerk.wait_for_selector("#err-lines\\.0\\.amount_fen")
    assert "最多两位小数" in clerk.inner_text("#err-lines\\.0\\.amount_fen")
    clerk.fill("#amount-0", "12")
    clerk.click("button[name=then][value=draft]")  # the service: 999 is no account
    clerk.wait_for_selector("#err-lines\\.1\\.account")
    assert "999" in clerk.inner_text("#err-lines\\.1\\.account")
    assert clerk.get_attribute("#account-1", "aria-invalid") == "true"


def test_the_entry_form_picks_accounts_of_the_chart_in_force_and_names_a_lines_counterparty(
    console: ConsoleSuite, books: dict[str, Any], people: dict[str, Page]
) -> None:
    """The account fields offer the leaf accounts of the chart in force on the voucher's date
    (code and name, searchable), changing with the date; a line names a counterparty of the
    village's books (a person by family name only) and a contract; the witness and the village
    decision cited are typed, and the service's refusal of a decision comes back beside it."""
    village = books["village"]
    party = console.command(
        "finance",
        "register_counterparty",
        SYSTEM,
        "console-finance-tenant",
        village_id=village,
        kind="person",
        name="周大福",
    )["counterparty_id"]
    clerk = people["fin.clerk"]
    clerk.goto(f"{console.url}/finance/vouchers/new?village={village}")
    assert "cas2023" in clerk.inner_text("#chart-title")
    assert clerk.get_attribute("#accounts option[value='503']", "label") == "503 补助收入"
    assert clerk.evaluate("document.getElementById('account-0').list.id") == "accounts"
    clerk.fill("#f-voucher_date", "2023-12-29")  # the 2004 chart: no 503, and 522 instead
    clerk.dispatch_event("#f-voucher_date", "change")
    clerk.wait_for_selector("#chart-title:has-text('cas2004')")
    assert (
        clerk.evaluate("document.querySelectorAll('#accounts option[value=\"503\"]').length") == 0
    )
    assert clerk.get_attribute("#accounts option[value='522']", "label").startswith("522 ")
    clerk.fill("#f-voucher_date", dt.date.today().isoformat())  # the quarter is closed
    clerk.dispatch_event("#f-voucher_date", "change")
    clerk.wait_for_selector("#chart-title:has-text('cas2023')")
    clerk.fill("#account-0", "112")

    clerk.fill("#f-summary", "应收周家鱼塘租金")
    assert clerk.texts("#counterparty-0 option") == ["—", "周**"]  # masked (D8)
    clerk.select_option("#counterparty-0", party)
    clerk.fill("#contract-0", "HT-2026-007")
    clerk.fill("#amount-0", "300")
    clerk.fill("#account-1", "501")
    clerk.select_option("#side-1", "credit")
    clerk.fill("#amount-1", "300")
    clerk.fill("#f-witness_id", "not a person")
    clerk.click("button[name=then][value=draft]")
    clerk.wait_for_selector("#err-witness_id")
    assert clerk.get_attribute("#f-witness_id", "aria-invalid") == "true"
    assert clerk.input_value("#contract-0") == "HT-2026-007"  # the form kept as typed
    witness = str(uuid.uuid5(uuid.NAMESPACE_URL, "shequ-console/witness"))
    clerk.fill("#f-witness_id", witness)
    clerk.fill("#f-decision_id", str(uuid.UUID(int=7)))  # no decision the village published
    clerk.click("button[name=then][value=draft]")
    clerk.wait_for_selector("#err-decision_id")
    assert clerk.inner_text("#err-decision_id").startswith("须引用本村已公开的村级决策")
    assert "cite a village decision" in clerk.inner_text("#err-decision_id")
    assert clerk.input_value("#f-witness_id") == witness
    clerk.fill("#f-decision_id", "")
    clerk.click("button[name=then][value=draft]")
    clerk.wait_for_selector("#voucher-status:has-text('草稿')")
    voucher_id = str(clerk.evaluate("location.pathname")).rsplit("/", 1)[1]
    saved = console.call("finance", "voucher", actor=SYSTEM, voucher_id=voucher_id)
    assert saved["witness_id"] == witness and saved.get("decision_id") is None
    assert [
        (x["account"], x.get("counterparty_id"), x.get("contract_no")) for x in saved["lines"]
    ] == [
        ("112", party, "HT-2026-007"),
        ("501", None, None),
    ]
    clerk.click("#edit-voucher")  # amended: the counterparty and witness come back as saved
    clerk.wait_for_selector("#voucher-form")
    assert clerk.input_value("#counterparty-0") == party
    assert clerk.input_value("#f-witness_id") == witness
    clerk.shots("finance-entry-pickers")


def test_the_auditor_reports_the_published_quarter_with_its_basis_and_verifies_the_logs(
    console: ConsoleSuite, books: dict[str, Any], tmp_path: Path
) -> None:
    time.sleep(2)  # the services seal every second: what was recorded is signed by now
    cut = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    asked = {"report": "finance", "level": "village", "ref": books["village"]}
    asked |= {"period": books["quarter"], "as_of": cut}
    web = session(console, console.usernames["auditor"])
    page = web.get(f"{console.url}/audit", params=asked, timeout=60)
    assert page.status_code == 200, page.text
    assert "理财村" in page.text and "办公用品" in page.text
    size = int(page.text.split('data-key="tree_size">')[1].split("<")[0])
    assert size > 0
    # no witness policy here: the basis says its head was not witnessed (ADR 0041)
    assert page.text.split('data-key="witness">')[1].startswith("未经见证")
    # the export is the file the command line writes for the same cut, byte for byte
    export = web.get(f"{console.url}/audit/export.json", params=asked, timeout=60)
    assert export.status_code == 200 and export.headers["content-type"] == "application/json"
    out = tmp_path / "finance.json"
    store = console.procs["finance"].env["SHEQU_FINANCE_STORE"]
    done = CliRunner().invoke(
        main,
        ["report", "finance", "--village", books["village"], "--period", books["quarter"]]
        + ["--as-of", cut, "-o", str(out), "--store", store]
        + ["--treeheads", str(console.tmp / "treeheads")],
    )
    assert done.exit_code == 0, done.output
    assert export.content == out.read_bytes()
    assert json.loads(export.content)["basis"][0]["tree_size"] == size
    assert hashlib.sha256(export.content).hexdigest() in page.text
    pdf = web.get(f"{console.url}/audit/export.pdf", params=asked, timeout=60)
    assert pdf.content.startswith(b"%PDF-")
    # the village's affairs fold casework's log and finance's at the same cut (D6, D23): the
    # same bytes as the command line given both stores
    affairs = web.get(
        f"{console.url}/audit/export.json", params={**asked, "report": "affairs"}, timeout=60
    )
    assert affairs.status_code == 200, affairs.text
    doc = json.loads(affairs.content)
    assert [b["service"] for b in doc["basis"]] == ["casework", "finance"]
    assert doc["basis"][1]["tree_size"] >= size
    out = tmp_path / "affairs.json"
    done = CliRunner().invoke(
        main,
        ["report", "affairs", "--village", books["village"], "--period", books["quarter"]]
        + ["--as-of", cut, "-o", str(out), "--finance-store", store]
        + ["--store", console.procs["casework"].env["SHEQU_CASEWORK_STORE"]]
        + ["--treeheads", str(console.tmp / "treeheads")],
    )
    assert done.exit_code == 0, done.output
    assert affairs.content == out.read_bytes()
    refused = web.get(f"{console.url}/audit", params={**asked, "period": "2026Q5"}, timeout=60)
    assert refused.status_code == 400 and 'id="err-period"' in refused.text

    checked = web.get(f"{console.url}/audit/verify", timeout=120)
    assert checked.status_code == 200
    for service in SERVICES:
        assert f'data-service="{service}" class="ok"' in checked.text, service
    assert checked.text.count('<td data-key="witness">未经见证</td>') == len(SERVICES)


# page -> the roles that may open it (finance's READS, and the clerk and agency for entry)
READERS = {
    "finance_clerk",
    "finance_group",
    "village_head",
    "agency_accountant",
    "district_staff",
    "community_staff",
    "auditor",
}
PAGES = {
    "/finance": READERS,
    "/finance/queue": READERS,
    "/finance/books": READERS,
    "/finance/periods": READERS,
    "/finance/disclosures": READERS,
    "/finance/objections": READERS,
    "/finance/vouchers/new": {"finance_clerk", "agency_accountant"},
    "/audit": {"auditor", "district_staff"},
    "/audit/verify": {"auditor", "district_staff"},
}


def session(console: ConsoleSuite, username: str) -> requests.Session:
    web = requests.Session()
    form = web.get(f"{console.url}/login", timeout=30).text
    token = form.split('name="login_csrf" value="')[1].split('"')[0]
    signed = web.post(
        f"{console.url}/login",
        data={"username": username, "password": PASSWORD, "login_csrf": token},
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 303, signed.text
    return web


def test_each_role_opens_only_the_finance_pages_it_may(console: ConsoleSuite) -> None:
    seen: dict[tuple[str, str], int] = {}
    for role in ROLES:
        web = session(console, console.usernames[role])
        for path in PAGES:
            seen[(role, path)] = web.get(f"{console.url}{path}", timeout=30).status_code
    expected = {
        (role, path): 200 if role in roles else 403
        for role in ROLES
        for path, roles in PAGES.items()
    }
    assert seen == expected
