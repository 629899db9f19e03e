"""Use cases: periods (考核周期): the committee's scores, scoring a period that has ended,
reopening it, the list of periods, and recomputing one from the event log."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, ClassVar

from shequ.actor import Actor
from shequ.auth import Target
from shequ.commands import Command, Id, Keyed, Text
from shequ.errors import NotFound
from sqlalchemy import func, select

from assessment import tables as t
from assessment.assess import assess, choose_versions, read_subjects, tallies_from_read_model
from assessment.base import AssessmentBase
from assessment.domain import Period, Scheme, Subject
from assessment.domain.common import SUBJECT_KINDS, cents, period_end, violation
from assessment.domain.scoring import check_manual_score
from assessment.fields import Q1, InPeriod, PeriodKind, Points, SubjectKind, in_q1
from assessment.recompute import recompute

COMMUNITY = "6f1c2a8e-1b2c-4d3e-8f00-000000000001"


class EnterScore(InPeriod, Keyed):
    """The district committee's score for a manual item of one community or team."""

    title = "录入评分"
    example = in_q1(
        "score-2025q1-lizhu-key-tasks",
        subject_kind="community",
        subject_id=COMMUNITY,
        item="key_tasks",
        score="36.5",
        reason="重点工作全部按期完成",
    )
    subject_kind: SubjectKind
    subject_id: Id
    item: Annotated[str, Text(40, "指标编码")]
    score: Points
    reason: Annotated[str, Text(500, "评分理由")]


class ScorePeriod(InPeriod, Keyed):
    """Score every community and team for a period that has ended."""

    title = "考核评分"
    example = in_q1("score-period-2025q1")


class ReopenPeriod(InPeriod, Keyed):
    """Open a scored period again."""

    title = "重新开启考核周期"
    example = in_q1("reopen-2025q1", reason="更正评分")
    reason: Annotated[str, Text(500, "重新开启理由")]


class Periods(Command):
    """Every period known, newest first."""

    title = "考核周期列表"
    example: ClassVar[dict[str, Any]] = {"period_kind": "quarter"}
    period_kind: PeriodKind | None = None


class RecomputePeriod(InPeriod):
    """Recompute a scored period from the event log."""

    title = "重新核算考核结果"
    example: ClassVar[dict[str, Any]] = dict(Q1)


def _period_or_new(app: AssessmentBase, kind: str, start: str, actor: Actor) -> Period:
    found = app.find(Period.create_id(kind, start))
    return found if found is not None else Period.open(kind, start, actor.to_dict())


def enter_score(cmd: EnterScore, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """The district committee's score for a manual item (indicator or bonus/deduction)
    of one community or team; a later score for the same item replaces it."""
    p = cmd.payload()
    kind, start, subject_kind = cmd.period_kind, cmd.period_start, cmd.subject_kind
    if app.find(Subject.create_id(subject_kind, cmd.subject_id)) is None:
        raise NotFound("未找到考核对象", "no such community or team under assessment", "subject_id")

    def decide() -> Any:
        period = _period_or_new(app, kind, start, actor)
        versions = choose_versions(period, {subject_kind: app.find(Scheme.create_id(subject_kind))})
        if subject_kind not in versions:  # scored before, without this kind
            raise violation(
                "no_scheme",
                "该周期未按此类考核对象的考核办法评分",
                f"the period was scored without a {subject_kind} scheme",
                "subject_kind",
            )
        scheme = app.load_scheme(subject_kind)
        check_manual_score(scheme.numbered(versions[subject_kind]), cmd.item, Decimal(cmd.score))
        score = str(cents(Decimal(cmd.score)))
        period.enter_score(
            subject_kind, cmd.subject_id, cmd.item, score, cmd.reason, actor.to_dict()
        )
        return [period], {"period_id": str(period.id), "item": cmd.item, "score": score}

    return app.run("enter_score", cmd.idempotency_key, actor, Target(), p, decide)


def score_period(cmd: ScorePeriod, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Score every community and team for a period that has ended, publish the results
    and rankings, and close the period."""
    kind, start = cmd.period_kind, cmd.period_start
    end = period_end(kind, start)
    if app.today() <= end:
        raise violation(
            "period_not_over",
            f"考核周期至{end}结束，结束后方可评分",
            f"the period ends on {end}; score it after that",
            "period_start",
        )

    def decide() -> Any:
        period = _period_or_new(app, kind, start, actor)
        schemes = {k: app.find(Scheme.create_id(k)) for k in SUBJECT_KINDS}
        versions = choose_versions(period, schemes)
        with app.read() as conn:
            as_of = app.projector.position()
            tallies = tallies_from_read_model(conn, kind, start, as_of)
            subjects = read_subjects(conn, as_of)
        results = assess(period, versions, schemes, subjects, tallies, app.settings.no_data)
        facts = sum(tl.facts for tl in tallies.values())
        period.publish(as_of, versions, results, facts, actor.to_dict())
        return [period], {
            "period_id": str(period.id),
            "revision": period.revision,
            "as_of": as_of,
            "results": _summary(results),
        }

    return app.run("score_period", cmd.idempotency_key, actor, Target(), cmd.payload(), decide)


def reopen_period(cmd: ReopenPeriod, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Open a scored period again (e.g. a correction); it must then be scored again."""

    def period() -> Period:
        return app.load_period(cmd.period_kind, cmd.period_start)

    def reopen(fresh: Period) -> dict[str, Any]:
        fresh.reopen(cmd.reason, None, actor.to_dict())
        return {"period_id": str(fresh.id), "status": fresh.status}

    return app.change("reopen_period", cmd, actor, Target(), period, reopen)


def periods(cmd: Periods, actor: Actor, app: AssessmentBase) -> list[dict[str, Any]]:
    """Every period known (scored, reopened, or written to by a late fact), newest first:
    status, revision, how many facts arrived after it ended, and how many arrived after it
    was last scored (``pending``: a reopened period must be scored again to count them)."""
    app.policy.check("periods", actor, Target())
    p, f = t.periods, t.facts
    query = select(p).order_by(p.c.start.desc(), p.c.kind)
    if cmd.period_kind:
        query = query.where(p.c.kind == cmd.period_kind)
    out = []
    with app.read() as c:
        for row in c.execute(query).mappings().all():
            pending = (
                c.execute(
                    select(func.count())
                    .select_from(f)
                    .where(f.c[row["kind"]] == row["start"], f.c.position > (row["as_of"] or 0))
                ).scalar_one()
                if row["revision"]
                else None
            )
            out.append(
                {
                    "period_id": row["id"],
                    "period_kind": row["kind"],
                    "period_start": row["start"],
                    "period_end": row["end"],
                    "status": row["status"],
                    "revision": row["revision"],
                    "arrivals_after_end": row["after_end"],
                    "pending": pending,
                }
            )
    return out


def recompute_period(cmd: RecomputePeriod, actor: Actor, app: AssessmentBase) -> dict[str, Any]:
    """Recompute a scored period from the event log and compare with what was published."""
    app.policy.check("recompute_period", actor, Target())
    return recompute(app, cmd.period_kind, cmd.period_start)


def _summary(results: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    keep = ("subject_id", "name", "total", "rank")
    return {kind: [{k: r[k] for k in keep} for r in rows] for kind, rows in results.items()}
