"""Read models of assessment, fed in order from its own notification log.

Every handler is an idempotent upsert keyed by ids. Facts keep their log position: scoring
reads the facts up to the projector's position and records it, so the same set can be folded
again from the log (``recompute``).
"""

from __future__ import annotations

import json
from typing import Any

from shequ.projection import Handlers, Projector, upsert_event
from sqlalchemy import MetaData, Table, delete, select, update
from sqlalchemy.orm import Session

from assessment import tables as t
from assessment.domain.fact import counted_in


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _id(event: Any) -> str:
    return str(event.originator_id)


def _set(session: Session, table: Table, event: Any, **values: Any) -> None:
    """Update the row of the event's aggregate (keyed ``id``)."""
    session.execute(update(table).where(table.c.id == _id(event)).values(**values))


class AssessmentProjection(Handlers):
    name = "assessment"
    metadata: MetaData = t.metadata

    def __init__(self) -> None:
        super().__init__()
        self.position = 0  # the notification being applied (set by ``apply_note``)

    # -- facts and subjects ----------------------------------------------------------------
    def on_Fact__Recorded(self, s: Session, e: Any) -> None:
        upsert_event(
            s,
            t.facts,
            {"id": _id(e)},
            e,
            position=self.position,
            fact_values=dumps(e.values),
            late=dumps({"late": e.late, "moved": e.moved, "rule": e.late_rule}),
            **counted_in(e.on, e.moved),
        )

    def on_Subject__Registered(self, s: Session, e: Any) -> None:
        upsert_event(s, t.subjects, {"subject_id": e.subject_id}, e, position=self.position)

    # -- schemes and periods ---------------------------------------------------------------
    def on_Scheme__Defined(self, s: Session, e: Any) -> None:
        upsert_event(s, t.schemes, {"id": _id(e)}, e, versions=dumps([e.first]))

    def on_Scheme__Revised(self, s: Session, e: Any) -> None:
        row = s.execute(select(t.schemes.c.versions).where(t.schemes.c.id == _id(e))).scalar()
        versions = [v for v in json.loads(row or "[]") if v["version"] != e.record["version"]]
        _set(s, t.schemes, e, versions=dumps([*versions, e.record]))

    def on_Period__Opened(self, s: Session, e: Any) -> None:
        opened = {"status": "open", "revision": 0, "as_of": 0, "versions": "{}", "after_end": 0}
        upsert_event(s, t.periods, {"id": _id(e)}, e, **opened)

    def on_Period__ScoreEntered(self, s: Session, e: Any) -> None:
        keys = {"period_id": _id(e), "subject_id": e.subject_id, "item": e.item}
        upsert_event(s, t.scores, keys, e, actor_id=e.actor.get("person_id"))

    def on_Period__Scored(self, s: Session, e: Any) -> None:
        _set(
            s,
            t.periods,
            e,
            status="closed",
            revision=e.revision,
            as_of=e.as_of,
            versions=dumps(e.versions),
            scored_version=e.originator_version,
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
        _set(s, t.periods, e, status="reopened")

    def on_Period__ArrivalAfterEnd(self, s: Session, e: Any) -> None:
        _set(s, t.periods, e, after_end=t.periods.c.after_end + 1)

    # -- pledges, rewards ------------------------------------------------------------------
    def on_PledgeBook__Registered(self, s: Session, e: Any) -> None:
        pledges = dumps([{"text": p, "evidence": []} for p in e.pledges])
        upsert_event(s, t.pledges, {"id": _id(e)}, e, pledges=pledges, appraised=False)

    def on_PledgeBook__Published(self, s: Session, e: Any) -> None:
        _set(s, t.pledges, e, published_on=e.published_on)

    def on_PledgeBook__Fulfilled(self, s: Session, e: Any) -> None:
        row = s.execute(select(t.pledges.c.pledges).where(t.pledges.c.id == _id(e))).scalar()
        items = json.loads(row or "[]")
        items[e.index]["evidence"].append({"evidence": e.evidence, "on": e.on})
        _set(s, t.pledges, e, pledges=dumps(items))

    def on_PledgeBook__Appraised(self, s: Session, e: Any) -> None:
        _set(s, t.pledges, e, score=e.score, grade=e.grade, appraised=True)

    def on_Reward__Granted(self, s: Session, e: Any) -> None:
        upsert_event(s, t.rewards, {"id": _id(e)}, e)

    def on_Exemplar__Designated(self, s: Session, e: Any) -> None:
        upsert_event(s, t.exemplars, {"id": _id(e)}, e)


class PositionedProjector(Projector):
    """The platform's Projector, telling the projection each notification's position (facts
    keep it, so scoring can say exactly which facts it read)."""

    projection: AssessmentProjection

    def apply_note(self, session: Session, note: Any) -> None:
        self.projection.position = note.id
        super().apply_note(session, note)
