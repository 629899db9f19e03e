"""Logging in and out of the console, on the gateway's own sessions (ADR 0033).

The login form is a plain POST; before there is a session it carries its own double-submit
token (a random ``shequ_login_csrf`` cookie, echoed in a hidden field), so another site cannot
log a browser in to an account of its choosing. A wrong password, a disabled account or a
locked name is shown beside the field the refusal names, in Chinese and English.
"""

from __future__ import annotations

import secrets

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from shequ.errors import ShequError, ValidationError

from gateway.auth import Auth
from gateway.autherrors import AuthError
from gateway.console.i18n import Texts, chosen
from gateway.console.web import View, html, page, safe_next, see_other
from gateway.sessions import same

LOGIN_CSRF_COOKIE = "shequ_login_csrf"

LOGIN = page("login", "/login", ("登录", "Log in"), None, nav=False)
LOGOUT = page("logout", "/logout", ("退出登录", "Log out"), None, nav=False)

router = APIRouter(include_in_schema=False)


def _login_form(view: View, username: str = "", status: int = 200) -> Response:
    token = view.request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = view.render(
        "login.html",
        status=status,
        username=username,
        login_csrf=token,
        next=safe_next(view.request.query_params.get("next")),
    )
    auth: Auth = view.request.app.state.auth
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=auth.settings.secure_cookies,
        path="/login",
    )
    return response


@router.get("/login")
@html(LOGIN)
async def login_page(request: Request) -> Response:
    view = await View.open(request, LOGIN)
    if view.caller is not None:
        return see_other(safe_next(request.query_params.get("next")))
    return _login_form(view)


@router.post("/login")
@html(LOGIN)
async def login(request: Request) -> Response:
    form = await request.form()
    username = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    target = safe_next(str(form.get("next", "")) or None)
    view = View(request, LOGIN, None, Texts(chosen(request)))
    auth: Auth = request.app.state.auth
    try:
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not cookie or not same(cookie, str(form.get("login_csrf", ""))):
            raise ValidationError(
                "登录表单已过期，请重新提交",
                "the login form has expired; submit it again",
                "_form",
                code="csrf",
            )
        for name, value, zh, en in (
            ("username", username, "请填写用户名", "username is required"),
            ("password", password, "请填写密码", "password is required"),
        ):
            if not value:
                raise ValidationError(zh, en, name, rule="required")
        caller = await auth.start(request, username, password)
    except (AuthError, ShequError) as exc:
        view.refused(exc)
        status = exc.http_status if isinstance(exc, AuthError) else 400
        return _login_form(view, username, status)
    assert caller.session is not None and caller.session_id is not None
    response = see_other(target)
    auth.set_cookies(response, caller.session_id, caller.session.csrf_token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
@html(LOGOUT)
async def logout(request: Request) -> Response:
    auth: Auth = request.app.state.auth
    caller = await auth.authenticate(request)  # the CSRF token is checked like any change
    if caller.session_id is not None:
        await anyio.to_thread.run_sync(auth.sessions.close, caller.session_id)
    response = see_other("/login")
    auth.clear_cookies(response)
    return response
