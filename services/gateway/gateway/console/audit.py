"""The auditor's pages of the console (GATEWAY.md G20, AUDIT.md D20–D27): a report as of a
date with its basis, its exports, and the verification of every service's sealed log. They
only read.

They run what ``shequ report`` and ``shequ audit verify`` run (``shequ.reports.run``,
``shequ.audit.verify_service``), on the services' stores opened read-only (``open_recorder``
creates nothing) and the signed tree heads: ``SHEQU_<SERVICE>_STORE`` and
``SHEQU_TREEHEAD_DIR``, as the command line reads them. A gateway without them says so on the
page. The same report, the same bytes: an export downloaded here is byte for byte the file the
command line writes for the same cut.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Request, Response
from shequ.errors import ShequError, ValidationError
from shequ.suite import SERVICES

from gateway.console.web import View, html, page

AUDITORS = ("auditor", "district_staff")
REPORTS = page("audit_reports", "/audit", ("审计报表", "Audit reports"), AUDITORS)
VERIFY = page("audit_verify", "/audit/verify", ("日志核验", "Log verification"), AUDITORS)
MEDIA = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
FIELDS = ("report", "level", "ref", "period", "as_of")

router = APIRouter(include_in_schema=False)


class Unusable(ShequError):
    """The audit files or the store cannot be read (not configured, missing, unreadable)."""

    code = "audit.unusable"


def build_report(asked: dict[str, str], fmt: str) -> tuple[bytes, dict[str, Any]]:
    """The report ``asked`` for (report, level, ref, period, as_of) in ``fmt``, and its
    document (blocking: run it in a worker thread)."""
    from shequ.audit.bundle import parse_cut
    from shequ.client import store_for
    from shequ.config import treehead_dir
    from shequ.reports.render import render, renderer_profile
    from shequ.reports.run import FOLDS, build, parts_from_store, prefix_from_store
    from shequ.reports.scope import Scope, parse_period

    if asked["report"] not in FOLDS:
        raise ValidationError("请选择报表", "choose a report", "report", rule="choice")
    if asked["level"] not in ("village", "community"):
        raise ValidationError("请选择村或社区", "choose village or community", "level")
    if not asked["ref"].strip():
        raise ValidationError("请填写村或社区的名称或编号", "name the village or community", "ref")
    cut = parse_cut(asked["as_of"])
    try:
        period = parse_period(asked["period"])
    except (ValueError, ShequError):
        raise ValidationError(
            "期间须为季度（2026Q1）、月份（2026-03）或年份（2026）",
            "the period is a quarter (2026Q1), a month (2026-03) or a year (2026)",
            "period",
        ) from None
    scope = Scope(asked["level"], asked["ref"].strip(), period, cut.isoformat())
    service = FOLDS[asked["report"]][0]
    try:
        prefix = prefix_from_store(service, store_for(service, None), treehead_dir(), cut)
        # the other logs it folds (finance's grants, for affairs), as the command line does
        parts = parts_from_store(
            asked["report"], lambda other: store_for(other, None), treehead_dir(), cut
        )
    except ShequError:
        raise
    except Exception as exc:  # noqa: BLE001 - no store, no tree heads (BundleError, ...): said
        raise Unusable(
            f"无法读取审计记录：{exc}", f"the audit records are unreadable: {exc}"
        ) from None
    doc = build(asked["report"], scope, prefix, parts)
    return render(doc, fmt, renderer_profile()), doc


def verify_all() -> list[dict[str, Any]]:
    """``shequ audit verify`` of every service of the suite, from its store and tree heads."""
    from shequ.audit import verify_service
    from shequ.audit.witnessing import newest_status, policy_for
    from shequ.client import store_for
    from shequ.config import treehead_dir

    results = []
    for service in SERVICES:
        try:
            report = asdict(verify_service(service, store_for(service, None), treehead_dir()))
            # who of the witness policy cosigned the newest checkpoint (ADR 0041)
            head, witnessed = newest_status(treehead_dir(), service, policy_for(service))
            report["witness"] = {"head": head, **witnessed.to_dict()}
        except Exception as exc:  # noqa: BLE001 - an unreadable store is said, per service
            report = {
                "ok": False,
                "message_zh": f"无法核验：{exc}",
                "message_en": f"cannot verify: {exc}",
                "checked": 0,
                "heads": 0,
                "unsealed": 0,
            }
        results.append({"service": service, **report})
    return results


def asked_of(request: Request) -> dict[str, str] | None:
    query = request.query_params
    if not query.get("report"):
        return None
    return {name: query.get(name, "") for name in FIELDS}


@router.get("/audit")
@html(REPORTS)
async def reports(request: Request) -> Response:
    view = await View.open(request, REPORTS)
    asked = asked_of(request)
    doc = None
    digest = ""
    if asked is not None:
        try:
            data, doc = await anyio.to_thread.run_sync(build_report, asked, "json")
            digest = hashlib.sha256(data).hexdigest()
        except ShequError as exc:
            view.refused(exc)
    return view.render(
        "audit_reports.html",
        status=400 if view.errors else 200,
        asked=asked
        or {"report": "finance", "level": "village", "ref": "", "period": "", "as_of": ""},
        doc=doc,
        digest=digest,
        exports={fmt: f"/audit/export.{fmt}?{urlencode(asked)}" for fmt in MEDIA}
        if doc and asked
        else {},
    )


@router.get("/audit/export.{fmt}")
@html(REPORTS)
async def export(request: Request, fmt: str) -> Response:
    await View.open(request, REPORTS)
    asked = asked_of(request)
    if fmt not in MEDIA or asked is None:
        raise ValidationError("没有这种导出格式", "no such export format", "format")
    data, _ = await anyio.to_thread.run_sync(build_report, asked, fmt)
    name = f"{asked['report']}-{asked['period']}-{asked['as_of'][:10]}.{fmt}"
    return Response(
        data,
        media_type=MEDIA[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-SHA256": hashlib.sha256(data).hexdigest(),
        },
    )


@router.get("/audit/verify")
@html(VERIFY)
async def verify(request: Request) -> Response:
    view = await View.open(request, VERIFY)
    results = await anyio.to_thread.run_sync(verify_all)
    return view.render("audit_verify.html", results=results)
