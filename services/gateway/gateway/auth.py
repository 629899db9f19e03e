"""Authentication on the gateway: who is calling, from a session cookie or an API token.

``Auth.authenticate(request)`` is the one way a request is authenticated:
  * ``Authorization: Bearer shq_…``: an API token (machine clients); no CSRF check, since a
    browser never adds that header to a cross-site request by itself;
  * else the ``shequ_session`` cookie: a live session; a state-changing request (anything but
    GET, HEAD, OPTIONS) must send the session's CSRF token back in the ``X-CSRF-Token`` header
    or a ``csrf_token`` form field, and it must equal the token the server holds for that
    session (and the ``shequ_csrf`` cookie, when the browser sends it): a double-submit token
    bound to the session, so a cookie planted from a sibling site does not pass;
  * else 401.
The caller's actor is built from the account or token alone (an actor in a request is never
read). ``router`` has the session routes: ``POST /api/v1/session`` (log in),
``GET /api/v1/session`` (who am I, and the CSRF token), ``DELETE /api/v1/session`` (log out).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from shequ.actor import Actor
from shequ.clock import Clock
from shequ.store import Store

from gateway.accounts import Account, Accounts
from gateway.autherrors import AuthError, CsrfRefused, Unauthenticated
from gateway.authsettings import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    AuthSettings,
    gateway_store,
)
from gateway.authstore import open_engine
from gateway.security import Authenticate, Principal
from gateway.sessions import Session, Sessions, Token, Tokens, same

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


@dataclass(frozen=True)
class Caller:
    """An authenticated request: its actor and how it was authenticated."""

    actor: Actor
    session: Session | None = None
    session_id: str | None = None
    token: Token | None = None

    @property
    def account(self) -> Account | None:
        return self.session.account if self.session else None


class Auth:
    """Accounts, sessions and tokens on the gateway's database, and the request checks."""

    def __init__(
        self,
        accounts: Accounts,
        settings: AuthSettings | None = None,
    ) -> None:
        self.settings = settings or accounts.settings
        self.accounts = accounts
        self.sessions = Sessions(accounts, self.settings)
        self.tokens = Tokens(accounts.engine, accounts.clock)

    @classmethod
    def open(
        cls,
        store: Store | None = None,
        settings: AuthSettings | None = None,
        clock: Clock | None = None,
        **accounts: Any,
    ) -> Auth:
        """On ``store`` (default SHEQU_GATEWAY_STORE), with ``settings`` (default from the
        environment); ``accounts`` go to ``Accounts`` (a test's ``hasher``)."""
        settings = settings or AuthSettings.from_env()
        engine = open_engine(store or gateway_store())
        return cls(Accounts(engine, clock, settings=settings, **accounts), settings)

    def close(self) -> None:
        self.accounts.engine.dispose()

    async def authenticate(self, request: Request) -> Caller:
        """The caller of ``request``; Unauthenticated (401) or CsrfRefused (403)."""
        scheme, _, credential = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and credential.strip():
            token = await anyio.to_thread.run_sync(self.tokens.resolve, credential.strip())
            return Caller(token.actor, token=token)
        if scheme:
            raise Unauthenticated(
                "仅支持 Bearer 令牌",
                "only Bearer tokens are accepted",
                "authorization",
                code="unauthenticated",
                reason="scheme",
            )
        session_id = request.cookies.get(SESSION_COOKIE, "")
        session = await anyio.to_thread.run_sync(self.sessions.resolve, session_id)
        if request.method not in SAFE_METHODS:
            check_csrf(session, await submitted_csrf(request), request.cookies.get(CSRF_COOKIE))
        return Caller(session.account.actor, session=session, session_id=session_id)

    async def start(self, request: Request, username: str, password: str) -> Caller:
        """Check the password (lockout first) and open a new session: the caller, with its
        ``session_id`` for the cookie. The JSON login and the console's login page share it."""
        client = request.client.host if request.client else ""
        account = await anyio.to_thread.run_sync(self.accounts.login, username, password, client)
        session_id, session = await anyio.to_thread.run_sync(self.sessions.open, account, client)
        return Caller(account.actor, session=session, session_id=session_id)

    async def login(self, request: Request, username: str, password: str) -> Response:
        caller = await self.start(request, username, password)
        assert caller.session is not None and caller.session_id is not None
        response = JSONResponse(self.describe(caller))
        self.set_cookies(response, caller.session_id, caller.session.csrf_token)
        return response

    def describe(self, caller: Caller) -> dict[str, Any]:
        out: dict[str, Any] = {"actor": caller.actor.to_dict()}
        if caller.session is not None:
            s = caller.session
            out.update(
                via="session",
                username=s.account.username,
                csrf_token=s.csrf_token,
                logged_in_at=_iso(s.created_at),
                expires_at=_iso(s.expires_at),
                idle_timeout_seconds=int(self.settings.idle_timeout.total_seconds()),
            )
        if caller.token is not None:
            out.update(via="token", token={"id": caller.token.token_id, "name": caller.token.name})
        return out

    def set_cookies(self, response: Response, session_id: str, csrf: str) -> None:
        common: dict[str, Any] = {
            "max_age": int(self.settings.absolute_timeout.total_seconds()),
            "path": "/",
            "secure": self.settings.secure_cookies,
            "samesite": "lax",
        }
        response.set_cookie(SESSION_COOKIE, session_id, httponly=True, **common)
        # Readable by the page's script (htmx sends it back as the X-CSRF-Token header).
        response.set_cookie(CSRF_COOKIE, csrf, httponly=False, **common)

    def clear_cookies(self, response: Response) -> None:
        for name in (SESSION_COOKIE, CSRF_COOKIE):
            response.delete_cookie(
                name, path="/", secure=self.settings.secure_cookies, samesite="lax"
            )


async def submitted_csrf(request: Request) -> str:
    """The CSRF token the request sends back: the header, else a form's field."""
    header = request.headers.get(CSRF_HEADER, "")
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip() in FORMS:
        await request.body()  # kept on the request, so the endpoint can still read it
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def check_csrf(session: Session, submitted: str, cookie: str | None) -> None:
    if not submitted:
        raise CsrfRefused(
            f"缺少防跨站请求令牌：请在 {CSRF_HEADER} 请求头或 {CSRF_FIELD} 表单字段中提交",
            f"the CSRF token is missing: send it in the {CSRF_HEADER} header "
            f"or the {CSRF_FIELD} form field",
            "csrf_token",
            code="csrf",
            reason="missing",
        )
    if not same(submitted, session.csrf_token) or (
        cookie is not None and not same(cookie, submitted)
    ):
        raise CsrfRefused(
            "防跨站请求令牌不符，请刷新页面后重试",
            "the CSRF token does not match this session; reload the page and try again",
            "csrf_token",
            code="csrf",
            reason="mismatch",
        )


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


class Login(BaseModel):
    """登录 / Log in."""

    username: str = Field(title="用户名 / username", max_length=200)
    password: str = Field(title="密码 / password", max_length=4096)


router = APIRouter(prefix="/api/v1", tags=["session"])


def _auth(request: Request) -> Auth:
    auth: Auth = request.app.state.auth
    return auth


@router.post("/session", summary="登录 / log in", response_class=JSONResponse)
async def login(request: Request, body: Login) -> Response:
    """Log in with a username and password: sets the session cookie (HttpOnly) and the CSRF
    cookie, and answers who you are and the CSRF token to send on every change.
    401 on a wrong password, 403 for a disabled account, 429 after 5 failures in 15 minutes.

    Example: `{"username": "wang.li", "password": "…"}`"""
    return await _auth(request).login(request, body.username, body.password)


@router.get("/session", summary="当前登录 / who am I", response_class=JSONResponse)
async def whoami(request: Request) -> Response:
    """Who is calling (the actor the gateway sends to services) and, for a session, its CSRF
    token and when it expires."""
    auth = _auth(request)
    return JSONResponse(auth.describe(await auth.authenticate(request)))


@router.delete("/session", summary="退出登录 / log out", status_code=204)
async def logout(request: Request) -> Response:
    """End this session (needs the CSRF token like every change); the cookies are cleared."""
    auth = _auth(request)
    caller = await auth.authenticate(request)
    if caller.session_id is None:
        raise Unauthenticated(
            "令牌无须退出登录；请吊销令牌",
            "a token is not logged out: revoke it instead",
            "authorization",
            code="unauthenticated",
            reason="token",
        )
    await anyio.to_thread.run_sync(auth.sessions.close, caller.session_id)
    response = Response(status_code=204)
    auth.clear_cookies(response)
    return response


async def _refused(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AuthError)
    return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=exc.headers)


def install(app: FastAPI, auth: Auth) -> None:
    """Give ``app`` the session routes and the refusals' statuses (401, 403, 429)."""
    app.state.auth = auth
    app.include_router(router)
    app.add_exception_handler(AuthError, _refused)


def authenticator(auth: Auth, fallback: Authenticate | None = None) -> Authenticate:
    """The app's ``authenticate``: the caller as a ``Principal``, from a session or a token of
    the gateway's database; a Bearer token it does not know goes to ``fallback`` (the tokens
    file, ``SHEQU_GATEWAY_TOKENS``) when there is one."""

    async def authenticate(request: Request) -> Principal:
        try:
            caller = await auth.authenticate(request)
        except Unauthenticated as refused:
            if fallback is None or refused.details.get("reason") != "token":
                raise
            return await fallback(request)
        return Principal.from_dict(caller.actor.to_dict())

    return authenticate
