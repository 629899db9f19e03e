"""The gateway's ASGI app: ``create_app(settings)``.

One route per use case of every service (``gateway.routes``), each one: authenticate (the
principal), check the arguments with the use case's command model, build the actor from the
principal only and sign it for the service, then call the service over RPC in a worker thread
(a pooled proxy, ``gateway.pool``) after asking the broker whether the service runs at all
(``shequ.presence``: a stopped service answers 503 at once, not after the timeout).
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread
from fastapi import Depends, FastAPI, Request, Response
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from nameko.exceptions import RpcTimeout
from shequ.errors import ShequError, ValidationError
from shequ.presence import Presence
from shequ.suite import SERVICES

from gateway import errors
from gateway.auth import Auth, authenticator
from gateway.auth import install as install_auth
from gateway.console import install as install_console
from gateway.metrics import LATENCY, REQUESTS, RPC_SECONDS
from gateway.open311 import Clients, Open311, install
from gateway.pool import RpcPool
from gateway.publiclog import PublicLog
from gateway.publiclog import install as install_log
from gateway.routes import PREFIX, Route, components, routes, table
from gateway.security import Authenticate, Principal, TokenAuthenticator, current_principal
from gateway.settings import Settings

TITLE = "社区 Shequ API"
VERSION = "1"
MAX_BODY = 4 * 1024 * 1024


class Gateway:
    """What the routes share: the pool, the presence checks and the thread limiter."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pool = RpcPool(settings.amqp_uri, settings.pool_size, settings.rpc_timeout)
        self.presence = Presence(settings.amqp_uri, settings.presence_ttl)
        self.limiter: anyio.CapacityLimiter | None = None

    def _call(self, service: str, method: str, kwargs: dict[str, Any]) -> Any:
        self.presence.require(service)  # 503 at once when nothing consumes its RPC queue
        start = time.perf_counter()
        outcome = "ok"
        try:
            return self.pool.call(service, method, kwargs)
        except ShequError:
            outcome = "refused"
            raise
        except RpcTimeout:
            outcome = "timeout"
            raise errors.timeout(service, self.settings.rpc_timeout) from None
        except Exception as exc:  # noqa: BLE001 - a remote bug, a lost connection: said, not leaked
            outcome = "failed"
            raise errors.upstream(service, exc) from None
        finally:
            RPC_SECONDS.labels(service, outcome).observe(time.perf_counter() - start)

    async def call(self, service: str, method: str, kwargs: dict[str, Any]) -> Any:
        if self.limiter is None:
            self.limiter = anyio.CapacityLimiter(self.settings.pool_size)
        return await anyio.to_thread.run_sync(
            self._call, service, method, kwargs, limiter=self.limiter
        )

    def ready(self) -> dict[str, Any]:
        """Readiness: the broker answers and a pooled proxy can be had."""
        checks: dict[str, Any] = {}
        try:
            self.presence.broker_ok()
            checks["broker"] = "ok"
        except ShequError as exc:
            checks["broker"] = exc.message_en
        try:
            with self.pool.checkout(wait=2.0):
                checks["rpc_pool"] = f"ok ({self.pool.made}/{self.pool.size} open)"
        except Exception as exc:  # noqa: BLE001
            checks["rpc_pool"] = f"{type(exc).__name__}: {exc}"[:200]
        return checks

    def close(self) -> None:
        self.pool.close()
        self.presence.close()


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ValidationError("请求体过大", "the request body is too large", "body", rule="size")
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError(
            "请求体须为 JSON 对象",
            "the request body must be a JSON object",
            "body",
            rule="json",
        ) from None
    if not isinstance(data, dict):
        raise ValidationError(
            "请求体须为 JSON 对象",
            "the request body must be a JSON object",
            "body",
            rule="json",
        )
    return data


def _endpoint(route: Route) -> Callable[..., Awaitable[Response]]:
    async def endpoint(
        request: Request,
        principal: Principal = Depends(current_principal),  # noqa: B008 - FastAPI's way
    ) -> Response:
        if route.method == "GET":
            query = request.query_params
            repeated = {k for k in query if len(query.getlist(k)) > 1}
            args = route.query_arguments(dict(query), repeated)
        else:
            args = await _body(request)
        checked = route.parse(args)
        gateway: Gateway = request.app.state.gateway
        kwargs = {**checked, "actor": principal.actor_for(route.service)}
        result = await gateway.call(route.service, route.name, kwargs)
        return JSONResponse(result)

    endpoint.__name__ = f"{route.service}_{route.name}"
    return endpoint


def _operation(route: Route, refs: dict[tuple[str, str], str]) -> dict[str, Any]:
    """What the OpenAPI document says of a route beyond what FastAPI derives."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    responses: dict[str, Any] = {
        "200": {
            "description": "成功 / OK",
            "content": {"application/json": {"schema": {}}},
        },
        **{
            str(status): {"description": text, "content": error}
            for status, text in errors.ERROR_STATUSES.items()
        },
    }
    extra: dict[str, Any] = {"responses": responses}
    example = route.case.example()
    if route.method == "GET":
        schema = route.schema
        required = set(schema.get("required", []))
        extra["parameters"] = [
            {
                "name": name,
                "in": "query",
                "required": name in required,
                "schema": spec,
                "description": spec.get("title", name),
                **({"example": example[name]} if name in example else {}),
            }
            for name, spec in schema.get("properties", {}).items()
        ]
    else:
        content: dict[str, Any] = {"schema": {"$ref": refs[(route.service, route.name)]}}
        if example:
            content["example"] = example
        extra["requestBody"] = {"required": True, "content": {"application/json": content}}
    return extra


def _tags() -> list[dict[str, str]]:
    import importlib

    out = []
    for service in SERVICES:
        doc = (importlib.import_module(service).__doc__ or service).strip().splitlines()[0]
        out.append({"name": service, "description": doc})
    return out


def _openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    def build() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
                tags=app.openapi_tags,
            )
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(components()[1])
            schemas["Error"] = errors.ERROR_SCHEMA
            app.openapi_schema = doc
        return app.openapi_schema

    return build


def create_app(
    settings: Settings | None = None,
    authenticate: Authenticate | None = None,
    auth: Auth | None = None,
) -> FastAPI:
    """The gateway as an ASGI app. ``authenticate`` decides who calls (default: API tokens
    from ``settings.tokens_file``); with ``auth`` (accounts, sessions and tokens on the
    gateway's database, ``gateway.auth``), its sessions and tokens first, then that file, and
    the session routes (log in, who am I, log out)."""
    settings = settings or Settings.from_env()
    gateway = Gateway(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        gateway.limiter = anyio.CapacityLimiter(settings.pool_size)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(gateway.close)

    app = FastAPI(
        title=TITLE,
        version=VERSION,
        description=(
            "社区服务套件的 HTTP 接口：每项用例一个地址，由各服务的用例表生成。\n\n"
            "The suite's HTTP API: one route per use case, generated from each service's "
            "use-case table. Errors: `{code, message, message_en, field}`."
        ),
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=f"{PREFIX}/docs",
        redoc_url=None,
        openapi_tags=_tags(),
        lifespan=lifespan,
    )
    app.state.gateway = gateway
    app.state.settings = settings
    tokens_file = TokenAuthenticator.from_file(settings.tokens_file)
    if auth is not None and authenticate is None:
        authenticate = authenticator(auth, tokens_file if settings.tokens_file else None)
    app.state.authenticate = authenticate or tokens_file
    errors.install(app)
    if auth is not None:
        install_auth(app, auth)
        install_console(app)  # the web console's pages (G20), on the same sessions

    refs = components()[0]
    for route in routes():
        app.add_api_route(
            route.path,
            _endpoint(route),
            methods=[route.method],
            tags=[route.service],
            summary=route.case.title or route.name,
            description=route.describe(),
            operation_id=route.operation_id,
            openapi_extra=_operation(route, refs),
            response_class=JSONResponse,
        )

    open311 = Open311(
        gateway, Clients.from_file(settings.open311_clients), settings.open311_jurisdiction
    )
    install(app, open311)  # GeoReport v2 under /open311/v2/
    install_log(app, PublicLog(settings))  # the public disclosure log and its verify page

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, Any]:
        return {"status": "alive", "services": list(SERVICES)}

    @app.get("/readyz", include_in_schema=False)
    async def readyz() -> JSONResponse:
        checks = await anyio.to_thread.run_sync(gateway.ready)
        failed = [k for k, v in checks.items() if not str(v).startswith("ok")]
        body = {"ready": not failed, "failed": failed, "checks": checks}
        return JSONResponse(body, status_code=503 if failed else 200)

    @app.middleware("http")
    async def measure(request: Request, call_next: Callable[[Request], Any]) -> Response:
        start = time.perf_counter()
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            found = request.scope.get("route")
            label = getattr(found, "path", "unmatched")
            LATENCY.labels(label).observe(time.perf_counter() - start)
            REQUESTS.labels(label, str(status)).inc()

    app.openapi = _openapi(app)  # type: ignore[method-assign]
    return app


__all__ = ["Gateway", "create_app", "table"]
