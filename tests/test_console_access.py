"""Every console page × every role, in a real browser, generated from the pages' declarations
(``gateway.console.web.PAGES``): a role the page does not admit gets the 403 page
(``page.forbidden``) and no data; an admitted role is never refused for its role (the pages
over this suite's records answer 200); and each role's navigation links exactly the pages it
may open. The records named in the paths are the suite's (a case of the sample household
routed to the cleaner, that household)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from gateway.console import MODULES
from gateway.console.web import PAGES, Page

from tests.support.browser import Browser
from tests.support.console import ROLES, ConsoleSuite
from tests.support.suite import SYSTEM

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
# Pages over the suite's own records: an admitted role sees them (200), whatever its scope.
EXACT = {
    "home",
    "login",
    "case",
    "my_cases",
    "file_case",
    "registry_chart",
    "registry_team",
    "household",
    "my_household",
    "my_objections",
    "outreach",
}
DOWNLOADS = {"card_pdf", "village_cards_pdf", "scores_export"}
FETCH = "u => fetch(u).then(r => r.text().then(t => [r.status, r.headers.get('content-type'), t]))"
# Every visible form control has a label (a <label for>, a wrapping <label>, or aria-label),
# every page one <h1> and a language: what the page answers with, for each role.
UNLABELLED = """() => {
  const bad = [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && e.type !== 'submit' && e.type !== 'button')
    .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label'))
    .map(e => e.name || e.id);
  if (document.querySelectorAll('h1').length !== 1) bad.push('<h1>');
  if (!document.documentElement.lang) bad.push('<html lang>');
  return bad;
}"""
SHOWN = ("community_staff", "resident")  # whose pages are screenshot, at both sizes


def get_pages() -> list[Page]:
    """The declared pages the console answers a GET on (not the form-only ones)."""
    gets = {
        r.path
        for module in MODULES
        for r in module.router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods
    }
    return [p for p in PAGES.values() if p.path in gets]


@pytest.fixture(scope="module")
def samples(console: ConsoleSuite) -> dict[str, str]:
    accepted = console.open_accepted(
        SYSTEM, "console-access-case", "门前路灯不亮", household_id=console.ids["household"]
    )
    assert accepted["owner_id"] == console.ids["cleaner"]
    return {
        "case_id": accepted["case_id"],
        "household_id": console.ids["household"],
        "village_id": console.ids["village"],
    }


def path_of(page: Page, samples: dict[str, str]) -> str:
    return re.sub(
        r"\{(\w+)\}", lambda m: samples.get(m.group(1), str(uuid.UUID(int=404))), page.path
    )


@pytest.fixture(scope="module")
def signed_in(console: ConsoleSuite, browser: Browser) -> Iterator[dict[str, Any]]:
    pages = {}
    try:
        for role in ROLES:
            pages[role] = browser.page()
            console.login(pages[role], role)
        yield pages
    finally:
        for page in pages.values():
            page.close()


def test_the_table_covers_every_page_of_casework_registry_outreach_and_assessment():
    names = {p.name for p in get_pages()}
    assert names >= EXACT and "scoreboard" in names and "card_pdf" in names


@pytest.mark.parametrize("role", ROLES)
def test_each_page_admits_exactly_its_roles(
    role: str, console: ConsoleSuite, signed_in: dict[str, Any], samples: dict[str, str]
):
    browser_page = signed_in[role]
    problems = []
    for spec in get_pages():
        path = path_of(spec, samples)
        if spec.name in DOWNLOADS:  # a file: fetched, not navigated to
            status, _, text = browser_page.evaluate(FETCH, path)
            answer = {"status": status}
            refused_code = "page.forbidden" if 'data-code="page.forbidden"' in text else None
        else:
            answer = browser_page.goto(console.url + path)
            refused_code = None
            if answer["status"] == 403:
                refused_code = browser_page.get_attribute("main .error", "data-code")
        if spec.admits(role):
            if refused_code == "page.forbidden" or answer["status"] >= 500:
                problems.append(f"{spec.name}: admitted but answered {answer['status']}")
            if spec.name in EXACT and answer["status"] != 200:
                problems.append(f"{spec.name}: admitted, answered {answer['status']}")
            if answer["status"] == 200 and spec.name not in DOWNLOADS:
                unlabelled = browser_page.evaluate(UNLABELLED)
                if unlabelled:
                    problems.append(f"{spec.name}: form fields without a label: {unlabelled}")
            if role in SHOWN and spec.name in EXACT:
                browser_page.shots(f"{spec.name}-{role}")
        elif answer["status"] != 403 or refused_code != "page.forbidden":
            problems.append(f"{spec.name}: not admitted but answered {answer['status']}")
    assert not problems, f"{role}: " + "; ".join(problems)

    browser_page.goto(console.url + "/")
    links = set(
        browser_page.evaluate(
            "[...document.querySelectorAll('header nav a')].map(a => a.getAttribute('href'))"
        )
    )
    may = {p.path for p in PAGES.values() if p.nav and p.roles and role in p.roles}
    assert links == may


def test_a_case_shows_no_data_to_a_role_it_does_not_admit(
    console: ConsoleSuite, signed_in: dict[str, Any], samples: dict[str, str]
):
    clerk = signed_in["finance_clerk"]
    answer = clerk.goto(f"{console.url}/cases/{samples['case_id']}")
    assert answer["status"] == 403
    assert "门前路灯不亮" not in clerk.inner_text("body")
    auditor = signed_in["auditor"]
    assert auditor.goto(f"{console.url}/cases/{samples['case_id']}")["status"] == 200
    assert "门前路灯不亮" in auditor.inner_text("h1")
    assert auditor.texts("#action-accept_case, #action-resolve_case, #action-close_case") == []


def test_the_contact_card_downloads_as_a_pdf_for_its_household_only(
    console: ConsoleSuite, signed_in: dict[str, Any], samples: dict[str, str]
):
    url = f"/outreach/cards/{samples['household_id']}.pdf"
    status, kind, body = signed_in["resident"].evaluate(FETCH, url)
    assert (status, kind, body[:5]) == (200, "application/pdf", "%PDF-")
    assert signed_in["auditor"].evaluate(FETCH, url)[0] == 403  # the page admits no auditor
    assert signed_in["finance_clerk"].evaluate(FETCH, url)[0] == 403
