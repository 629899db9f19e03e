"""The session routes and the request checks over HTTP, on a SQLite file: log in, who am I,
CSRF refusals, lockout, idle expiry, tokens, log out. ``/api/v1/echo`` stands in for a
use-case route: it answers the actor the gateway would send.

Requests go through httpx's ASGI transport on an event loop of the test's own, keeping the
cookies between requests as a browser does (FastAPI's Browser waits on a thread portal,
which can hang under the eventlet patching every test process runs with)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from gateway import auth as gateway_auth
from gateway.accounts import Accounts
from gateway.auth import Auth
from gateway.authsettings import CSRF_COOKIE, SESSION_COOKIE, AuthSettings
from gateway.authstore import open_engine
from gateway.passwords import cheap_hasher
from shequ.clock import FixedClock
from shequ.store import Store

PASSWORD = "tea-garden-7-lanterns"
OPS = "operator:zhao"
STAFF = {"person_id": "p-wangli", "role": "community_staff", "community_id": "c-lizhu"}


def make_app(auth: Auth) -> FastAPI:
    app = FastAPI()
    gateway_auth.install(app, auth)

    @app.api_route("/api/v1/echo", methods=["GET", "POST"])
    async def echo(request: Request) -> dict[str, Any]:
        caller = await auth.authenticate(request)
        return {"actor": caller.actor.to_dict()}

    return app


class Browser:
    """Blocking requests into the app, with a cookie jar kept across them."""

    def __init__(self, app: FastAPI, base_url: str = "http://testserver") -> None:
        self.app = app
        self.base_url = base_url
        self.cookies = httpx.Cookies()

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, client=("10.0.0.5", 40000))
            async with httpx.AsyncClient(
                transport=transport, base_url=self.base_url, cookies=self.cookies
            ) as c:
                answer = await c.request(method, path, **kw)
                self.cookies = c.cookies
                return answer

        return asyncio.run(go())

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock("2026-03-02T09:00:00+08:00")


def open_auth(store: Store, clock: FixedClock, secure: bool = False) -> Auth:
    settings = AuthSettings(secure_cookies=secure)
    engine = open_engine(store)
    auth = Auth(Accounts(engine, clock, cheap_hasher(), settings))
    auth.accounts.add(
        "wang.li", PASSWORD, "p-wangli", "community_staff", by=OPS, community_id="c-lizhu"
    )
    return auth


@pytest.fixture
def auth(sqlite_store: Store, clock: FixedClock) -> Iterator[Auth]:
    auth = open_auth(sqlite_store, clock)
    yield auth
    auth.close()


@pytest.fixture
def client(auth: Auth) -> Browser:
    return Browser(make_app(auth))


def login(client: Browser, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/session", json={"username": "wang.li", "password": password})


def test_login_sets_the_cookies_and_answers_who_and_the_csrf_token(client: Browser):
    response = login(client)
    assert response.status_code == 200
    body = response.json()
    assert body["actor"] == STAFF and body["via"] == "session" and body["username"] == "wang.li"
    assert body["expires_at"] == "2026-03-02T01:30:00Z" and body["idle_timeout_seconds"] == 1800
    cookies = response.headers.get_list("set-cookie")
    [session] = [c for c in cookies if c.startswith(SESSION_COOKIE + "=")]
    [csrf] = [c for c in cookies if c.startswith(CSRF_COOKIE + "=")]
    assert "HttpOnly" in session and "SameSite=lax" in session and "Max-Age=43200" in session
    assert "HttpOnly" not in csrf and f"{CSRF_COOKIE}={body['csrf_token']};" in csrf
    me = client.get("/api/v1/session").json()
    assert me["actor"] == STAFF and me["csrf_token"] == body["csrf_token"]


def test_cookies_are_secure_outside_tests(sqlite_store: Store, clock: FixedClock):
    auth = open_auth(sqlite_store, clock, secure=True)
    try:
        client = Browser(make_app(auth), base_url="https://testserver")
        cookies = login(client).headers.get_list("set-cookie")
        assert len(cookies) == 2 and all("; secure" in c.lower() for c in cookies)
        assert client.get("/api/v1/session").json()["actor"] == STAFF
    finally:
        auth.close()


def test_a_change_needs_the_sessions_csrf_token(client: Browser):
    csrf = login(client).json()["csrf_token"]
    forged = {"actor": {"person_id": "p-boss", "role": "district_staff"}}
    missing = client.post("/api/v1/echo", json=forged)
    assert missing.status_code == 403
    assert missing.json() == {
        "code": "csrf",
        "message": "缺少防跨站请求令牌：请在 X-CSRF-Token 请求头或 csrf_token 表单字段中提交",
        "message_en": "the CSRF token is missing: send it in the X-CSRF-Token header or the "
        "csrf_token form field",
        "field": "csrf_token",
        "details": {"reason": "missing"},
    }
    wrong = client.post("/api/v1/echo", json=forged, headers={"X-CSRF-Token": csrf[:-2] + "xx"})
    assert wrong.status_code == 403 and wrong.json()["details"] == {"reason": "mismatch"}
    right = client.post("/api/v1/echo", json=forged, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 200
    assert right.json() == {"actor": STAFF}  # the actor sent was not read
    form = client.post("/api/v1/echo", data={"csrf_token": csrf, "note": "x"})
    assert form.status_code == 200 and form.json() == {"actor": STAFF}
    assert client.get("/api/v1/echo").json() == {"actor": STAFF}  # a read needs none


def test_a_csrf_cookie_that_differs_from_the_header_is_refused(client: Browser):
    csrf = login(client).json()["csrf_token"]
    client.cookies.set(CSRF_COOKIE, "planted-by-a-sibling-site")
    refused = client.post("/api/v1/echo", headers={"X-CSRF-Token": csrf})
    assert refused.status_code == 403 and refused.json()["details"] == {"reason": "mismatch"}


def test_wrong_password_then_lockout_in_both_languages(client: Browser, clock: FixedClock):
    wrong = login(client, "not-the-password-1")
    assert wrong.status_code == 401
    assert wrong.json() == {
        "code": "bad_credentials",
        "message": "用户名或密码错误",
        "message_en": "wrong username or password",
        "field": "password",
    }
    for _ in range(4):
        clock.moment += dt.timedelta(minutes=1)
        assert login(client, "not-the-password-1").status_code == 401
    locked = login(client)
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "660"
    body = locked.json()
    assert body["code"] == "rate_limited" and body["field"] == "username"
    assert body["message"] == "该账号登录失败次数过多，已暂时锁定，请 11 分钟后再试"
    assert body["message_en"] == (
        "too many failed logins for this account; locked, try again in 11 minute(s)"
    )
    assert SESSION_COOKIE not in client.cookies


def test_no_session_an_idle_session_and_a_bad_scheme_are_401(client: Browser, clock: FixedClock):
    nobody = client.get("/api/v1/echo")
    assert nobody.status_code == 401
    assert nobody.json()["code"] == "unauthenticated" and nobody.json()["message"] == "请先登录"
    login(client)
    clock.moment += dt.timedelta(minutes=30)
    idle = client.get("/api/v1/session")
    assert idle.status_code == 401 and idle.json()["details"] == {"reason": "idle"}
    basic = client.get("/api/v1/echo", headers={"Authorization": "Basic d2FuZzp4"})
    assert basic.status_code == 401 and basic.json()["field"] == "authorization"


def test_a_token_authenticates_without_csrf_until_revoked(client: Browser, auth: Auth):
    secret, _ = auth.tokens.add("open311-app", "client:open311", "district_staff", by=OPS)
    bearer = {"Authorization": f"Bearer {secret}"}
    answer = client.post("/api/v1/echo", headers=bearer, json={"actor": STAFF})
    assert answer.status_code == 200
    assert answer.json() == {"actor": {"person_id": "client:open311", "role": "district_staff"}}
    me = client.get("/api/v1/session", headers=bearer).json()
    assert me["via"] == "token" and me["token"]["name"] == "open311-app" and "csrf_token" not in me
    assert client.delete("/api/v1/session", headers=bearer).status_code == 401
    auth.tokens.revoke("open311-app", by=OPS)
    revoked = client.get("/api/v1/echo", headers=bearer)
    assert revoked.status_code == 401 and revoked.json()["details"] == {"reason": "token"}


def test_logout_needs_the_csrf_token_and_ends_the_session(client: Browser):
    csrf = login(client).json()["csrf_token"]
    kept = client.cookies.get(SESSION_COOKIE)
    assert client.delete("/api/v1/session").status_code == 403  # no token: still logged in
    assert client.get("/api/v1/session").status_code == 200
    out = client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert all("Max-Age=0" in c for c in out.headers.get_list("set-cookie"))
    assert client.get("/api/v1/session").status_code == 401
    client.cookies.set(SESSION_COOKIE, kept or "")  # the old cookie replayed
    assert client.get("/api/v1/echo").status_code == 401


def test_a_disabled_account_is_refused_on_its_next_request(client: Browser, auth: Auth):
    login(client)
    auth.accounts.disable("wang.li", by=OPS)
    refused = client.get("/api/v1/echo")
    assert refused.status_code == 401
    again = login(client)
    assert again.status_code == 403 and again.json()["code"] == "account_disabled"
