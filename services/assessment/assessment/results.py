"""Use cases: a period's published results: the scoreboard (with its chart), the exported
sheet, and where an automatic indicator of a subject came from. They read the projections,
caught up first, and show the committee's inputs to staff only."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Choice, Id
from shequ.errors import NotFound
from sqlalchemy import func, select

from assessment import masking
from assessment import tables as t
from assessment.base import AssessmentBase
from assessment.domain import Period
from assessment.domain.common import PERIOD_KINDS, SUBJECT_KINDS
from assessment.domain.metrics import METRICS
from assessment.fields import Q1, InPeriod, SubjectKind
from assessment.outputs import chart_svg, to_csv, to_xlsx

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Scoreboard(InPeriod):
    """The published results of a period, ranked, with a bar chart."""

    title = "考核得分榜"
    example: ClassVar[dict[str, Any]] = {**Q1, "subject_kind": "community"}
    subject_kind: SubjectKind = "community"


class ExportScores(InPeriod):
    """The scoreboard as a CSV or XLSX file."""

    title = "导出考核得分"
    example: ClassVar[dict[str, Any]] = {**Q1, "subject_kind": "community", "format": "xlsx"}
    subject_kind: SubjectKind = "community"
    format: Annotated[str, Choice(FORMATS, "导出格式")] = "csv"


class IndicatorSources(InPeriod):
    """The upstream events an automatic indicator of a subject was computed from."""

    title = "指标数据来源"
    example: ClassVar[dict[str, Any]] = {
        **Q1,
        "subject_id": "6f1c2a8e-1b2c-4d3e-8f00-000000000001",
        "metric": "on_time_rate",
    }
    subject_id: Id
    metric: Annotated[str, Choice(METRICS, "指标")]


def scoreboard(cmd: Scoreboard, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """The published results of a period, ranked, with a bar chart (SVG)."""
    kind, start = cmd.period_kind, cmd.period_start
    app.policy.check("scoreboard", actor, Target())
    period, rows = _board(app, kind, start, cmd.subject_kind)
    title = _title(kind, start, cmd.subject_kind)
    out = {
        "period_id": period["id"],
        "period_kind": kind,
        "period_start": start,
        "period_end": period["end"],
        "status": period["status"],
        "revision": period["revision"],
        "versions": json.loads(period["versions"]),
        "title": title,
        "rows": rows,
        "chart_svg": chart_svg(rows, title),
        "facts_by_source": _facts_by_source(app, kind, start, period["as_of"]),
    }
    if masking.sees_inputs(actor):
        out["committee_scores"] = _scores(app, period["id"])
    return out


def export_scores(cmd: ExportScores, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """The scoreboard as a CSV or XLSX file (Chinese headings), base64-encoded."""
    kind, start, fmt = cmd.period_kind, cmd.period_start, cmd.format
    app.policy.check("export_scores", actor, Target())
    period, rows = _board(app, kind, start, cmd.subject_kind)
    title = _title(kind, start, cmd.subject_kind)
    content = to_csv(rows) if fmt == "csv" else to_xlsx(rows, title, period["end"])
    return {
        "filename": f"assessment-{kind}-{start}-{cmd.subject_kind}.{fmt}",
        "media_type": FORMATS[fmt],
        "content_base64": base64.b64encode(content).decode(),
    }


def indicator_sources(cmd: IndicatorSources, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """The upstream events an automatic indicator of a subject was computed from."""
    f = t.facts
    with app.read() as c:
        subject = (
            c.execute(select(t.subjects).where(t.subjects.c.subject_id == cmd.subject_id))
            .mappings()
            .first()
        )
        if subject is None:
            raise NotFound("未找到考核对象", "no such community or team", "subject_id")
        app.policy.check("indicator_sources", actor, Target(community_id=subject["community_id"]))
        column = f.c.team_id if subject["subject_kind"] == "team" else f.c.community_id
        rows = (
            c.execute(
                select(f.c.source, f.c.kind, f.c.key, f.c.on, f.c.position, f.c.late)
                .where(
                    column == cmd.subject_id,
                    f.c[cmd.period_kind] == cmd.period_start,
                    f.c.kind.in_(fact_kinds(cmd.metric)),
                )
                .order_by(f.c.position)
            )
            .mappings()
            .all()
        )
    return {
        "metric": cmd.metric,
        "name": METRICS[cmd.metric].name_zh,
        "source_service": METRICS[cmd.metric].source,
        "no_data": not rows,
        "facts": [{**r, "late": json.loads(r["late"])} for r in rows],
    }


def _board(
    app: AssessmentBase, kind: str, start: str, subject_kind: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    pid = str(Period.create_id(kind, start))
    with app.read() as c:
        period = c.execute(select(t.periods).where(t.periods.c.id == pid)).mappings().first()
        rows = (
            c.execute(
                select(t.results.c.detail)
                .where(t.results.c.period_id == pid, t.results.c.subject_kind == subject_kind)
                .order_by(t.results.c.rank, t.results.c.name)
            )
            .scalars()
            .all()
        )
    if period is None or not period["revision"]:
        raise NotFound(
            "该考核周期尚无评分结果", "the period has no published results", "period_start"
        )
    return dict(period), [json.loads(r) for r in rows]


def _title(kind: str, start: str, subject_kind: str) -> str:
    return f"{start} {PERIOD_KINDS[kind]}{SUBJECT_KINDS[subject_kind]}考核得分"


def _facts_by_source(app: AssessmentBase, kind: str, start: str, as_of: int) -> dict[str, int]:
    """How many facts each upstream gave the period (0: it has published nothing yet)."""
    f = t.facts
    counts = {"casework": 0, "outreach": 0}
    with app.read() as c:
        for fact_kind, n in c.execute(
            select(f.c.kind, func.count())
            .where(f.c[kind] == start, f.c.position <= as_of)
            .group_by(f.c.kind)
        ):
            counts["casework" if fact_kind.startswith("case.") else "outreach"] += n
    return counts


def _scores(app: AssessmentBase, period_id: str) -> list[dict[str, Any]]:
    keep = ("subject_id", "item", "score", "reason", "actor_id")
    with app.read() as c:
        rows = c.execute(
            select(t.scores)
            .where(t.scores.c.period_id == period_id)
            .order_by(t.scores.c.subject_id, t.scores.c.item)
        ).mappings()
        return [{k: r[k] for k in keep} for r in rows]


def fact_kinds(metric: str) -> list[str]:
    """The kinds of fact an automatic indicator is computed from (``indicator_sources``)."""
    return {
        "on_time_rate": ["case.resolved"],
        "resolution_rate": ["case.opened", "case.resolved"],
        "satisfaction": ["case.rated"],
        "reopen_rate": ["case.reopened", "case.resolved"],
        "chases": ["case.chased"],
        "reprimands": ["case.reprimanded"],
        "visit_coverage": ["round.closed"],
        "contact_compliance": ["party_contact.logged", "party_contact.overdue"],
        "card_distribution": ["card.issued", "card.distributed"],
        "disclosure_timeliness": ["disclosure.published", "disclosure.overdue"],
        "objection_timeliness": ["objection.answered", "objection.overdue"],
        "voucher_return_rate": ["voucher.returned", "voucher.posted"],
    }.get(metric, ["survey.results_published"])
