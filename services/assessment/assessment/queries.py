"""Queries: scoreboard (with chart), exports, where an indicator came from, recomputation,
pledges and rewards. They read the projections, caught up first, and mask by role."""

from __future__ import annotations

import base64
import json
from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import NotFound, ValidationError
from shequ.validation import check_choice, check_int, check_uuid
from sqlalchemy import func, select

from assessment import masking
from assessment import tables as t
from assessment.base import AssessmentBase
from assessment.commands_periods import check_period
from assessment.domain import Period
from assessment.domain.common import PERIOD_KINDS, SUBJECT_KINDS
from assessment.domain.metrics import METRICS
from assessment.outputs import chart_svg, to_csv, to_xlsx
from assessment.recompute import recompute

FORMATS = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Queries(AssessmentBase):
    def _board(
        self, kind: str, start: str, subject_kind: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        pid = str(Period.create_id(kind, start))
        with self.read() as c:
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

    def _title(self, kind: str, start: str, subject_kind: str) -> str:
        return f"{start} {PERIOD_KINDS[kind]}{SUBJECT_KINDS[subject_kind]}考核得分"

    def scoreboard(
        self, actor: Actor, period_kind: str, period_start: str, subject_kind: str = "community"
    ) -> dict[str, Any]:
        """The published results of a period, ranked, with a bar chart (SVG)."""
        kind, start = check_period(period_kind, period_start)
        subject_kind = check_choice(subject_kind, "subject_kind", SUBJECT_KINDS, "考核对象")
        self.policy.check("scoreboard", actor, Target())
        period, rows = self._board(kind, start, subject_kind)
        title = self._title(kind, start, subject_kind)
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
            "facts_by_source": self._facts_by_source(kind, start, period["as_of"]),
        }
        if masking.sees_inputs(actor):
            out["committee_scores"] = self._scores(period["id"])
        return out

    def _facts_by_source(self, kind: str, start: str, as_of: int) -> dict[str, int]:
        """How many facts each upstream gave the period (0: it has published nothing yet)."""
        f = t.facts
        counts = {"casework": 0, "outreach": 0}
        with self.read() as c:
            for fact_kind, n in c.execute(
                select(f.c.kind, func.count())
                .where(f.c[kind] == start, f.c.position <= as_of)
                .group_by(f.c.kind)
            ):
                counts["casework" if fact_kind.startswith("case.") else "outreach"] += n
        return counts

    def _scores(self, period_id: str) -> list[dict[str, Any]]:
        with self.read() as c:
            rows = c.execute(
                select(t.scores)
                .where(t.scores.c.period_id == period_id)
                .order_by(t.scores.c.subject_id, t.scores.c.item)
            ).mappings()
            return [
                {k: r[k] for k in ("subject_id", "item", "score", "reason", "actor_id")}
                for r in rows
            ]

    def export_scores(
        self,
        actor: Actor,
        period_kind: str,
        period_start: str,
        subject_kind: str = "community",
        format: str = "csv",
    ) -> dict[str, Any]:
        """The scoreboard as a CSV or XLSX file (Chinese headings), base64-encoded."""
        kind, start = check_period(period_kind, period_start)
        subject_kind = check_choice(subject_kind, "subject_kind", SUBJECT_KINDS, "考核对象")
        fmt = check_choice(format, "format", FORMATS, "导出格式")
        self.policy.check("export_scores", actor, Target())
        period, rows = self._board(kind, start, subject_kind)
        title = self._title(kind, start, subject_kind)
        content = to_csv(rows) if fmt == "csv" else to_xlsx(rows, title, period["end"])
        return {
            "filename": f"assessment-{kind}-{start}-{subject_kind}.{fmt}",
            "media_type": FORMATS[fmt],
            "content_base64": base64.b64encode(content).decode(),
        }

    def indicator_sources(
        self, actor: Actor, period_kind: str, period_start: str, subject_id: str, metric: str
    ) -> dict[str, Any]:
        """The upstream events an automatic indicator of a subject was computed from."""
        kind, start = check_period(period_kind, period_start)
        subject_id = check_uuid(subject_id, "subject_id")
        metric = check_choice(metric, "metric", METRICS, "指标")
        with self.read() as c:
            subject = (
                c.execute(select(t.subjects).where(t.subjects.c.subject_id == subject_id))
                .mappings()
                .first()
            )
            if subject is None:
                raise NotFound("未找到考核对象", "no such community or team", "subject_id")
            self.policy.check(
                "indicator_sources", actor, Target(community_id=subject["community_id"])
            )
            column = (
                t.facts.c.team_id if subject["subject_kind"] == "team" else t.facts.c.community_id
            )
            kinds = _fact_kinds(metric)
            rows = (
                c.execute(
                    select(
                        t.facts.c.source,
                        t.facts.c.kind,
                        t.facts.c.key,
                        t.facts.c.on,
                        t.facts.c.position,
                        t.facts.c.late,
                    )
                    .where(
                        column == subject_id, t.facts.c[kind] == start, t.facts.c.kind.in_(kinds)
                    )
                    .order_by(t.facts.c.position)
                )
                .mappings()
                .all()
            )
        return {
            "metric": metric,
            "name": METRICS[metric].name_zh,
            "source_service": METRICS[metric].source,
            "no_data": not rows,
            "facts": [
                {
                    "source": r["source"],
                    "kind": r["kind"],
                    "key": r["key"],
                    "on": r["on"],
                    "position": r["position"],
                    "late": json.loads(r["late"]),
                }
                for r in rows
            ],
        }

    def recompute_period(self, actor: Actor, period_kind: str, period_start: str) -> dict[str, Any]:
        """Recompute a scored period from the event log and compare with what was published."""
        kind, start = check_period(period_kind, period_start)
        self.policy.check("recompute_period", actor, Target())
        return recompute(self, kind, start)

    def periods(self, actor: Actor, period_kind: str | None = None) -> list[dict[str, Any]]:
        """Every period known (scored, reopened, or written to by a late fact), newest first:
        status, revision, how many facts arrived after it ended, and how many arrived after it
        was last scored (``pending``: a reopened period must be scored again to count them)."""
        kind = (
            check_choice(period_kind, "period_kind", PERIOD_KINDS, "考核周期")
            if period_kind
            else None
        )
        self.policy.check("periods", actor, Target())
        p, f = t.periods, t.facts
        query = select(p).order_by(p.c.start.desc(), p.c.kind)
        if kind:
            query = query.where(p.c.kind == kind)
        out = []
        with self.read() as c:
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

    def pledges(self, actor: Actor, year: int, community_id: str | None = None) -> list[Any]:
        """Pledges of a year (published ones only, except for staff); names masked by role."""
        year = check_int(year, "year", "年度", 2000, 2100)
        community = check_uuid(community_id, "community_id") if community_id else None
        self.policy.check("pledges", actor, Target(community_id=community))
        p = t.pledges
        query = select(p).where(p.c.year == year).order_by(p.c.community_id, p.c.member_id)
        if community:
            query = query.where(p.c.community_id == community)
        if not masking.sees_inputs(actor):
            query = query.where(p.c.published_on.is_not(None))
        with self.read() as c:
            rows = c.execute(query).mappings().all()
        return [
            {
                "book_id": r["id"],
                "member_id": r["member_id"],
                "member_name": masking.member_name(actor, r["member_name"]),
                "community_id": r["community_id"],
                "year": r["year"],
                "pledges": json.loads(r["pledges"]),
                "published_on": r["published_on"],
                "score": r["score"],
                "grade": r["grade"],
            }
            for r in rows
        ]

    def rewards(self, actor: Actor, year: int | None = None) -> dict[str, Any]:
        """Rewards (amounts in fen) and exemplary communities, optionally of one year."""
        if year is not None:
            year = check_int(year, "year", "年度", 2000, 2100)
        self.policy.check("rewards", actor, Target())
        with self.read() as c:
            rewards = c.execute(select(t.rewards).order_by(t.rewards.c.granted_on)).mappings()
            rewards_out = [
                dict(r) for r in rewards if year is None or r["granted_on"].startswith(str(year))
            ]
            ex = select(t.exemplars).order_by(t.exemplars.c.year, t.exemplars.c.community_id)
            if year is not None:
                ex = ex.where(t.exemplars.c.year == year)
            exemplars = [dict(r) for r in c.execute(ex).mappings()]
        return {"rewards": rewards_out, "exemplary": exemplars}


def _fact_kinds(metric: str) -> list[str]:
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
    }.get(metric, ["survey.results_published"])


__all__ = ["Queries", "ValidationError"]
