"""Use cases: the committee's scores, scoring and reopening periods."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from shequ.actor import Actor
from shequ.auth import Target
from shequ.errors import NotFound, ValidationError
from shequ.validation import check_choice, check_date, check_uuid, require_text

from assessment.assess import assess, choose_versions, read_subjects, tallies_from_read_model
from assessment.base import AssessmentBase
from assessment.domain import Period, Scheme, Subject
from assessment.domain.common import (
    PERIOD_KINDS,
    SUBJECT_KINDS,
    cents,
    period_end,
    period_start,
    violation,
)
from assessment.domain.scoring import check_manual_score


def check_period(kind: Any, start: Any) -> tuple[str, str]:
    """A period kind and its first day (``2025-04-01`` for the second quarter of 2025)."""
    kind = check_choice(kind, "period_kind", PERIOD_KINDS, "考核周期")
    start = check_date(start, "period_start")
    if period_start(kind, start) != start:
        raise ValidationError(
            "period_start 须为该周期的第一天（如季度为1、4、7、10月1日）",
            f"period_start must be the first day of a {kind}",
            "period_start",
            rule="period.start",
        )
    return kind, start


def check_score(value: Any, field: str = "score") -> str:
    """A number of points as decimal text (integers and decimal text accepted)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationError("分值须为数字", f"{field} must be a number", field, rule="number")
    try:
        number = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValidationError(
            "分值须为数字", f"{field} must be a number", field, rule="number"
        ) from None
    if not number.is_finite():
        raise ValidationError("分值须为数字", f"{field} must be a number", field, rule="number")
    return str(number)


class PeriodCommands(AssessmentBase):
    """Periods: committee scores (each with a reason and actor), scoring, reopening."""

    def _period_or_new(self, kind: str, start: str, actor: Actor) -> Period:
        found = self.find(Period.create_id(kind, start))
        return found if found is not None else Period.open(kind, start, actor.to_dict())

    def _schemes(self) -> dict[str, Scheme | None]:
        return {kind: self.find(Scheme.create_id(kind)) for kind in SUBJECT_KINDS}

    def enter_score(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        period_kind: str,
        period_start: str,
        subject_kind: str,
        subject_id: str,
        item: str,
        score: Any,
        reason: str,
    ) -> dict[str, Any]:
        """The district committee's score for a manual item (indicator or bonus/deduction)
        of one community or team; a later score for the same item replaces it."""
        kind, start = check_period(period_kind, period_start)
        p: dict[str, Any] = {
            "period_kind": kind,
            "period_start": start,
            "subject_kind": check_choice(subject_kind, "subject_kind", SUBJECT_KINDS, "考核对象"),
            "subject_id": check_uuid(subject_id, "subject_id"),
            "item": require_text(item, "item", "指标编码", 40),
            "score": check_score(score),
            "reason": require_text(reason, "reason", "评分理由", 500),
        }
        if self.find(Subject.create_id(p["subject_kind"], p["subject_id"])) is None:
            raise NotFound(
                "未找到考核对象", "no such community or team under assessment", "subject_id"
            )

        def decide() -> Any:
            period = self._period_or_new(kind, start, actor)
            versions = choose_versions(
                period, {p["subject_kind"]: self.find(Scheme.create_id(p["subject_kind"]))}
            )
            if p["subject_kind"] not in versions:  # scored before, without this kind
                raise violation(
                    "no_scheme",
                    "该周期未按此类考核对象的考核办法评分",
                    f"the period was scored without a {p['subject_kind']} scheme",
                    "subject_kind",
                )
            scheme = self.load_scheme(p["subject_kind"])
            check_manual_score(
                scheme.numbered(versions[p["subject_kind"]]), p["item"], Decimal(p["score"])
            )
            period.enter_score(
                p["subject_kind"],
                p["subject_id"],
                p["item"],
                str(cents(Decimal(p["score"]))),
                p["reason"],
                actor.to_dict(),
            )
            return [period], {
                "period_id": str(period.id),
                "item": p["item"],
                "score": str(cents(Decimal(p["score"]))),
            }

        return self.run("enter_score", idempotency_key, actor, Target(), p, decide)

    def score_period(
        self, actor: Actor, idempotency_key: str, *, period_kind: str, period_start: str
    ) -> dict[str, Any]:
        """Score every community and team for a period that has ended, publish the results
        and rankings, and close the period."""
        kind, start = check_period(period_kind, period_start)
        p: dict[str, Any] = {"period_kind": kind, "period_start": start}
        end = period_end(kind, start)
        if self.today() <= end:
            raise violation(
                "period_not_over",
                f"考核周期至{end}结束，结束后方可评分",
                f"the period ends on {end}; score it after that",
                "period_start",
            )

        def decide() -> Any:
            period = self._period_or_new(kind, start, actor)
            schemes = self._schemes()
            versions = choose_versions(period, schemes)
            with self.read() as conn:
                as_of = self.projector.position()
                tallies = tallies_from_read_model(conn, kind, start, as_of)
                subjects = read_subjects(conn, as_of)
            results = assess(period, versions, schemes, subjects, tallies, self.settings.no_data)
            facts = sum(tl.facts for tl in tallies.values())
            period.publish(as_of, versions, results, facts, actor.to_dict())
            return [period], {
                "period_id": str(period.id),
                "revision": period.revision,
                "as_of": as_of,
                "results": _summary(results),
            }

        return self.run("score_period", idempotency_key, actor, Target(), p, decide)

    def reopen_period(
        self,
        actor: Actor,
        idempotency_key: str,
        *,
        period_kind: str,
        period_start: str,
        reason: str,
    ) -> dict[str, Any]:
        """Open a scored period again (e.g. a correction); it must then be scored again."""
        kind, start = check_period(period_kind, period_start)
        p: dict[str, Any] = {
            "period_kind": kind,
            "period_start": start,
            "reason": require_text(reason, "reason", "重新开启理由", 500),
        }

        def decide() -> Any:
            period = self.load_period(kind, start)
            period.reopen(p["reason"], None, actor.to_dict())
            return [period], {"period_id": str(period.id), "status": period.status}

        return self.run("reopen_period", idempotency_key, actor, Target(), p, decide)


def _summary(results: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [
            {
                "subject_id": r["subject_id"],
                "name": r["name"],
                "total": r["total"],
                "rank": r["rank"],
            }
            for r in rows
        ]
        for kind, rows in results.items()
    }
