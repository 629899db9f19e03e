"""An assessment period (考核周期): a month, quarter, half-year or year, for every subject.

Open → scored (and closed) → reopened → scored again (revision 2, ...). A period keeps the
scheme versions it was first scored under. The committee's manual scores are entered while it
is open, each with a reason and the actor. Scoring records the inputs' position in the log
(``as_of``), so the results can be recomputed from the events and compared.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Aggregate, event
from shequ.domainkit import ActorDict, checks

from assessment.domain.common import IDS, period_end, violation


class Period(Aggregate):
    create_id = IDS.keyed_by("period", "kind", "start")

    @classmethod
    def open(cls, kind: str, start: str, actor: ActorDict) -> Period:
        return cls(kind, start, period_end(kind, start), actor)

    @event("Opened")
    def __init__(self, kind: str, start: str, end: str, actor: ActorDict) -> None:
        self.kind = kind
        self.start = start
        self.end = end
        self.status = "open"
        self.revision = 0
        self.versions: dict[str, int] = {}
        self.manual: dict[str, dict[str, dict[str, Any]]] = {}
        self.results: dict[str, list[dict[str, Any]]] = {}
        self.as_of = 0

    @property
    def closed(self) -> bool:
        return self.status == "closed"

    def _check_open(self, field: str = "period_start") -> None:
        if self.closed:
            raise violation(
                "period_closed",
                f"考核周期（{self.start}至{self.end}）已结束评分，须先重新开启",
                f"the period {self.start}..{self.end} is closed; reopen it first",
                field,
            )

    @event("ScoreEntered")
    def _score_entered(
        self,
        subject_kind: str,
        subject_id: str,
        item: str,
        score: str,
        reason: str,
        actor: ActorDict,
    ) -> None:
        self.manual.setdefault(subject_id, {})[item] = {
            "score": score,
            "reason": reason,
            "actor": actor,
            "subject_kind": subject_kind,
        }

    @checks(_score_entered)
    def enter_score(self) -> None:
        """A committee score for one manual item of one subject (a later one replaces it)."""
        self._check_open()

    def manual_scores(self, subject_id: str) -> dict[str, str]:
        return {k: v["score"] for k, v in self.manual.get(subject_id, {}).items()}

    def publish(
        self,
        as_of: int,
        versions: dict[str, int],
        results: dict[str, list[dict[str, Any]]],
        facts: int,
        actor: ActorDict,
    ) -> None:
        """Record the results (closing the period), then one event per subject and a
        ranking per subject kind, which are what other services read."""
        self._check_open()
        self._scored(self.revision + 1, as_of, versions, results, facts, actor)
        for subject_kind, rows in results.items():
            for row in rows:
                self._subject_scored(
                    self.kind,
                    self.start,
                    self.end,
                    self.revision,
                    subject_kind,
                    row["subject_id"],
                    versions[subject_kind],
                    row["total"],
                    row["base"],
                    row["bonus"],
                    row["deduction"],
                    row["rank"],
                    actor,
                )
            self._ranking_published(
                self.kind,
                self.start,
                self.end,
                self.revision,
                subject_kind,
                [r["subject_id"] for r in rows],
                [r["total"] for r in rows],
                [r["rank"] for r in rows],
                actor,
            )

    @event("Scored")
    def _scored(
        self,
        revision: int,
        as_of: int,
        versions: dict[str, int],
        results: dict[str, list[dict[str, Any]]],
        facts: int,
        actor: ActorDict,
    ) -> None:
        self.revision = revision
        self.as_of = as_of
        self.versions = dict(versions)
        self.results = results
        self.status = "closed"

    @event("SubjectScored")
    def _subject_scored(  # noqa: PLR0913, PLR0917 - the stored event's fields
        self,
        period_kind: str,
        period_start: str,
        period_end: str,
        revision: int,
        subject_kind: str,
        subject_id: str,
        scheme_version: int,
        total: str,
        base: str,
        bonus: str,
        deduction: str,
        rank: int,
        actor: ActorDict,
    ) -> None:
        pass

    @event("RankingPublished")
    def _ranking_published(
        self,
        period_kind: str,
        period_start: str,
        period_end: str,
        revision: int,
        subject_kind: str,
        ranked_ids: list[str],
        totals: list[str],
        ranks: list[int],
        actor: ActorDict,
    ) -> None:
        pass

    def note_arrival(self, source: str, moved_from: str | None, actor: ActorDict) -> None:
        """A fact for this period arrived after the period ended. Writing it here makes a
        concurrent scoring of the period conflict and decide again with the fact (optimistic
        concurrency), so no fact can slip in unseen between reading and closing."""
        self._arrival_after_end(source, moved_from, actor)

    @event("ArrivalAfterEnd")
    def _arrival_after_end(self, source: str, moved_from: str | None, actor: ActorDict) -> None:
        self.arrivals_after_end = getattr(self, "arrivals_after_end", 0) + 1

    def reopen(self, reason: str, source: str | None, actor: ActorDict) -> None:
        """Open a scored period again (a late event under the ``reopen`` rule, or by hand)."""
        if not self.closed:
            raise violation(
                "period_not_closed",
                "考核周期尚未结束评分，无需重新开启",
                "the period is not closed",
                "period_start",
            )
        self._reopened(self.kind, self.start, self.end, reason, source, actor)

    @event("Reopened")
    def _reopened(
        self,
        period_kind: str,
        period_start: str,
        period_end: str,
        reason: str,
        source: str | None,
        actor: ActorDict,
    ) -> None:
        self.status = "reopened"
