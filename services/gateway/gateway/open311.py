"""Open311 GeoReport v2 under ``/open311/v2/`` (GATEWAY.md G30–G37), JSON only.

* ``GET services.json`` and ``GET services/{code}.json``: casework's categories
  (``casework.case_categories``), the group being the work group that handles the category;
  one attribute, ``publish_description`` (yes/no): the filer's consent to show the description.
* ``POST requests.json`` (form-encoded): a client's ``api_key`` (kept hashed, see below) names
  the client and the community its requests belong to; the request becomes casework's
  ``open_case`` (channel ``open311``) with an actor the gateway builds for that client alone:
  ``{"person_id": "open311:<client>", "role": "community_staff", "community_id": <its
  community>}``, signed for casework as every other call. Nothing in the request says who acts.
* ``GET requests.json`` and ``GET requests/{id}.json``: casework's ``public_cases``, asked as
  the read-only actor ``{"person_id": "open311", "role": "auditor"}``; public rows carry no
  personal data (casework leaves it out: no names, phones or place text, the description only
  with the filer's consent; the village; coordinates rounded to 3 decimals).

Idempotency: a client that retries a POST (a lost answer, a timeout) must not file twice. The
key given to casework is derived from the request itself: SHA-256 over the client, the day in
the district (Asia/Shanghai) and every form field but ``api_key``, sorted. The same request
sent again the same day answers the case filed the first time; the same words filed on another
day are a new case (casework still marks it ``duplicate_of`` the open one of the same matter).

Errors are GeoReport's: ``[{"code": <HTTP status>, "description": "<zh> / <en>"}]`` with that
status: 400 a missing or bad field, 403 a wrong ``api_key``, 404 an unknown jurisdiction,
service code or request; a service down or slow keeps its status (503, 504).

API keys: ``SHEQU_OPEN311_CLIENTS`` names a JSON file ``{sha256(api_key) hex: {"client":
name, "community_id": id}}``; ``SHEQU_OPEN311_JURISDICTION`` (default ``jiaohe``) is the one
jurisdiction this gateway answers for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from shequ.actorsig import sign_actor
from shequ.errors import ShequError

from gateway import errors
from gateway.digests import ByDigest

PREFIX = "/open311/v2"
LOCAL = ZoneInfo("Asia/Shanghai")
MAX_SPAN = dt.timedelta(days=90)
MAX_DESCRIPTION = 4000
MAX_FORM = 64 * 1024
PUBLIC_ACTOR = {"person_id": "open311", "role": "auditor"}
PUBLISH = "publish_description"
ATTRIBUTES = [
    {
        "variable": True,
        "code": PUBLISH,
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "yes 或 no（默认 no）/ yes or no (default no)",
        "order": 1,
        "description": (
            "是否同意公开问题描述（公开查询只显示描述，不显示姓名、电话、地址）/ "
            "may the description be shown to the public (never names, phones or the address)"
        ),
        "values": [
            {"key": "yes", "name": "同意公开 / publish"},
            {"key": "no", "name": "不公开 / keep private"},
        ],
    }
]
"""The one attribute of every service: the filer's consent to publish the description."""
AGENCY = "社区服务队"


class Open311Error(Exception):
    """A GeoReport error: its HTTP status and its description."""

    def __init__(self, status: int, zh: str, en: str) -> None:
        super().__init__(en)
        self.status, self.description = status, f"{zh} / {en}"

    def answer(self) -> JSONResponse:
        return JSONResponse(
            [{"code": self.status, "description": self.description}], status_code=self.status
        )


def missing(field: str) -> Open311Error:
    return Open311Error(400, f"缺少 {field}", f"{field} is required")


def bad(field: str, zh: str, en: str) -> Open311Error:
    return Open311Error(400, f"{field}：{zh}", f"{field}: {en}")


@dataclass(frozen=True)
class Client:
    """An Open311 client (an app that files for residents) and the community it files for."""

    name: str
    community_id: str

    def actor(self) -> dict[str, str]:
        return {
            "person_id": f"open311:{self.name}",
            "role": "community_staff",
            "community_id": self.community_id,
        }


class Clients(ByDigest[Client]):
    """API keys, kept as their SHA-256 only (a file of ``{sha256 hex: {client, community_id}}``)."""

    @classmethod
    def record(cls, data: Any) -> Client:
        return Client(str(data["client"]), str(data["community_id"]))

    def find(self, secret: str) -> Client:
        found = super().find(secret)
        if found is None:
            raise Open311Error(403, "api_key 无效", "invalid api_key")
        return found


def idempotency_key(client: Client, form: list[tuple[str, str]], day: str) -> str:
    """The casework key of a POST: the same request, the same day, the same case."""
    fields = sorted((k, v) for k, v in form if k != "api_key")
    material = json.dumps([client.name, day, fields], ensure_ascii=False, separators=(",", ":"))
    return "open311-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:48]


# -- shapes ------------------------------------------------------------------------------------


def service(category: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_code": category["category"],
        "service_name": category["category_zh"],
        "description": f"{category['category_zh']}（{category['work_group_zh']}办理）",
        "metadata": True,
        "type": "realtime",
        "keywords": f"{category['category']},{category['work_group']}",
        "group": category["work_group_zh"],
    }


def local_time(iso: str | None) -> str | None:
    """An ISO time as the district's local time, ``+08:00``."""
    if not iso:
        return None
    moment = dt.datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(LOCAL).isoformat(timespec="seconds")


def end_of(day: str | None) -> str | None:
    return f"{day}T23:59:59+08:00" if day else None


def notice(row: dict[str, Any]) -> str:
    return f"由{row['work_group_zh']}办理 / handled by the {row['work_group']} group"


def service_request(row: dict[str, Any]) -> dict[str, Any]:
    """A public case as GeoReport's service request (G35); nothing personal (G36): the
    description only when the filer agreed to publish it."""
    address = "".join(p for p in (row["community_name"], row["village_name"]) if p) or None
    shown = {"description": row["description"]} if row.get("description") else {}
    return {
        **shown,
        "service_request_id": row["case_id"],
        "status": "closed" if row["settled"] else "open",
        "status_notes": f"{row['state_zh']} / {row['state']}",
        "service_name": row["category_zh"],
        "service_code": row["category"],
        "agency_responsible": f"{row['community_name'] or ''}{AGENCY}（{row['work_group_zh']}）",
        "service_notice": notice(row),
        "requested_datetime": local_time(row["recorded_at"]),
        "updated_datetime": local_time(row["updated_at"]),
        "expected_datetime": None if row["settled"] else end_of(row["due_on"]),
        "address": address,
        "address_id": row["village_id"],
        "zipcode": None,
        "lat": row["lat"],
        "long": row["long"],
        "media_url": None,
    }


# -- the routes --------------------------------------------------------------------------------


class Caller(Protocol):
    """The gateway's RPC (``gateway.app.Gateway.call``): a pooled proxy in a worker thread."""

    async def call(self, service: str, method: str, kwargs: dict[str, Any]) -> Any: ...


@dataclass
class Open311:
    gateway: Caller
    clients: Clients
    jurisdiction: str

    async def casework(self, method: str, actor: dict[str, Any], **kwargs: Any) -> Any:
        try:
            return await self.gateway.call(
                "casework", method, {**kwargs, "actor": sign_actor(actor, "casework")}
            )
        except ShequError as exc:
            status = errors.status_of(exc)
            if status in (401, 409, 422):
                status = 400  # GeoReport knows 400, 403 and 404 for a client's mistakes
            where = f"（{exc.field}）" if exc.field else ""
            raise Open311Error(status, f"{exc.message_zh}{where}", exc.message_en) from None

    def check_jurisdiction(self, value: str | None, required: bool = False) -> None:
        if not value:
            if required:
                raise missing("jurisdiction_id")
            return
        if value != self.jurisdiction:
            raise Open311Error(404, f"未知的辖区 {value}", f"unknown jurisdiction_id {value!r}")

    async def categories(self) -> dict[str, dict[str, Any]]:
        rows = await self.casework("case_categories", PUBLIC_ACTOR)
        return {r["category"]: r for r in rows}

    async def service_of(self, code: str) -> dict[str, Any]:
        found = (await self.categories()).get(code)
        if found is None:
            raise Open311Error(404, f"未知的服务代码 {code}", f"unknown service_code {code!r}")
        return found

    async def services(self, request: Request) -> Any:
        self.check_jurisdiction(request.query_params.get("jurisdiction_id"))
        return [service(c) for c in (await self.categories()).values()]

    async def definition(self, request: Request, code: str) -> Any:
        self.check_jurisdiction(request.query_params.get("jurisdiction_id"))
        await self.service_of(code)
        return {"service_code": code, "attributes": ATTRIBUTES}

    async def post(self, request: Request) -> Any:
        raw = await request.body()
        if len(raw) > MAX_FORM:
            raise bad("body", "请求体过大", "the request body is too large")
        try:
            form = parse_qsl(raw.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise bad("body", "须为 UTF-8 表单", "must be a UTF-8 form") from None
        fields = {k: v.strip() for k, v in form}
        for name in ("api_key", "jurisdiction_id", "service_code"):
            if not fields.get(name):
                raise missing(name)
        client = self.clients.find(fields["api_key"])
        self.check_jurisdiction(fields["jurisdiction_id"], required=True)
        category = await self.service_of(fields["service_code"])
        args = _open_case(fields, category)
        args["community_id"] = client.community_id
        day = dt.datetime.now(LOCAL).date().isoformat()
        args["idempotency_key"] = idempotency_key(client, form, day)
        opened = await self.casework("open_case", client.actor(), **args)
        return [
            {
                "service_request_id": opened["case_id"],
                "service_notice": (
                    f"已登记，由{category['work_group_zh']}办理，答复期限 {opened['due_on']} / "
                    f"received; the {category['work_group']} group answers by {opened['due_on']}"
                ),
                "account_id": None,
            }
        ]

    async def requests(self, request: Request) -> Any:
        query = request.query_params
        self.check_jurisdiction(query.get("jurisdiction_id"))
        ids = query.get("service_request_id", "").strip()
        if ids:
            rows = await self.casework("public_cases", PUBLIC_ACTOR, case_ids=ids)
            return [service_request(r) for r in rows]
        args: dict[str, Any] = {}
        if query.get("service_code"):
            args["category"] = (await self.service_of(query["service_code"]))["category"]
        start, end = _span(query.get("start_date"), query.get("end_date"))
        args["received_from"], args["received_to"] = start.isoformat(), end.isoformat()
        status = query.get("status", "").strip()
        if status:
            wanted = {"open": False, "closed": True}
            if status not in wanted:
                raise bad("status", "须为 open 或 closed", "must be open or closed")
            args["settled"] = wanted[status]
        rows = await self.casework("public_cases", PUBLIC_ACTOR, **args)
        return [service_request(r) for r in rows]

    async def one(self, request: Request, request_id: str) -> Any:
        self.check_jurisdiction(request.query_params.get("jurisdiction_id"))
        try:
            rows = await self.casework("public_cases", PUBLIC_ACTOR, case_ids=request_id)
        except Open311Error as exc:
            if exc.status != 400:  # not an id at all: no such request either
                raise
            rows = []
        if not rows:
            raise Open311Error(
                404, f"没有服务请求 {request_id}", f"no service request {request_id!r}"
            )
        return [service_request(rows[0])]


def _number(fields: dict[str, str], name: str, low: float, high: float) -> float:
    try:
        value = float(fields[name])
    except ValueError:
        raise bad(name, "须为数字", "must be a number") from None
    if not math.isfinite(value) or not low <= value <= high:
        raise bad(name, f"须在 {low:g} 与 {high:g} 之间", f"must be within {low:g} and {high:g}")
    return value


def _open_case(fields: dict[str, str], category: dict[str, Any]) -> dict[str, Any]:
    """``open_case`` arguments from a GeoReport POST (the community and key added after)."""
    has_point = bool(fields.get("lat") or fields.get("long"))
    if has_point and not (fields.get("lat") and fields.get("long")):
        raise missing("long" if fields.get("lat") else "lat")
    if not (has_point or fields.get("address_string") or fields.get("address_id")):
        raise Open311Error(
            400,
            "须给出位置：lat 与 long、address_string 或 address_id",
            "a location is required: lat and long, address_string or address_id",
        )
    description = fields.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        raise bad("description", "至多 4000 字", f"at most {MAX_DESCRIPTION} characters")
    place = fields.get("address_string", "")[:150]
    if has_point:
        lat = _number(fields, "lat", -90, 90)
        lon = _number(fields, "long", -180, 180)
        place = f"{place} {lat:.6f},{lon:.6f}".strip()
    args: dict[str, Any] = {
        "case_type": "demand",
        "category": category["category"],
        "channel": "open311",
        "title": (description.splitlines()[0][:60] if description else "")
        or category["category_zh"],
        "description": description,
        "place": place,
        "resident_name": (fields.get("last_name", "") + fields.get("first_name", ""))[:50],
        "resident_phone": fields.get("phone", ""),
    }
    if fields.get("address_id"):
        args["village_id"] = fields["address_id"]  # a village of the client's community
    args["publish_description"] = _consent(fields) and bool(description)
    return args


def _consent(fields: dict[str, str]) -> bool:
    """``attribute[publish_description]``: yes or no; any other attribute is refused."""
    for name, value in fields.items():
        if not name.startswith("attribute["):
            continue
        code = name[len("attribute[") : -1] if name.endswith("]") else ""
        if code != PUBLISH:
            raise bad(name, "没有这个属性", f"no such attribute (only {PUBLISH})")
        if value not in ("yes", "no", ""):
            raise bad(name, "须为 yes 或 no", "must be yes or no")
    return fields.get(f"attribute[{PUBLISH}]") == "yes"


def _day(value: str | None, field: str) -> dt.date | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise bad(field, "须为 ISO 8601 时间", "must be an ISO 8601 date and time") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL)
    return moment.date()


def _span(start: str | None, end: str | None) -> tuple[dt.date, dt.date]:
    """The days asked for: at most 90 days; by default the last 90 days."""
    first, last = _day(start, "start_date"), _day(end, "end_date")
    if last is None:
        last = (first + MAX_SPAN) if first else dt.datetime.now(LOCAL).date()
    if first is None:
        first = last - MAX_SPAN
    if first > last:
        raise bad("start_date", "不得晚于 end_date", "must not be after end_date")
    if last - first > MAX_SPAN:
        raise bad("end_date", "与 start_date 相隔至多 90 天", "at most 90 days after start_date")
    return first, last


def install(app: FastAPI, open311: Open311) -> None:
    """The GeoReport v2 routes (outside the suite's OpenAPI document: Open311 has its own)."""

    def add(path: str, endpoint: Callable[..., Awaitable[JSONResponse]], *methods: str) -> None:
        app.add_api_route(
            f"{PREFIX}{path}", endpoint, methods=list(methods), include_in_schema=False
        )

    def answering(
        handler: Callable[..., Awaitable[Any]],
    ) -> Callable[..., Awaitable[JSONResponse]]:
        async def endpoint(request: Request, **path: str) -> JSONResponse:
            try:
                return JSONResponse(await handler(request, **path))
            except Open311Error as exc:
                return exc.answer()

        return endpoint

    async def services(request: Request) -> JSONResponse:
        return await answering(open311.services)(request)

    async def definition(request: Request, code: str) -> JSONResponse:
        return await answering(open311.definition)(request, code=code)

    async def post(request: Request) -> JSONResponse:
        return await answering(open311.post)(request)

    async def requests(request: Request) -> JSONResponse:
        return await answering(open311.requests)(request)

    async def one(request: Request, request_id: str) -> JSONResponse:
        return await answering(open311.one)(request, request_id=request_id)

    async def unknown(request: Request, rest: str) -> JSONResponse:
        return Open311Error(404, f"没有这个地址 {rest}", f"no such path {rest!r}").answer()

    add("/services.json", services, "GET")
    add("/services/{code}.json", definition, "GET")
    add("/requests.json", post, "POST")
    add("/requests.json", requests, "GET")
    add("/requests/{request_id}.json", one, "GET")
    add("/{rest:path}", unknown, "GET", "POST")
