"""Read models of assessment, fed in order from its own notification log.

Every handler is an idempotent upsert keyed by ids. Facts keep their log position: scoring
reads the facts up to the projector's position and records it, so the same set can be folded
again from the log (``recompute``).
"""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import Handlers, Projector, upsert
from sqlalchemy import MetaData, delete, select, update
from sqlalchemy.orm import Session

from assessment import tables as t
from assessment.domain.fact import counted_in


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _id(event: Any) -> str:
    return str(event.originator_id)


class AssessmentProjection(Handlers):
    name = "assessment"
    metadata: MetaData = t.metadata

    def __init__(self) -> None:
        super().__init__()
        self.position = 0  # the notification being applied (set by ``apply_note``)

    # -- facts and subjects ----------------------------------------------------------------
    def on_Fact__Recorded(self, s: Session, e: Any) -> None:
        periods = counted_in(e.on, e.moved)
        upsert(
            s,
            t.facts,
            {"id": _id(e)},
            {
                "position": self.position,
                "source": e.source,
                "kind": e.kind,
                "community_id": e.community_id,
                "team_id": e.team_id,
                "on": e.on,
                "key": e.key,
                "fact_values": dumps(e.values),
                "late": dumps({"late": e.late, "moved": e.moved, "rule": e.late_rule}),
                **periods,
            },
        )

    def on_Subject__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.subjects,
            {"subject_id": e.subject_id},
            {
                "subject_kind": e.subject_kind,
                "name": e.name,
                "community_id": e.community_id,
                "position": self.position,
            },
        )

    # -- schemes and periods ---------------------------------------------------------------
    def on_Scheme__Defined(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.schemes,
            {"id": _id(e)},
            {"subject_kind": e.subject_kind, "name": e.name, "versions": dumps([e.first])},
        )

    def on_Scheme__Revised(self, s: Session, e: Any) -> None:
        row = s.execute(select(t.schemes.c.versions).where(t.schemes.c.id == _id(e))).scalar()
        versions = [v for v in json.loads(row or "[]") if v["version"] != e.record["version"]]
        s.execute(
            update(t.schemes)
            .where(t.schemes.c.id == _id(e))
            .values(versions=dumps([*versions, e.record]))
        )

    def on_Period__Opened(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.periods,
            {"id": _id(e)},
            {
                "kind": e.kind,
                "start": e.start,
                "end": e.end,
                "status": "open",
                "revision": 0,
                "as_of": 0,
                "versions": "{}",
                "after_end": 0,
            },
        )

    def on_Period__ScoreEntered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.scores,
            {"period_id": _id(e), "subject_id": e.subject_id, "item": e.item},
            {
                "subject_kind": e.subject_kind,
                "score": e.score,
                "reason": e.reason,
                "actor_id": e.actor.get("person_id"),
            },
        )

    def on_Period__Scored(self, s: Session, e: Any) -> None:
        s.execute(
            update(t.periods)
            .where(t.periods.c.id == _id(e))
            .values(
                status="closed",
                revision=e.revision,
                as_of=e.as_of,
                versions=dumps(e.versions),
                scored_version=e.originator_version,
            )
        )
        s.execute(delete(t.results).where(t.results.c.period_id == _id(e)))
        for subject_kind, rows in e.results.items():
            for row in rows:
                s.execute(
                    t.results.insert().values(
                        period_id=_id(e),
                        subject_id=row["subject_id"],
                        subject_kind=subject_kind,
                        name=row["name"],
                        rank=row["rank"],
                        total=row["total"],
                        base=row["base"],
                        bonus=row["bonus"],
                        deduction=row["deduction"],
                        detail=dumps(row),
                    )
                )

    def on_Period__Reopened(self, s: Session, e: Any) -> None:
        p = t.periods
        s.execute(update(p).where(p.c.id == _id(e)).values(status="reopened"))

    def on_Period__ArrivalAfterEnd(self, s: Session, e: Any) -> None:
        p = t.periods
        s.execute(update(p).where(p.c.id == _id(e)).values(after_end=p.c.after_end + 1))

    # -- pledges, rewards ------------------------------------------------------------------
    def on_PledgeBook__Registered(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.pledges,
            {"id": _id(e)},
            {
                "member_id": e.member_id,
                "member_name": e.member_name,
                "community_id": e.community_id,
                "year": e.year,
                "pledges": dumps([{"text": p, "evidence": []} for p in e.pledges]),
                "appraised": False,
            },
        )

    def on_PledgeBook__Published(self, s: Session, e: Any) -> None:
        s.execute(
            update(t.pledges).where(t.pledges.c.id == _id(e)).values(published_on=e.published_on)
        )

    def on_PledgeBook__Fulfilled(self, s: Session, e: Any) -> None:
        row = s.execute(select(t.pledges.c.pledges).where(t.pledges.c.id == _id(e))).scalar()
        items = json.loads(row or "[]")
        items[e.index]["evidence"].append({"evidence": e.evidence, "on": e.on})
        s.execute(update(t.pledges).where(t.pledges.c.id == _id(e)).values(pledges=dumps(items)))

    def on_PledgeBook__Appraised(self, s: Session, e: Any) -> None:
        s.execute(
            update(t.pledges)
            .where(t.pledges.c.id == _id(e))
            .values(score=e.score, grade=e.grade, appraised=True)
        )

    def on_Reward__Granted(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.rewards,
            {"id": _id(e)},
            {
                "community_id": e.community_id,
                "amount_fen": e.amount_fen,
                "reason": e.reason,
                "period_id": e.period_id,
                "granted_on": e.granted_on,
            },
        )

    def on_Exemplar__Designated(self, s: Session, e: Any) -> None:
        upsert(
            s,
            t.exemplars,
            {"id": _id(e)},
            {
                "community_id": e.community_id,
                "year": e.year,
                "reason": e.reason,
                "designated_on": e.designated_on,
            },
        )


class PositionedProjector(Projector):
    """The platform's Projector, telling the projection each notification's position (facts
    keep it, so scoring can say exactly which facts it read)."""

    projection: AssessmentProjection

    def apply_note(self, session: Session, note: Any) -> None:
        self.projection.position = note.id
        super().apply_note(session, note)
