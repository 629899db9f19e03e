"""The refusals of authentication, in the suite's error shape, each with its HTTP status."""

from __future__ import annotations

import math
from typing import Any

from shequ.errors import ShequError


class AuthError(ShequError):
    """A refusal of authentication; ``http_status`` is what the gateway answers with. The
    codes are the gateway's (``unauthenticated``, ``csrf``, ``rate_limited``); ``details``
    says more (``reason``: ``idle``, ``absolute``, ``missing``, …)."""

    code = "unauthenticated"
    http_status = 401
    headers: dict[str, str] = {}  # noqa: RUF012 - read-only default


class Unauthenticated(AuthError):
    """No valid session or token: log in (401, AuthError's code and status)."""


class BadCredentials(AuthError):
    code = "bad_credentials"
    http_status = 401

    def __init__(self) -> None:
        super().__init__("用户名或密码错误", "wrong username or password", "password")


class AccountDisabled(AuthError):
    code = "account_disabled"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "该账号已停用，请联系管理员",
            "this account is disabled; ask an administrator",
            "username",
        )


class CsrfRefused(AuthError):
    """A state-changing request on a session cookie without the session's CSRF token (403)."""

    code = "csrf"
    http_status = 403


class LoginLocked(AuthError):
    """Too many failed logins for this account or from this address lately (429)."""

    code = "rate_limited"
    http_status = 429

    def __init__(self, retry_after: float, field: str, **details: Any) -> None:
        seconds = max(1, math.ceil(retry_after))
        minutes = max(1, math.ceil(seconds / 60))
        who_zh, who_en = (
            ("该账号", "this account") if field == "username" else ("该地址", "this address")
        )
        super().__init__(
            f"{who_zh}登录失败次数过多，已暂时锁定，请 {minutes} 分钟后再试",
            f"too many failed logins for {who_en}; locked, try again in {minutes} minute(s)",
            field,
            retry_after=seconds,
            **details,
        )
        self.headers = {"Retry-After": str(seconds)}
