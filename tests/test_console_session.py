"""The console in a real browser (Debian's chromium through Playwright): the login page in
Chinese first and in English on request, a refusal beside its field, signing in and out on the
gateway's sessions, the vendored htmx served from the gateway itself."""

from __future__ import annotations

import hashlib

import pytest
import requests

from tests.support.browser import Browser, BrowserError
from tests.support.console import ConsoleSuite

pytestmark = [pytest.mark.slow, pytest.mark.rabbit]
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"


def test_log_in_and_out_in_chinese_and_english(console: ConsoleSuite, browser: Browser):
    page = browser.page()
    try:
        page.goto(f"{console.url}/")  # no session: sent to the login page, to come back after
        page.wait_for(f"{console.url}/login?next=/")
        assert page.get_attribute("html", "lang") == "zh-CN"
        assert page.inner_text("h1") == "登录"
        assert page.inner_text("label[for=f-username]").startswith("用户名")
        page.shots("login")

        page.fill("#f-username", console.usernames["district_staff"])
        page.fill("#f-password", "not-the-password-at-all")
        page.click("button[type=submit]")
        page.wait_for_selector("#err-password")
        assert page.inner_text("#err-password") == "用户名或密码错误 · wrong username or password"
        assert page.get_attribute("#f-password", "aria-invalid") == "true"
        assert page.input_value("#f-username") == console.usernames["district_staff"]

        page.click("a.lang")  # English, kept for the next pages
        page.wait_for_selector("html[lang=en]")
        assert page.inner_text("h1") == "Log in"
        page.fill("#f-username", console.usernames["district_staff"])
        page.fill("#f-password", "lantern-river-42-orchard")
        page.click("button[type=submit]")
        page.wait_for(f"{console.url}/")
        assert page.get_attribute("html", "lang") == "en"
        assert "district staff" in page.inner_text(".me")

        page.click("header form button[type=submit]")  # log out (a form with the CSRF token)
        page.wait_for(f"{console.url}/login")
        page.goto(f"{console.url}/?lang=zh")
        page.wait_for(f"{console.url}/login?next=/%3Flang%3Dzh")
        assert page.inner_text("h1") == "登录"
    finally:
        page.close()


def test_a_forged_login_post_and_a_logout_without_csrf_are_refused(console: ConsoleSuite):
    web = requests.Session()
    form = {"username": console.usernames["auditor"], "password": "lantern-river-42-orchard"}
    forged = web.post(f"{console.url}/login", data=form, allow_redirects=False)
    assert forged.status_code == 400 and "登录表单已过期" in forged.text
    assert "shequ_session" not in web.cookies

    login_page = web.get(f"{console.url}/login")
    token = login_page.text.split('name="login_csrf" value="')[1].split('"')[0]
    signed_in = web.post(
        f"{console.url}/login", data={**form, "login_csrf": token}, allow_redirects=False
    )
    assert signed_in.status_code == 303 and web.cookies.get("shequ_session")
    refused = web.post(f"{console.url}/logout", allow_redirects=False)
    assert refused.status_code == 403 and "防跨站请求令牌" in refused.text
    assert web.get(f"{console.url}/", allow_redirects=False).status_code == 200


def test_htmx_is_served_by_the_gateway_as_vendored(console: ConsoleSuite, browser: Browser):
    served = requests.get(f"{console.url}/static/console/htmx.min.js", timeout=10)
    assert served.status_code == 200
    assert hashlib.sha256(served.content).hexdigest() == HTMX_SHA256
    page = browser.page()
    try:
        console.login(page, "auditor")
        assert page.evaluate("typeof htmx") == "object"
        with pytest.raises(BrowserError):
            page.wait_for_selector("#no-such-element", timeout=500)
    finally:
        page.close()
