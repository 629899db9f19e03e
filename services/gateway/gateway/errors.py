"""Errors as the suite says them, with their HTTP status.

Every error body is ``{"code", "message", "message_en", "field"}`` (and ``details`` when there
are any): the shape ``ShequError.to_dict`` gives over RPC. The Chinese message is ``message``,
as everywhere else in the suite (GATEWAY.md's G3 calls it ``message_zh``; the suite's name is
kept so that a client reads one shape from RPC, the CLI and HTTP).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from shequ import errors as e
from starlette.exceptions import HTTPException

log = logging.getLogger(__name__)

# By code first (codes the gateway itself says), then by class, most specific first.
BY_CODE: dict[str, int] = {
    "unauthenticated": 401,
    "csrf": 403,
    "rate_limited": 429,
    "timeout": 504,
    "service_down": 503,
    "broker_unavailable": 503,
    "upstream_error": 502,
}
BY_CLASS: tuple[tuple[type[e.ShequError], int], ...] = (
    (e.ValidationError, 400),
    (e.Forbidden, 403),
    (e.NotFound, 404),
    (e.Conflict, 409),
    (e.RuleViolation, 422),
    (e.AuditBasisError, 409),
    (e.Unavailable, 503),
    (e.LogTampered, 500),
)
ERROR_STATUSES = {
    400: "参数有误 / invalid input",
    401: "未登录或凭据无效 / not authenticated",
    403: "无权操作 / forbidden",
    404: "未找到 / not found",
    409: "冲突 / conflict",
    422: "违反业务规则 / rule violation",
    429: "请求过多 / too many requests",
    502: "服务出错 / the service failed",
    503: "服务未运行或不可用 / service not running or unavailable",
    504: "服务超时 / service timed out",
}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "错误 Error",
    "type": "object",
    "required": ["code", "message", "message_en", "field"],
    "properties": {
        "code": {"type": "string", "title": "错误代码"},
        "message": {"type": "string", "title": "中文说明"},
        "message_en": {"type": "string", "title": "English message"},
        "field": {"type": ["string", "null"], "title": "出错的字段"},
        "details": {"type": "object", "title": "细节（如 rule）"},
    },
    "examples": [
        {
            "code": "invalid",
            "message": "name 须为文本",
            "message_en": "name must be text",
            "field": "name",
            "details": {"rule": "type.text"},
        }
    ],
}


def status_of(exc: e.ShequError) -> int:
    if exc.code in BY_CODE:
        return BY_CODE[exc.code]
    for cls, status in BY_CLASS:
        if isinstance(exc, cls):
            return status
    return 400


def unauthenticated() -> e.ShequError:
    return e.ShequError(
        "未登录或凭据无效",
        "not authenticated or the credentials are invalid",
        None,
        code="unauthenticated",
    )


def _of_service(service: str, code: str, zh: str, en: str) -> e.ShequError:
    """An error the gateway says about ``service`` (named in the details)."""
    return e.ShequError(zh, en, None, code=code, service=service)


def timeout(service: str, seconds: float) -> e.ShequError:
    zh = f"服务 {service} 在 {seconds:g} 秒内未答复"
    return _of_service(
        service, "timeout", zh, f"service {service} did not answer within {seconds:g} s"
    )


def upstream(service: str, exc: BaseException) -> e.ShequError:
    """A failure that is not one of the suite's errors (a bug in the service)."""
    en = f"service {service} failed: {type(exc).__name__}"
    return _of_service(service, "upstream_error", f"服务 {service} 处理出错", en)


def answer(exc: e.ShequError) -> JSONResponse:
    return JSONResponse(exc.to_dict(), status_code=status_of(exc))


def _plain(status: int, code: str, zh: str, en: str) -> JSONResponse:
    body = {"code": code, "message": zh, "message_en": en, "field": None}
    return JSONResponse(body, status_code=status)


async def _shequ(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, e.ShequError)
    return answer(exc)


async def _http(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return _plain(404, "not_found", "没有这个地址", "no such path")
    if exc.status_code == 405:
        response = _plain(405, "method_not_allowed", "不支持此请求方法", "method not allowed")
        if exc.headers:
            response.headers.update(exc.headers)
        return response
    return _plain(exc.status_code, "http_error", str(exc.detail), str(exc.detail))


async def _validation(_: Request, exc: Exception) -> JSONResponse:
    # Routes check their own arguments through the command models; this answers anything
    # FastAPI itself checks (kept in the suite's shape: FastAPI's default 422 is replaced).
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {}
    field = ".".join(str(p) for p in first.get("loc", ())[1:]) or None
    err = e.ValidationError(
        f"参数有误：{first.get('msg', '')}", str(first.get("msg", "invalid input")), field
    )
    return answer(err)


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error in the gateway", exc_info=exc)
    return _plain(500, "internal", "网关内部错误", f"internal gateway error: {type(exc).__name__}")


def install(app: FastAPI) -> None:
    app.add_exception_handler(e.ShequError, _shequ)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(Exception, _unexpected)
